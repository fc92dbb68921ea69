"""List queries: rules are not filters. A `list` is allowed only when the rule holds for every
document the query could return, so fields are known only as far as the query's `where` pins them:
`==` fixes a value, `in` / `array-contains-any` fix one of several (the rule must hold for each),
`<`, `<=`, `>`, `>=`, `!=`, `not-in` bound it, `array-contains` puts an element in it. A comparison
the constraints imply is true; anything else is unknown (an error)."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from launchready.rules.engine.values import RulesError, Unknown, compare, equal, hkey

FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}


class QueryMap(dict):
    """A document a list query could return, as the emulator models it: a map holding only the
    fields the query constrains (`keys()`, `in`, `get()` see just those); reading any other field
    is `Unknown`, an error, so a rule that depends on it cannot be proven for every result."""


@dataclass
class Constrained:
    """A field the query bounds without fixing it."""

    name: str
    lower: tuple[Any, bool] | None = None    # (value, inclusive)
    upper: tuple[Any, bool] | None = None
    excluded: list[Any] = field(default_factory=list)
    contains: list[Any] = field(default_factory=list)

    def narrow(self, op: str, value: Any) -> None:
        if op in (">", ">="):
            self.lower = (value, op == ">=")
        elif op in ("<", "<="):
            self.upper = (value, op == "<=")
        elif op == "!=":
            self.excluded.append(value)
        elif op == "not-in" and isinstance(value, list):
            self.excluded.extend(value)
        elif op == "array-contains":
            self.contains.append(value)

    def implies(self, op: str, value: Any) -> bool:
        """Whether every value the constraints allow satisfies `field <op> value`."""
        try:
            if op in (">", ">=") and self.lower:
                bound, inclusive = self.lower
                c = compare(bound, value)
                return c > 0 or (c == 0 and (op == ">=" or not inclusive))
            if op in ("<", "<=") and self.upper:
                bound, inclusive = self.upper
                c = compare(bound, value)
                return c < 0 or (c == 0 and (op == "<=" or not inclusive))
            if op == "!=":
                return any(equal(value, x) for x in self.excluded) or self.implies("<", value) \
                    or self.implies(">", value)
        except RulesError:
            return False
        return False

    def compare(self, op: str, value: Any) -> bool:
        """True when the constraints imply it; otherwise unknown — even when they refute it, the
        emulator does not conclude false (found by the differential test, seed 33)."""
        if self.implies(op, value):
            return True
        raise Unknown(f"the query does not decide {self.name} {op} {value!r}")

    def __repr__(self) -> str:
        return f"<{self.name}: bounded by the query>"

    def has(self, items: list, every: bool) -> bool:
        keys = {hkey(x) for x in self.contains}
        found = [hkey(x) in keys for x in items]
        if (all(found) and found) if every else any(found):
            return True
        raise Unknown(f"the query does not decide which elements {self.name} holds")


def constrained_cmp(op: str, left: Any, right: Any) -> bool | None:
    """The outcome of `left op right` when a side is a query-constrained field; None otherwise."""
    if isinstance(left, Constrained) and not isinstance(right, Constrained):
        return left.compare(op, right)
    if isinstance(right, Constrained) and not isinstance(left, Constrained):
        return right.compare(FLIP[op], left)
    if isinstance(left, Constrained):
        raise Unknown("comparing two fields the query does not fix")
    return None


def query_resources(query: Any, unknown: Any) -> Iterator[QueryMap]:
    """One symbolic document per combination of `in` / `array-contains-any` alternatives."""
    choices: list[list[tuple[str, str, Any]]] = [[]]
    for f in query.where if query else ():
        if f.field == "__name__" or "." in f.field:
            continue
        if f.op in ("in", "array-contains-any") and isinstance(f.value, list) and f.value:
            op = "==" if f.op == "in" else "array-contains"
            choices = [c + [(f.field, op, v)] for c in choices for v in f.value]
        else:
            choices = [c + [(f.field, f.op, f.value)] for c in choices]
    for constraints in choices:
        data = QueryMap()
        for name, op, value in constraints:
            if op == "==":
                data[name] = value
            elif not (name in data and not isinstance(data[name], Constrained)):
                data.setdefault(name, Constrained(name)).narrow(op, value)
        yield QueryMap({"data": data, "id": unknown, "__name__": unknown})
