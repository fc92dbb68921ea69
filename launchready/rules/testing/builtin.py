"""The rules test environment on the built-in engine: the same API as `RulesTestEnvironment`
(seed, clear, admin/authenticated/unauthenticated contexts returning `Outcome`s), no Java, no
process, milliseconds per test. A denial's message names the deciding statement like the emulator
(`false for 'update' @ L12`) and adds the deciding sub-expression with file:line:col."""
from __future__ import annotations

import builtins
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from launchready.rules.analysis.model import RulesSyntaxError
from launchready.rules.engine import Actor, Filter, Query, Request, RulesEngine, Write
from launchready.rules.engine.coverage import Coverage
from launchready.rules.engine.request import apply_writes
from launchready.rules.engine.values import Timestamp, compare, equal, from_rest, hkey, to_python
from launchready.rules.testing.client import _operator, split_path
from launchready.rules.testing.environment import RulesCompileError, rules_text
from launchready.rules.testing.outcome import Outcome, RulesHarnessError
from launchready.rules.testing.values import encode_fields, encode_value

Filter_ = tuple[str, str, Any]


def _rules_value(value: Any) -> Any:
    return from_rest(encode_value(value))


def _rules_fields(data: Mapping[str, Any]) -> dict[str, Any]:
    return {k: from_rest(v) for k, v in encode_fields(data).items()}


class BuiltinRulesEnvironment:
    """Use as a context manager, or `start()` / `stop()`; `engine` is "builtin"."""

    engine_name = "builtin"

    def __init__(self, rules: str | Path | None = None, *, filename: str | None = None,
                 project_id: str = "demo-test", **_ignored: Any):
        self._rules = rules
        self._filename = filename or (rules.name if isinstance(rules, Path) else "firestore.rules")
        self.project_id = project_id
        self.engine: RulesEngine | None = None
        self.documents: dict[str, dict[str, Any]] = {}
        self.coverage: Coverage | None = None   # set one to record which statements requests exercise
        self._started = False
        self.lock = threading.RLock()   # the access matrix sends rows from several threads

    def start(self) -> BuiltinRulesEnvironment:
        self._started = True
        if self._rules is not None:
            self.load_rules(self._rules)
        return self

    def stop(self) -> None:
        self._started = False

    def __enter__(self) -> BuiltinRulesEnvironment:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def load_rules(self, rules: str | Path) -> None:
        source = rules_text(rules)
        if isinstance(rules, Path):
            self._filename = rules.name
        try:
            self.engine = RulesEngine.from_source(source, self._filename)
            self.coverage = Coverage(self.engine) if self.coverage is not None else None
        except RulesSyntaxError as exc:
            raise RulesCompileError(f"L{exc.line}:{exc.column} {exc}") from None

    def clear(self) -> None:
        self._require()
        self.documents.clear()

    def seed(self, documents: Mapping[str, Mapping[str, Any]]) -> None:
        self._require()
        for path, data in documents.items():
            split_path(path, document=True)
            self.documents[path.strip("/")] = _rules_fields(data)

    def admin(self) -> BuiltinContext:
        return BuiltinContext(self, "admin (rules bypassed)", None, admin=True)

    def unauthenticated(self) -> BuiltinContext:
        return BuiltinContext(self, "unauthenticated", None)

    def authenticated(self, uid: str, claims: Mapping[str, Any] | None = None) -> BuiltinContext:
        if not uid:
            raise ValueError("uid must be a non-empty string")
        label = f"uid={uid}" + (f" claims={dict(claims)}" if claims else "")
        actor = Actor(uid, {k: _rules_value(v) for k, v in (claims or {}).items()}, self.project_id)
        return BuiltinContext(self, label, actor)

    def _require(self) -> RulesEngine | None:
        if not self._started:
            raise RulesHarnessError("the rules test environment is not started")
        return self.engine


class BuiltinContext:
    """Requests as one actor, decided by the built-in engine against the environment's documents."""

    def __init__(self, env: BuiltinRulesEnvironment, actor_label: str, actor: Actor | None, admin: bool = False):
        env._require()
        self._env, self.actor, self._actor, self._admin = env, actor_label, actor, admin

    def get(self, path: str) -> Outcome:
        split_path(path, document=True)
        path = path.strip("/")
        doc = self._env.documents.get(path)
        return self._decide(Request("get", path, self._actor), "get", path,
                            lambda: (200, to_python(doc)) if doc is not None else (404, None))

    def list(self, collection: str, *, where: Iterable[Filter_] = (), order_by: Sequence[str] = (),
             limit: int | None = None, collection_group: bool = False) -> Outcome:
        parts = split_path(collection, document=False)
        if collection_group and len(parts) != 1:
            raise ValueError("a collection group query takes a bare collection id")
        for _, op, _ in where:
            _operator(op)   # the same "unknown query operator" error as the emulator client
        filters = tuple(Filter(f, op, _rules_value(v)) for f, op, v in where)
        query = Query(collection_group, filters, tuple((f, "asc") for f in order_by), limit)
        path = "/".join(parts)
        return self._decide(Request("list", path, self._actor, query=query), "list", collection,
                            lambda: (200, self._run_query(parts, query)))

    def create(self, path: str, data: Mapping[str, Any]) -> Outcome:
        return self._write(Write("create", self._doc(path), _rules_fields(data)), "create", must_exist=False)

    def update(self, path: str, data: Mapping[str, Any]) -> Outcome:
        write = Write("update", self._doc(path), _rules_fields(data), "merge", tuple(data))
        return self._write(write, "update", must_exist=True)

    def set(self, path: str, data: Mapping[str, Any]) -> Outcome:
        path = self._doc(path)
        operation = "update" if path in self._env.documents else "create"
        return self._write(Write(operation, path, _rules_fields(data)), "set", must_exist=None)

    def delete(self, path: str) -> Outcome:
        return self._write(Write("delete", self._doc(path)), "delete", must_exist=None)

    # -- internals -------------------------------------------------------------------------------
    @staticmethod
    def _doc(path: str) -> str:
        split_path(path, document=True)
        return path.strip("/")

    def _write(self, write: Write, label: str, must_exist: bool | None) -> Outcome:
        def apply() -> tuple[int, Any]:
            exists = write.path in self._env.documents
            if must_exist is True and not exists:
                return 404, None
            if must_exist is False and exists:
                return 409, None
            after = apply_writes(self._env.documents, [write], Timestamp.from_nanos(time.time_ns()))
            self._env.documents.clear()
            self._env.documents.update(after)
            doc = after.get(write.path)
            return 200, to_python(doc) if doc is not None else None
        return self._decide(Request(write.operation, write.path, self._actor, write=write), label, write.path, apply)

    def _decide(self, request: Request, label: str, path: str, perform) -> Outcome:
        with self._env.lock:
            return self._decide_locked(request, label, path, perform)

    def _decide_locked(self, request: Request, label: str, path: str, perform) -> Outcome:
        engine = self._env._require()
        granted = ""
        if not self._admin:
            if engine is None:
                return Outcome(self.actor, label, path, 403, "PERMISSION_DENIED", "no rules loaded")
            decision = engine.decide(request, self._env.documents, trace=True)
            if self._env.coverage is not None:
                self._env.coverage.record(decision)
            if not decision.allowed:
                return Outcome(self.actor, label, path, 403, "PERMISSION_DENIED",
                               _denial_message(decision, engine))
            granted = f"allowed by {engine.filename}:{decision.deciding_line}"
        status, data = perform()
        codes = {404: "NOT_FOUND", 409: "ALREADY_EXISTS"}
        return Outcome(self.actor, label, path, status, codes.get(status, ""),
                       granted if status == 200 else f"{codes[status].lower().replace('_', ' ')}: {path}", data)

    def _run_query(self, parts: builtins.list[str], query: Query) -> dict[str, Any]:
        found = {}
        for path, doc in sorted(self._env.documents.items()):
            segments = path.split("/")
            in_scope = (segments[-2] == parts[-1]) if query.collection_group else segments[:-1] == parts
            if in_scope and all(_passes(doc, f) for f in query.where):
                found[path] = to_python(doc)
        items = list(found.items())[: query.limit] if query.limit is not None else list(found.items())
        return dict(items)


def _passes(doc: Mapping[str, Any], f: Filter) -> bool:
    node: Any = doc
    for name in f.field.split("."):
        if not isinstance(node, Mapping) or name not in node:
            return False
        node = node[name]
    try:
        if f.op == "==":
            return equal(node, f.value)
        if f.op == "!=":
            return not equal(node, f.value)
        if f.op == "in":
            return any(equal(node, v) for v in f.value)
        if f.op == "not-in":
            return not any(equal(node, v) for v in f.value)
        if f.op == "array-contains":
            return isinstance(node, list) and hkey(f.value) in {hkey(x) for x in node}
        if f.op == "array-contains-any":
            return isinstance(node, list) and bool({hkey(v) for v in f.value} & {hkey(x) for x in node})
        c = compare(node, f.value)
        return {"<": c < 0, "<=": c <= 0, ">": c > 0, ">=": c >= 0}[f.op]
    except Exception:  # noqa: BLE001 - a value of another type never matches a range filter
        return False


def _denial_message(decision: Any, engine: RulesEngine) -> str:
    """`false for 'update' @ L12` (as the emulator says) plus the deciding sub-expression."""
    if decision.writes:
        decision = next(w for w in decision.writes if not w.allowed)
    line = decision.deciding_line
    head = f"false for '{decision.operation}' @ L{line}" if line else \
        f"no allow statement grants '{decision.operation}' on {decision.path}"
    tried = [a for a in decision.allows if a.decisive is not None]
    if tried:
        head += f"; decided by {tried[-1].decisive.describe(engine.source, engine.filename)}"
    return head
