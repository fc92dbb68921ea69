"""Where a result points when it has no file of its own: the stack file, at the config key that
drives the check. CI platforms (GitHub code scanning, JUnit viewers) drop results without a place."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

from launchready.checks.framework.base import Check, Finding, Result

# A check's area -> the stack config key that drives it, unless the check names its own `config_key`.
AREA_KEYS = {"dns": "domain", "email": "email", "tls": "tls", "http": "tls", "stripe": "stripe",
             "webhook": "stripe", "functions": "functions", "monitoring": "alerts", "rules": "firestore"}


def config_key(cls: type[Check]) -> str:
    return cls.config_key or AREA_KEYS.get(cls.id.split(".", 1)[0], "")


@lru_cache(maxsize=64)
def key_line(stack_file: Path, key: str) -> int:
    """1-based line of `launchready:<key>` (or of `config:` when absent) in a stack file; 1 when the
    file does not parse (the config checks report that)."""
    try:
        root = yaml.compose(stack_file.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return 1
    for name, value in getattr(root, "value", []) if isinstance(root, yaml.MappingNode) else []:
        if name.value != "config":
            continue
        for inner, _ in value.value if isinstance(value, yaml.MappingNode) else []:
            if key and inner.value == f"launchready:{key}":
                return inner.start_mark.line + 1
        return name.start_mark.line + 1
    return 1


def fallback_location(result: Result, cls: type[Check], stack_file: Path, root: Path) -> Finding | None:
    """The stack file (relative to the project root when inside it) at the driving key's line."""
    if result.findings or not stack_file.is_file():   # `launchready scan` has no stack file
        return None
    key = config_key(cls)
    message = f"driven by launchready:{key}" if key else "the stack this check ran against"
    return Finding(relative_path(str(stack_file), root) or str(stack_file), key_line(stack_file, key), message)


def relative_path(path: str, root: Path) -> str | None:
    """`path` relative to the project root (POSIX), or None when it lies outside the root."""
    candidate = Path(path)
    if not candidate.is_absolute():
        return candidate.as_posix().removeprefix("./")
    try:
        return candidate.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return None
