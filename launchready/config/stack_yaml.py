"""Bounded reading of a stack file: any bytes, any size, any nesting give one ConfigError, fast.

A stack file is untrusted input (it may come from a pull request). Before anything is built from
it, one pass over libyaml's event stream (iterative, no recursion) enforces the limits that PyYAML
itself does not: nesting depth, the size the document *expands* to through aliases (an alias bomb
is a few hundred bytes), and duplicate keys (YAML says they are an error; PyYAML lets the last one
win silently). Only then is the document composed and constructed.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from launchready.config.project_files import FileProblem as StackFileError
from launchready.config.project_files import read_capped

MAX_BYTES = 1_000_000
MAX_DEPTH = 32
MAX_VALUES = 100_000  # scalars + collections after alias expansion

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class _Frame:
    is_mapping: bool
    anchor: str | None
    line: int
    size: int = 1
    index: int = 0
    key: str | None = None
    keys: dict[str, int] = field(default_factory=dict)


def load(path: Path) -> tuple[Any, yaml.Node | None]:
    """(constructed document, its node tree) of a stack file within the limits above."""
    text = read_capped(path, MAX_BYTES)
    try:
        _prescan(text)
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            return (loader.construct_document(node) if node is not None else None), node
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        raise StackFileError(_yaml_message(exc)) from None
    except (ValueError, TypeError, OverflowError) as exc:  # e.g. `2024-13-45` matches the date pattern
        raise StackFileError(f"a value YAML cannot convert: {exc}") from None


def _yaml_message(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    return f"not valid YAML{where}: {problem}"


def _prescan(text: str) -> None:
    """Depth, expanded size and duplicate keys from the event stream, without building anything."""
    stack: list[_Frame] = []
    anchors: dict[str, int] = {}
    for event in yaml.parse(text, Loader=_Loader):
        line = event.start_mark.line + 1 if event.start_mark else 0
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            _child(stack, None, line)
            if len(stack) >= MAX_DEPTH:
                raise StackFileError(f"{_where(stack)}: nested deeper than {MAX_DEPTH} levels (line {line})")
            stack.append(_Frame(isinstance(event, yaml.MappingStartEvent), event.anchor, line))
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            frame = stack.pop()
            _close(stack, anchors, frame.anchor, frame.size)
        elif isinstance(event, yaml.ScalarEvent):
            _child(stack, event.value, line)
            _close(stack, anchors, event.anchor, 1)
        elif isinstance(event, yaml.AliasEvent):
            _child(stack, None, line)
            _close(stack, anchors, None, anchors.get(event.anchor or "", 1))


def _child(stack: list[_Frame], scalar: str | None, line: int) -> None:
    """Account one child node; in a mapping every other child is a key, checked for duplicates."""
    if not stack:
        return
    frame = stack[-1]
    is_key = frame.is_mapping and frame.index % 2 == 0
    frame.index += 1
    if not is_key:
        return
    frame.key = scalar
    if scalar is None or scalar == "<<":
        return
    if scalar in frame.keys:
        raise StackFileError(f"{_where(stack)}: duplicate key (line {line}; first at line {frame.keys[scalar]}): "
                             "YAML keeps only one of them, remove the other")
    frame.keys[scalar] = line


def _close(stack: list[_Frame], anchors: dict[str, int], anchor: str | None, size: int) -> None:
    if anchor:
        anchors[anchor] = size
    if stack:
        stack[-1].size += size
        if stack[-1].size > MAX_VALUES:
            raise StackFileError(f"{_where(stack)}: expands to more than {MAX_VALUES:,} values "
                                 "(aliases or a very long list): refused")


def _where(stack: list[_Frame]) -> str:
    """The key path of the innermost open node, e.g. `config.launchready:gcp.projectId`."""
    parts = []
    for frame in stack:
        if frame.is_mapping and frame.key is not None:
            parts.append(frame.key)
        elif not frame.is_mapping:
            parts.append(f"[{max(frame.index - 1, 0)}]")
    text = ".".join(parts).replace(".[", "[")
    return text or "document"
