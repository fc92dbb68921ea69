"""Stack changes as `--write` records them: dotted `launchready:` keys set in the stack file, written
atomically (every other key, `secure:` value and the salt kept; the leading comment block kept)."""
from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from launchready.config.model import NAMESPACE, EnvironmentConfig, parse_config, read_stack_values
from launchready.files import read_capped
from launchready.scaffold import write_all


def apply(raw: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """`raw` (a stack's `config:` mapping) with each `section.key` (camelCase) set; None removes it."""
    updated = copy.deepcopy(raw)
    for dotted, value in values.items():
        section, _, key = dotted.partition(".")
        target = updated.setdefault(f"{NAMESPACE}:{section}", {})
        if not isinstance(target, dict):
            target = updated[f"{NAMESPACE}:{section}"] = {}
        if value is None:
            target.pop(key, None)
        else:
            target[key] = value
        if not target:
            updated.pop(f"{NAMESPACE}:{section}")
    return updated


def as_config(path: Path, stack: str, values: dict[str, Any]) -> EnvironmentConfig:
    """The stack as it would be after `values` were written (parsed like `load_stack`)."""
    raw = apply(read_stack_values(path), values)
    prefix = f"{NAMESPACE}:"
    own = {k[len(prefix):]: v for k, v in raw.items() if isinstance(k, str) and k.startswith(prefix)}
    return parse_config(own, source=str(path), stack=stack)


def write(path: Path, root: Path, values: dict[str, Any]) -> bool:
    """Sets `values` in the stack file; False when it already held them."""
    text = read_capped(path)
    document = yaml.safe_load(text)
    document["config"] = apply(document["config"], values)
    header = "".join(line for line in text.splitlines(keepends=True)[:_header_lines(text)])
    new = header + yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=120)
    written, _ = write_all({path: new}, root=root, force=True)
    return bool(written)


def _header_lines(text: str) -> int:
    count = 0
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        count += 1
    return count
