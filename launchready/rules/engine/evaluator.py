"""Evaluate compiled expressions for one request, recording a trace when asked.

Errors are Python exceptions (`RulesError`); `&&` and `||` absorb them the way the emulator does
(an error on one side is irrelevant when the other side decides), and an error at the top of an
`allow` makes that statement false.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from launchready.rules.engine.compiler import Node
from launchready.rules.engine.methods import call_global, call_method, call_namespace
from launchready.rules.engine.query import Constrained, QueryMap, constrained_cmp
from launchready.rules.engine.values import (
    Duration,
    PartialPath,
    RPath,
    RSet,
    RulesError,
    Timestamp,
    Unknown,
    check_int,
    compare,
    equal,
    hkey,
    is_number,
    render,
    type_name,
)

MAX_CALL_DEPTH = 20
# The emulator's per-request budget, probed against it (tests/rules/test_engine_limits.py): every
# evaluated expression costs 1 and each `&&` / `||` one more; when the budget runs out the request is
# denied ("Unable to evaluate the expression as the maximum of 1000 expressions to evaluate has been
# reached."), whatever `||` branches remain. So an exponential ruleset ends after ~1000 steps.
MAX_EXPRESSIONS = 1000
NAMESPACES = frozenset({"math", "timestamp", "duration", "hashing", "latlng"})
DOC_FUNCTIONS = frozenset({"get", "exists", "getAfter", "existsAfter"})
TYPE_CHECKS: dict[str, Callable[[Any], bool]] = {
    "number": is_number, "float": lambda v: isinstance(v, float), "constraint": lambda v: False,
}


class UnknownValue:
    """A wildcard bound to a segment the query leaves open (the document id of a list)."""

    def __repr__(self) -> str:
        return "<unknown>"


UNKNOWN = UnknownValue()


class BudgetExhausted(RulesError):
    """The request used up its expression budget: not absorbed by `&&` / `||`, the request is denied."""


class RequestBudget:
    """Expressions evaluated so far in one request (shared by every `allow` the request tries)."""

    __slots__ = ("spent",)

    def __init__(self) -> None:
        self.spent = 0

    def charge(self, cost: int) -> None:
        self.spent += cost
        if self.spent > MAX_EXPRESSIONS:
            raise BudgetExhausted(f"Unable to evaluate the expression as the maximum of {MAX_EXPRESSIONS} "
                                  "expressions to evaluate has been reached.")


@dataclass
class Step:
    depth: int
    node: Node
    value: Any = None
    error: str | None = None

    def describe(self, source: str, filename: str | None = None) -> str:
        """`file:line:col expression -> value` (or `-> error: why`)."""
        text = " ".join(source[self.node.start:self.node.end].split())
        text = text if len(text) <= 70 else text[:69] + "…"
        outcome = f"error: {self.error}" if self.error is not None else render(self.value)
        where = f"{filename}:{self.node.line}:{self.node.col}" if filename else f"L{self.node.line}:{self.node.col}"
        return f"{where} {text} -> {outcome}"


class _LazyError:
    __slots__ = ("error",)

    def __init__(self, error: RulesError):
        self.error = error


class Evaluation:
    """One request's evaluation state: variables in scope, document lookups, limits and the trace."""

    def __init__(self, functions: Callable[[Any], dict], documents: DocumentAccess, trace: bool):
        self._functions = functions
        self._docs = documents
        self._budget = documents.budget
        self.steps: list[Step] | None = [] if trace else None
        self._depth = 0
        self._calls = 0
        self.scope_key: Any = None

    def eval(self, node: Node, scope: dict) -> Any:
        self._budget.charge(1)
        if self.steps is None:
            return DISPATCH[node.kind](self, node, scope)
        step = Step(self._depth, node)
        self.steps.append(step)
        self._depth += 1
        try:
            step.value = DISPATCH[node.kind](self, node, scope)
            return step.value
        except RulesError as exc:
            step.error = str(exc) or type(exc).__name__
            raise
        finally:
            self._depth -= 1

    def truth(self, node: Node, scope: dict) -> bool:
        value = self.eval(node, scope)
        if not isinstance(value, bool):
            raise RulesError(f"expected bool, got {type_name(value)}")
        return value

    # -- names and members -------------------------------------------------------------------
    def _var(self, node: Node, scope: dict) -> Any:
        name = node.args[0]
        if name not in scope:
            raise RulesError(f"unknown variable {name}")
        value = scope[name]
        if isinstance(value, _LazyError):
            raise value.error
        if value is UNKNOWN:
            raise Unknown(f"{name} is not fixed by the query")
        return value

    def _attr(self, node: Node, scope: dict) -> Any:
        base, name = node.args
        return _member(self.eval(base, scope), name)

    def _index(self, node: Node, scope: dict) -> Any:
        base = self.eval(node.args[0], scope)
        key = self.eval(node.args[1], scope)
        if isinstance(base, dict):
            if not isinstance(key, str):
                raise RulesError(f"map key must be a string, got {type_name(key)}")
            return _member(base, key)
        if isinstance(base, PartialPath):
            raise RulesError("Variable is not bound in path template.")
        if isinstance(base, (list, str, RPath)):
            items = base.segments if isinstance(base, RPath) else base
            if not isinstance(key, int) or isinstance(key, bool):
                raise RulesError(f"index must be an int, got {type_name(key)}")
            if not 0 <= key < len(items):
                raise RulesError(f"index {key} out of range")
            return items[key]
        raise RulesError(f"cannot index {type_name(base)}")

    def _slice(self, node: Node, scope: dict) -> Any:
        base = self.eval(node.args[0], scope)
        if not isinstance(base, (list, str)):
            raise RulesError(f"cannot slice {type_name(base)}")
        lo = self.eval(node.args[1], scope) if node.args[1] else 0
        hi = self.eval(node.args[2], scope) if node.args[2] else len(base)
        if not (type_name(lo) == type_name(hi) == "int") or not 0 <= lo <= hi <= len(base):
            raise RulesError(f"bad slice [{lo}:{hi}] of length {len(base)}")
        return base[lo:hi]

    def _map(self, node: Node, scope: dict) -> dict:
        out = {}
        for k, v in node.args:
            key = self.eval(k, scope)
            if not isinstance(key, str):
                raise RulesError("map keys must be strings")
            out[key] = self.eval(v, scope)
        return out

    def _path(self, node: Node, scope: dict) -> RPath:
        text = ""
        for part in node.args:
            if isinstance(part, str):
                text += part
                continue
            value = self.eval(part, scope)
            if isinstance(value, PartialPath):
                raise RulesError("Variable is not bound in path template.")
            if isinstance(value, RPath):
                text += "/".join(value.segments)
            elif isinstance(value, (str, int)) and not isinstance(value, bool):
                text += str(value)
            else:
                raise RulesError(f"cannot put {type_name(value)} in a path")
        return RPath(tuple(p for p in text.split("/") if p))

    # -- calls ---------------------------------------------------------------------------------
    def _call(self, node: Node, scope: dict) -> Any:
        callee, arg_nodes = node.args
        if callee.kind == "attr":
            base, name = callee.args
            if base.kind == "var" and base.args[0] in NAMESPACES and base.args[0] not in scope:
                return call_namespace(base.args[0], name, [self.eval(a, scope) for a in arg_nodes])
            receiver = self.eval(base, scope)
            if isinstance(receiver, Constrained):
                if name in ("hasAny", "hasAll") and len(arg_nodes) == 1:
                    items = self.eval(arg_nodes[0], scope)
                    return receiver.has(list(items) if isinstance(items, (list, RSet)) else [], name == "hasAll")
                raise Unknown(f"{receiver.name}.{name}() is not decided by the query")
            return call_method(receiver, name, [self.eval(a, scope) for a in arg_nodes])
        if callee.kind != "var":
            raise RulesError("only functions and methods can be called")
        name = callee.args[0]
        function = self._functions(self.scope_key).get(name)
        if function is not None:
            return self._user_call(function, [self.eval(a, scope) for a in arg_nodes], scope)
        args = [self.eval(a, scope) for a in arg_nodes]
        if name in DOC_FUNCTIONS:
            if len(args) != 1 or not isinstance(args[0], RPath):
                raise RulesError(f"{name}() takes one path")
            return self._docs.lookup(name, args[0])
        try:
            return call_global(name, args)
        except KeyError:
            raise RulesError(f"unknown function {name}()") from None

    def _user_call(self, function: Any, args: list, scope: dict) -> Any:
        params, lets, body = function
        if len(args) != len(params):
            raise RulesError(f"function takes {len(params)} arguments, got {len(args)}")
        if self._calls >= MAX_CALL_DEPTH:
            raise RulesError(f"function call depth exceeds {MAX_CALL_DEPTH}")
        local = {**scope["__globals__"], **dict(zip(params, args, strict=False))}
        local["__globals__"] = scope["__globals__"]
        for name, expr in lets:
            try:
                local[name] = self.eval(expr, local)
            except RulesError as exc:
                local[name] = _LazyError(exc)
        self._calls += 1
        try:
            return self.eval(body, local)
        finally:
            self._calls -= 1

    # -- operators -----------------------------------------------------------------------------
    def _and(self, node: Node, scope: dict) -> bool:
        return self._junction(node, scope, stop=False)

    def _or(self, node: Node, scope: dict) -> bool:
        return self._junction(node, scope, stop=True)

    def _junction(self, node: Node, scope: dict, stop: bool) -> bool:
        """`&&` stops at the first false, `||` at the first true; an error before that is kept and
        raised only when nothing later decides."""
        error: RulesError | None = None
        self._budget.charge(2 * (len(node.args) - 1) - 1)   # the emulator's binary nodes cost 2 each
        for item in node.args:
            try:
                if self.truth(item, scope) is stop:
                    return stop
            except BudgetExhausted:
                raise
            except RulesError as exc:
                error = error or exc
        if error is not None:
            raise error
        return not stop

    def _not(self, node: Node, scope: dict) -> bool:
        return not self.truth(node.args[0], scope)

    def _neg(self, node: Node, scope: dict) -> Any:
        value = self.eval(node.args[0], scope)
        if not is_number(value):
            raise RulesError(f"cannot negate {type_name(value)}")
        return check_int(-value) if isinstance(value, int) else -value

    def _cond(self, node: Node, scope: dict) -> Any:
        test, yes, no = node.args
        return self.eval(yes if self.truth(test, scope) else no, scope)

    def _cmp(self, node: Node, scope: dict) -> bool:
        op, left_node, right_node = node.args
        left = self.eval(left_node, scope)
        if op == "is":
            check = TYPE_CHECKS.get(right_node)
            return check(left) if check else type_name(left) == right_node
        right = self.eval(right_node, scope)
        if isinstance(left, Constrained) or isinstance(right, Constrained):
            if op == "in":
                if isinstance(right, Constrained):
                    return right.has([left], every=True)
                raise Unknown(f"{left.name} in ... is not decided by the query")
            decided = constrained_cmp(op, left, right)
            assert decided is not None, "a side is Constrained: constrained_cmp decides or raises Unknown"
            return decided
        if op == "==":
            return equal(left, right)
        if op == "!=":
            return not equal(left, right)
        if op == "in":
            return _contains(right, left)
        c = compare(left, right)
        return {"<": c < 0, "<=": c <= 0, ">": c > 0, ">=": c >= 0}[op]

    def _arith(self, node: Node, scope: dict) -> Any:
        op, left_node, right_node = node.args
        return arithmetic(op, self.eval(left_node, scope), self.eval(right_node, scope))


DISPATCH: dict[str, Callable[[Evaluation, Node, dict], Any]] = {
    "const": lambda ev, n, s: n.args[0], "var": Evaluation._var, "attr": Evaluation._attr,
    "index": Evaluation._index, "slice": Evaluation._slice, "call": Evaluation._call, "and": Evaluation._and,
    "or": Evaluation._or, "not": Evaluation._not, "neg": Evaluation._neg, "cmp": Evaluation._cmp,
    "arith": Evaluation._arith, "cond": Evaluation._cond, "list": lambda ev, n, s: [ev.eval(a, s) for a in n.args],
    "map": Evaluation._map, "path": Evaluation._path,
}


def _member(base: Any, name: str) -> Any:
    if isinstance(base, dict):
        if name in base:
            value = base[name]
            if value is UNKNOWN:
                raise Unknown(f"{name} is not fixed by the query")
            return value
        if isinstance(base, QueryMap):
            raise Unknown(f"field {name!r} is not fixed by the query")
        raise RulesError(f"Property {name} is undefined on object.")
    raise RulesError(f"cannot read .{name} of {type_name(base)}")


def _contains(collection: Any, item: Any) -> bool:
    if isinstance(collection, dict):
        if not isinstance(item, str):
            raise RulesError("map keys are strings")
        return item in collection
    if isinstance(collection, RSet):
        return item in collection
    if isinstance(collection, list):
        key = hkey(item)
        return any(key == hkey(x) for x in collection)
    raise RulesError(f"`in` needs a list, set or map, got {type_name(collection)}")


def arithmetic(op: str, a: Any, b: Any) -> Any:
    if isinstance(a, Constrained) or isinstance(b, Constrained):
        raise Unknown("arithmetic on a field the query does not fix")
    if is_number(a) and is_number(b):
        return _numeric(op, a, b)
    if op == "+":
        if isinstance(a, str) and isinstance(b, str):
            return a + b
        if isinstance(a, Timestamp) and isinstance(b, Duration):
            return Timestamp.from_nanos(a.total_nanos + b.nanos)
        if isinstance(a, Duration) and isinstance(b, Timestamp):
            return Timestamp.from_nanos(b.total_nanos + a.nanos)
        if isinstance(a, Duration) and isinstance(b, Duration):
            return Duration(a.nanos + b.nanos)
    if op == "-":
        if isinstance(a, Timestamp) and isinstance(b, Duration):
            return Timestamp.from_nanos(a.total_nanos - b.nanos)
        if isinstance(a, Timestamp) and isinstance(b, Timestamp):
            return Duration(a.total_nanos - b.total_nanos)
        if isinstance(a, Duration) and isinstance(b, Duration):
            return Duration(a.nanos - b.nanos)
    raise RulesError(f"cannot apply {op} to {type_name(a)} and {type_name(b)}")


def _numeric(op: str, a: Any, b: Any) -> Any:
    ints = isinstance(a, int) and isinstance(b, int)
    if op in "/%" and b == 0:
        if ints or op == "%":
            raise RulesError("division by zero")
        return float("nan") if a == 0 else float("inf") * (1 if a > 0 else -1)
    if op == "+":
        result = a + b
    elif op == "-":
        result = a - b
    elif op == "*":
        result = a * b
    elif op == "/":
        result = int(a / b) if ints and abs(a) < 2 ** 52 else (_int_div(a, b) if ints else a / b)
    elif op == "%":
        result = a - b * int(a / b) if ints and abs(a) < 2 ** 52 else (_int_mod(a, b) if ints else a % b)
    else:
        raise RulesError(f"unknown operator {op}")
    return check_int(result) if ints else float(result)


def _int_div(a: int, b: int) -> int:
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b >= 0) else -q


def _int_mod(a: int, b: int) -> int:
    return a - b * _int_div(a, b)


class DocumentAccess:
    """`get`/`exists` against the database before the request, `getAfter`/`existsAfter` after it,
    within the platform's limit of distinct documents looked up per request."""

    def __init__(self, before: dict, after: dict, limit: int):
        self._before, self._after, self._limit = before, after, limit
        self._seen: set[tuple[str, ...]] = set()
        self.budget = RequestBudget()

    def lookup(self, function: str, path: RPath) -> Any:
        segments = path.segments
        if len(segments) < 5 or segments[:3] != ("databases", "(default)", "documents") or len(segments) % 2 == 0:
            raise RulesError(f"{function}() needs a document path under /databases/(default)/documents, got {path}")
        self._seen.add(segments)
        if len(self._seen) > self._limit:
            raise RulesError(f"more than {self._limit} document lookups in one request")
        store = self._after if function.endswith("After") else self._before
        relative = "/".join(segments[3:])
        doc = store.get(relative)
        if function.startswith("exists"):
            return doc is not None
        if doc is None:
            return None
        return resource_object(relative, doc)


def resource_object(relative: str, data: dict) -> dict:
    segments = ("databases", "(default)", "documents") + tuple(relative.split("/"))
    return {"data": data, "id": segments[-1], "__name__": RPath(segments)}
