"""Stack changes as `--write` records them: dotted `launchready:` keys set in the stack file, edited
round-trip with ruamel.yaml, so every other key, comment, quoting style, `secure:` value and the salt
stay as they were, and written atomically."""
from __future__ import annotations

import copy
import io
import re
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from launchready.config.model import NAMESPACE, EnvironmentConfig, parse_config, read_stack_values
from launchready.files import read_capped
from launchready.scaffold import write_all

# `key:` then a `- item` indented past it (the example's style) vs `- item` under the key (PyYAML's)
_INDENTED_SEQUENCE = re.compile(r"^( *)\S[^\n]*:\n\1  +- ", re.MULTILINE)


def apply(raw: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """`raw` (a stack's `config:` mapping) with each `section.key` (camelCase) set; None removes it."""
    updated = copy.deepcopy(raw)
    _set(updated, values)
    return updated


def _set(config: Any, values: dict[str, Any]) -> None:
    for dotted, value in values.items():
        section, _, key = dotted.partition(".")
        name = f"{NAMESPACE}:{section}"
        if not isinstance(config.get(name), dict):
            if value is None:
                continue
            config[name] = {}
        target = config[name]
        if value is None:
            target.pop(key, None)
        else:
            target[key] = value
        if not target:
            del config[name]


def as_config(path: Path, stack: str, values: dict[str, Any]) -> EnvironmentConfig:
    """The stack as it would be after `values` were written (parsed like `load_stack`)."""
    raw = apply(read_stack_values(path), values)
    prefix = f"{NAMESPACE}:"
    own = {k[len(prefix):]: v for k, v in raw.items() if isinstance(k, str) and k.startswith(prefix)}
    return parse_config(own, source=str(path), stack=stack)


def edited(text: str, values: dict[str, Any]) -> str:
    """The stack file's text with `values` set; everything else as it was."""
    yaml = YAML()   # round-trip
    yaml.preserve_quotes = True
    yaml.width = 4096   # never fold a long value (a DKIM key) that was on one line
    if _INDENTED_SEQUENCE.search(text):
        yaml.indent(mapping=2, sequence=4, offset=2)
    document = yaml.load(text)
    _set(document["config"], values)
    out = io.StringIO()
    yaml.dump(document, out)
    return out.getvalue()


def write(path: Path, root: Path, values: dict[str, Any]) -> bool:
    """Sets `values` in the stack file; False when it already held them."""
    written, _ = write_all({path: edited(read_capped(path), values)}, root=root, force=True)
    return bool(written)
