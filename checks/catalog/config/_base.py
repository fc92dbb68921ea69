"""A stack file's raw values with the line of every key, so config findings point into the YAML.

The typed model (infra.config) says what is wrong; this says where. Values are walked from the raw
`config:` mapping (all namespaces, e.g. `cloudflare:apiToken` too), never printed.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from launchready.checks.framework.base import Finding
from launchready.config.model import ConfigError, read_stack, stack_file


@dataclass(frozen=True)
class StackFile:
    name: str
    path: Path
    values: dict[str, Any]               # the raw `config:` mapping
    lines: dict[tuple[str, ...], int]    # ("launchready:gcp", "projectId") -> 1-based line

    def line(self, *keys: str) -> int | None:
        """Line of the deepest of `keys` that exists (a missing key points at its parent)."""
        for depth in range(len(keys), 0, -1):
            if keys[:depth] in self.lines:
                return self.lines[keys[:depth]]
        return None

    def finding(self, message: str, *keys: str) -> Finding:
        return Finding(str(self.path), self.line(*keys), message)

    def leaves(self) -> Iterator[tuple[tuple[str, ...], Any]]:
        """Every (key path, value) pair; a `secure:` mapping is one leaf, not a nested key."""
        yield from _leaves((), self.values)


def _leaves(prefix: tuple[str, ...], value: Any) -> Iterator[tuple[tuple[str, ...], Any]]:
    if isinstance(value, dict) and not is_secure(value):
        for key, child in value.items():
            yield from _leaves(prefix + (str(key),), child)
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _leaves(prefix + (str(index),), child)
    else:
        yield prefix, value


def is_secure(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {"secure"} and isinstance(value["secure"], str)


def load_stack_file(stacks_dir: Path, name: str) -> StackFile:
    """Raw values and key lines of `Pulumi.<name>.yaml`; raises ConfigError when it is not readable."""
    path = stack_file(stacks_dir, name)
    values, node = read_stack(path)
    lines: dict[tuple[str, ...], int] = {}
    _walk(node, (), lines)
    return StackFile(name, path, values, lines)


def _walk(node: yaml.Node, prefix: tuple[str, ...], lines: dict[tuple[str, ...], int]) -> None:
    if isinstance(node, yaml.MappingNode):
        for key, child in node.value:
            path = prefix + (str(key.value),)
            lines[path] = key.start_mark.line + 1
            _walk(child, path, lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, child in enumerate(node.value):
            path = prefix + (str(index),)
            lines[path] = child.start_mark.line + 1
            _walk(child, path, lines)


def stack_files(stacks_dir: Path, names: list[str]) -> tuple[list[StackFile], dict[str, ConfigError]]:
    """Every named stack file that reads, and the errors of those that do not."""
    files, errors = [], {}
    for name in names:
        try:
            files.append(load_stack_file(stacks_dir, name))
        except ConfigError as exc:
            errors[name] = exc
    return files, errors
