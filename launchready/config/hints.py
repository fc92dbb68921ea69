"""Turning pydantic's validation errors on a stack file into one line each, with a hint where YAML
itself changed what the user typed (dates, booleans, octal numbers) and "did you mean" for typos.

YAML 1.1 (what PyYAML and Pulumi read) turns unquoted `2024-06-20` into a date, `on`/`off`/`yes`/`no`
into booleans and `0123` into 83; the model then reports "should be a valid string", which does not
say why. These hints do.
"""
from __future__ import annotations

import datetime
import difflib
from collections.abc import Iterable, Mapping
from typing import Any, get_args

from pydantic import BaseModel

MAX_PROBLEMS = 20
_TEXT_ERRORS = {"string_type", "string_pattern_mismatch", "literal_error", "value_error", "url_parsing"}


def yaml_trap_hint(err: Mapping[str, Any]) -> str:
    """A hint when YAML converted an unquoted value into a type the key does not take."""
    value = err.get("input")
    if err.get("type") not in _TEXT_ERRORS and not str(err.get("type", "")).endswith("_type"):
        return ""
    if isinstance(value, (datetime.date, datetime.datetime)):
        return (f" (YAML reads an unquoted {value.isoformat()} as a date: quote it, "
                f"e.g. \"{value.isoformat()}\")")
    if isinstance(value, bool):
        return (" (YAML reads unquoted yes/no/on/off/true/false as a boolean: quote the value "
                "if you meant text)")
    if isinstance(value, (int, float)) and err.get("type") == "string_type":
        return (" (YAML reads this as a number, dropping leading zeros or reading 0123 as octal 83: "
                "quote the value)")
    return ""


def did_you_mean(root: type[BaseModel], loc: Iterable[Any]) -> str:
    """' (did you mean `x`?)' for an unknown key close to a known one at the same place, else ''."""
    *parents, key = [str(part) for part in loc] or [""]
    known = _known_keys(root, parents)
    match = difflib.get_close_matches(key, known, n=1, cutoff=0.6) or \
        [name for name in known if name.lower() == key.lower()]
    return f" (did you mean `{match[0]}`?)" if match else ""


def capped(problems: list[str]) -> list[str]:
    """At most MAX_PROBLEMS lines: a 100,000-item list must not print 100,000 lines."""
    if len(problems) <= MAX_PROBLEMS:
        return problems
    return problems[:MAX_PROBLEMS] + [f"... and {len(problems) - MAX_PROBLEMS} more problem(s)"]


def _known_keys(model: type[BaseModel], parents: list[str]) -> list[str]:
    for part in parents:
        if part.isdigit():
            continue
        field = next((f for name, f in model.model_fields.items() if part in (name, f.alias)), None)
        nested = _model_in(field.annotation) if field else None
        if nested is None:
            return []
        model = nested
    return [f.alias or name for name, f in model.model_fields.items() if not f.exclude]


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None
