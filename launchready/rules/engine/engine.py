"""The built-in Firestore rules engine: which match blocks apply to a request, which allow
statements grant its method, and the verdict with a trace of why.

    engine = RulesEngine.from_source(text, filename="firestore.rules")
    decision = engine.decide(request, database, trace=True)
"""
from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, cast

from launchready.rules.analysis.model import CAPTURE, Allow, Match, Ruleset, RulesSyntaxError, parse_rules
from launchready.rules.engine.compiler import Node, check_nesting, compile_expr
from launchready.rules.engine.evaluator import UNKNOWN, DocumentAccess, Evaluation, Step, resource_object
from launchready.rules.engine.query import query_resources
from launchready.rules.engine.request import Database, Request, Write, apply_writes, written_document
from launchready.rules.engine.values import PartialPath, RPath, RulesError, Timestamp
from launchready.rules.engine.values import render as render_value

SINGLE_DOC_LOOKUPS, MULTI_DOC_LOOKUPS = 10, 20
ROOT = ("databases", "(default)", "documents")
ANY_PREFIX = object()   # a collection group: any run of segments before the collection id
ANY_DOC = object()      # a list: any document id in the collection
# Deep but legitimate nesting (long function chains, big literals) needs more than Python's 1000.
sys.setrecursionlimit(max(sys.getrecursionlimit(), 20000))


@dataclass
class AllowTrace:
    line: int
    methods: tuple[str, ...]
    match_path: str
    granted: bool
    error: str | None = None
    steps: list[Step] = field(default_factory=list)
    decisive: Step | None = None   # the sub-expression that made it false (or true)


@dataclass
class Decision:
    allowed: bool
    operation: str
    path: str
    matches: list[tuple[str, int]] = field(default_factory=list)
    allows: list[AllowTrace] = field(default_factory=list)
    writes: list[Decision] = field(default_factory=list)

    @property
    def verdict(self) -> str:
        return "allow" if self.allowed else "deny"

    @property
    def deciding_line(self) -> int | None:
        """The granting statement of an allow; the last statement tried for a deny."""
        if self.writes:
            denied = [w for w in self.writes if not w.allowed]
            return (denied or self.writes)[0].deciding_line
        granted = [a for a in self.allows if a.granted]
        chosen = granted[0] if granted else (self.allows[-1] if self.allows else None)
        return chosen.line if chosen else None

    def to_json(self, source: str, filename: str) -> dict[str, Any]:
        return {
            "verdict": self.verdict, "operation": self.operation, "path": self.path,
            "decided_at": f"{filename}:{self.deciding_line}" if self.deciding_line else None,
            "matches": [{"path": p, "line": line} for p, line in self.matches],
            "allows": [{"line": a.line, "methods": list(a.methods), "match": a.match_path, "granted": a.granted,
                        "error": a.error,
                        "decisive": a.decisive.describe(source, filename) if a.decisive else None,
                        "steps": [{"depth": s.depth, "line": s.node.line, "col": s.node.col,
                                   "text": source[s.node.start:s.node.end][:200],
                                   "value": None if s.error is not None else render_value(s.value, 200),
                                   "error": s.error} for s in a.steps]} for a in self.allows],
            "writes": [w.to_json(source, filename) for w in self.writes],
        }

    def explain(self, source: str, filename: str, steps: bool = True) -> list[str]:
        """Human-readable trace lines: matched blocks, statements tried, the deciding expression."""
        if self.writes:
            lines = []
            for w in self.writes:
                lines.append(f"{w.operation} {w.path}: {w.verdict}")
                lines += ["  " + x for x in w.explain(source, filename, steps)]
            return lines
        if not self.matches:
            return [f"no match block applies to {self.path}: denied by default"]
        lines = [f"match {p} ({filename}:{line})" for p, line in self.matches]
        if not self.allows:
            lines.append(f"no allow statement grants {self.operation}: denied by default")
        for a in self.allows:
            outcome = "true" if a.granted else (f"error: {a.error}" if a.error else "false")
            lines.append(f"allow {', '.join(a.methods)} ({filename}:{a.line}) -> {outcome}")
            if a.decisive and not a.granted:
                lines.append(f"  decided by {a.decisive.describe(source, filename)}")
            if steps:
                lines += ["    " + "  " * s.depth + s.describe(source) for s in _readable(a.steps)]
        return lines


def _readable(steps: list[Step]) -> list[Step]:
    """Steps worth reading: drop literals and the inner links of member chains (`request`,
    `request.auth` under `request.auth.uid`), which repeat what the outer step shows."""
    kept: list[Step] = []
    parents: list[Step] = []
    for step in steps:
        del parents[step.depth:]
        parent = parents[-1] if parents else None
        parents.append(step)
        if step.node.kind == "const" or (step.node.kind == "list" and all(a.kind == "const" for a in step.node.args)):
            continue
        if parent is not None and _is_chain_link(parent.node, step.node):
            continue
        kept.append(step)
    return kept


def _is_chain_link(parent: Node, child: Node) -> bool:
    if parent.kind in ("attr", "index") and parent.args[0] is child:
        return True
    callee = parent.args[0] if parent.kind == "call" else None
    return callee is not None and callee.kind == "attr" and callee.args[0] is child


class RulesEngine:
    """Compiled rules: parse once, decide many requests."""

    def __init__(self, ruleset: Ruleset, source: str, filename: str = "firestore.rules"):
        self.ruleset, self.source, self.filename = ruleset, source, filename
        self.v2 = ruleset.version == "2"
        self._blocks = [(m, _pattern(m)) for m in ruleset.matches()]
        self._grants = {id(m): [(a, a.operations) for a in m.allows] for m, _ in self._blocks}
        self._paths = {id(m): m.full_path for m, _ in self._blocks}
        # Index blocks by their first segment below /documents (None: a wildcard there), so a
        # request only tries the blocks that can match it.
        self._by_first: dict[str | None, list[int]] = {}
        for index, (_, pattern) in enumerate(self._blocks):
            first = pattern[3] if len(pattern) > 3 and pattern[:3] == _ROOT_PATTERN else None
            key = first[0] if first is not None and first[1] is None else None
            self._by_first.setdefault(key, []).append(index)
        self._conditions: dict[int, Node | None] = {}
        self._functions: dict[int, dict[str, tuple]] = {}
        _check_nesting(ruleset)

    @classmethod
    def from_source(cls, source: str, filename: str = "firestore.rules") -> RulesEngine:
        """Raises RulesSyntaxError (line and column) for a file the parser cannot read."""
        return cls(parse_rules(source), source, filename)

    # -- matching ------------------------------------------------------------------------------
    def matching(self, segments: list) -> Iterator[tuple[Match, dict[str, Any]]]:
        first = segments[3] if len(segments) > 3 and isinstance(segments[3], str) else None
        candidates = self._by_first.get(None, [])
        if first is not None and first in self._by_first:
            candidates = sorted(candidates + self._by_first[first])
        for index in candidates:
            block, pattern = self._blocks[index]
            bindings = _match(pattern, segments, self.v2)
            if bindings is not None:
                yield block, bindings

    # -- deciding ------------------------------------------------------------------------------
    def decide(self, request: Request, database: Database, trace: bool = False) -> Decision:
        if request.operation == "batch":
            return self._batch(request, database, trace)
        if request.operation in ("create", "update", "delete"):
            assert request.write is not None, "a write request carries its write (cases.py, testing/builtin.py)"
            after = apply_writes(database, [request.write], request.time)
            return self._write(request, request.write, database, after, SINGLE_DOC_LOOKUPS, trace)
        return self._read(request, database, trace)

    def _batch(self, request: Request, database: Database, trace: bool) -> Decision:
        after = apply_writes(database, request.writes, request.time)
        decisions = [self._write(request, w, database, after, MULTI_DOC_LOOKUPS, trace) for w in request.writes]
        return Decision(all(d.allowed for d in decisions) and bool(decisions), "batch",
                        f"{len(decisions)} writes", writes=decisions)

    def _write(self, request: Request, write: Write, before: Database, after: Database, limit: int,
               trace: bool) -> Decision:
        existing = before.get(write.path)
        new = written_document(write, existing, request.time)
        resource = resource_object(write.path, existing) if existing is not None else None
        req = self._request_map(request, write.operation, write.path)
        if new is not None:
            req["resource"] = resource_object(write.path, new)
        segments = list(ROOT) + write.path.split("/")
        return self._evaluate(write.operation, write.path, segments, req, resource,
                              DocumentAccess(before, after, limit), trace)

    def _read(self, request: Request, database: Database, trace: bool) -> Decision:
        req = self._request_map(request, request.operation, request.path)
        docs = DocumentAccess(database, database, SINGLE_DOC_LOOKUPS)
        if request.operation == "get":
            existing = database.get(request.path)
            resource = resource_object(request.path, existing) if existing is not None else None
            segments: list[object] = [*ROOT, *request.path.split("/")]   # str, or ANY_PREFIX/ANY_DOC below
            return self._evaluate("get", request.path, segments, req, resource, docs, trace)
        query = request.query
        req["query"] = {"limit": query.limit if query else None, "offset": None,
                        "orderBy": [f for f, _ in query.order_by] if query and query.order_by else None}
        parts = request.path.strip("/").split("/")
        named = _named_documents(query, parts)
        if named is not None:
            return self._named_list(request.path, named, query, req, database, docs, trace)
        if query and query.collection_group:
            segments = list(ROOT) + [ANY_PREFIX, parts[-1], ANY_DOC]
        else:
            segments = list(ROOT) + parts + [ANY_DOC]
        decisions = [self._evaluate("list", request.path, segments, req, resource, docs, trace)
                     for resource in query_resources(query, UNKNOWN)]
        denied = [d for d in decisions if not d.allowed]
        return denied[0] if denied else decisions[0]

    def _named_list(self, path: str, named: list[str], query: Any, req: dict, database: Database,
                    docs: DocumentAccess, trace: bool) -> Decision:
        """A list pinned to documents by `__name__` (`where(FieldPath.documentId(), '==', uid)`, or
        `in`): as the emulator does, each named document is decided with its wildcards bound and its
        stored data as `resource`; for one not stored, reading `resource` is an error (the emulator's
        "Variable read error"), while the bound wildcards still decide."""
        decisions = []
        for doc_path in named:
            existing = database.get(doc_path)
            resource = resource_object(doc_path, existing) if existing is not None else UNKNOWN
            segments = list(ROOT) + doc_path.split("/")
            decisions.append(self._evaluate("list", path, segments, req, resource, docs, trace))
        denied = [d for d in decisions if not d.allowed]
        return denied[0] if denied else decisions[0]

    def _request_map(self, request: Request, method: str, path: str) -> dict[str, Any]:
        auth = None
        if request.actor is not None:
            auth = {"uid": request.actor.uid, "token": request.actor.token()}
        return {"auth": auth, "method": method, "time": request.time,
                "path": RPath(ROOT + tuple(p for p in path.split("/") if p))}

    def _evaluate(self, method: str, path: str, segments: list, req: dict, resource: Any,
                  docs: DocumentAccess, trace: bool) -> Decision:
        decision = Decision(False, method, path)
        for block, bindings in self.matching(segments):
            decision.matches.append((self._paths[id(block)], block.line))
            for allow, operations in self._grants[id(block)]:
                if method not in operations:
                    continue
                result = self._try(allow, bindings, req, resource, docs, trace)
                decision.allows.append(result)
                if result.granted:
                    decision.allowed = True
                    if not trace:
                        return decision
        return decision

    def _try(self, allow: Allow, bindings: dict, req: dict, resource: Any, docs: DocumentAccess,
             trace: bool) -> AllowTrace:
        result = AllowTrace(allow.line, allow.methods, self._paths[id(allow.match)], False)
        condition = self._condition(allow)
        if condition is None:
            result.granted = True
            return result
        scope = {**bindings, "request": req, "resource": resource}
        scope["__globals__"] = scope
        evaluation = Evaluation(self._scope_functions, docs, trace)
        evaluation.scope_key = allow.match
        try:
            result.granted = evaluation.truth(condition, scope)
        except RulesError as exc:
            result.error = str(exc) or type(exc).__name__
        except RecursionError:
            result.error = "expression nested too deeply"
        if trace and evaluation.steps is not None:
            result.steps = evaluation.steps
            result.decisive = _decisive(evaluation.steps)
        return result

    def _condition(self, allow: Allow) -> Node | None:
        key = id(allow)
        if key not in self._conditions:
            self._conditions[key] = compile_expr(allow.condition) if allow.condition is not None else None
        return self._conditions[key]

    def _scope_functions(self, block: Match) -> dict[str, tuple]:
        key = id(block)
        if key not in self._functions:
            self._functions[key] = {name: (fn.params, tuple((n, compile_expr(e)) for n, e in fn.lets),
                                           compile_expr(fn.body)) for name, fn in block.scope().items()}
        return self._functions[key]


def _named_documents(query: Any, parts: list[str]) -> list[str] | None:
    """The document paths a query's `__name__ ==` / `in` filter pins it to, when all lie in the
    queried collection (or group); None when it names none (the symbolic list decision applies)."""
    for f in query.where if query else ():
        if f.field != "__name__" or f.op not in ("==", "in"):
            continue
        refs = f.value if f.op == "in" and isinstance(f.value, list) else [f.value]
        paths = []
        for ref in refs:
            segments = ref.segments if isinstance(ref, RPath) else ()
            inside = segments[:3] == ROOT and len(segments) >= 5 and len(segments) % 2 == 1 and (
                segments[-2] == parts[-1] if query.collection_group else list(segments[3:-1]) == parts)
            if not inside:
                return None
            paths.append("/".join(segments[3:]))
        return paths or None
    return None


def _check_nesting(ruleset: Ruleset) -> None:
    """Every expression of the file compiles on the platform (RulesSyntaxError where one would not)."""
    for block in ruleset.root.walk():
        for allow in block.allows:
            if allow.condition is not None:
                check_nesting(allow.condition)
        for fn in block.functions.values():
            for _, expr in fn.lets:
                check_nesting(expr)
            check_nesting(fn.body)


def _decisive(steps: list[Step]) -> Step | None:
    """The deepest-leftmost chain of the top-level value: follow a false/erroring `&&` operand, a
    true `||` operand, down to the first leaf-like expression that fixed the outcome."""
    if not steps:
        return None
    top = steps[0]
    chosen = top
    for step in steps[1:]:
        if step.depth == 0:
            break
        same_outcome = (step.error is not None) == (top.error is not None) and \
            (step.error is not None or step.value == top.value)
        if same_outcome and step.node.kind not in ("const",) and isinstance(step.value, (bool, type(None))):
            chosen = step
        if step.node.kind in ("cmp", "call") and same_outcome:
            return step
    return chosen


_ROOT_PATTERN = [("databases", None, False), ("", "database", False), ("documents", None, False)]


def _pattern(block: Match) -> list[tuple[str, str | None, bool]]:
    """Segments of a block's full path as (literal, capture name, recursive)."""
    out = []
    for seg in (p for p in block.full_path.split("/") if p):
        found = CAPTURE.match(seg)
        out.append(("", found.group(1), bool(found.group(2))) if found else (seg, None, False))
    return out


def _match(pattern: list, segments: list, v2: bool, bindings: dict | None = None) -> dict | None:
    """Bindings when `pattern` matches the whole of `segments` (which may hold ANY_DOC/ANY_PREFIX)."""
    bindings = {} if bindings is None else bindings
    if not pattern:
        return bindings if not segments else None
    (literal, name, recursive), rest = pattern[0], pattern[1:]
    if recursive:
        start = 0 if v2 else 1
        for take in range(start, len(segments) + 1):
            taken = segments[:take]
            if rest and any(s is ANY_PREFIX for s in segments[take:]):
                continue
            found = _match(rest, segments[take:], v2, dict(bindings))
            if found is not None:
                symbolic = any(s is ANY_PREFIX or s is ANY_DOC for s in taken)
                # PartialPath holds open segments as None (values.py), though the field it inherits says str
                open_segments = cast("tuple[str, ...]", tuple(s if isinstance(s, str) else None for s in taken))
                found[name] = PartialPath(open_segments) if symbolic else RPath(tuple(taken))
                return found
        return None
    if not segments or segments[0] is ANY_PREFIX:
        return None
    head = segments[0]
    if name is None:
        if head is ANY_DOC or head != literal:
            return None
    else:
        bindings[name] = UNKNOWN if head is ANY_DOC else head
    return _match(rest, segments[1:], v2, bindings)


__all__ = ["Decision", "RulesEngine", "RulesSyntaxError", "AllowTrace", "RulesError", "Timestamp"]
