"""Offline rules coverage: which allow statements and sub-expressions a set of requests (the access
matrix, a case file) never exercised — the emulator's coverage report, without the emulator."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from launchready.rules.engine.compiler import Node
from launchready.rules.engine.engine import Decision, RulesEngine

# Sub-expressions worth reporting: the ones that decide something, not every literal and name.
DECIDING_KINDS = frozenset({"cmp", "call", "and", "or", "not", "cond"})


@dataclass
class StatementCoverage:
    line: int
    methods: tuple[str, ...]
    match_path: str
    tried: int = 0
    granted: int = 0


@dataclass
class Coverage:
    engine: RulesEngine
    statements: dict[tuple[str, int], StatementCoverage] = field(default_factory=dict)
    seen: set[tuple[int, int]] = field(default_factory=set)

    def __post_init__(self) -> None:
        for allow in self.engine.ruleset.allows():
            key = (allow.match.full_path, allow.line)
            self.statements[key] = StatementCoverage(allow.line, allow.methods, allow.match.full_path)

    def record(self, decision: Decision) -> None:
        """Count one traced decision (batches count each write)."""
        for write in decision.writes:
            self.record(write)
        for tried in decision.allows:
            stats = self.statements.get((tried.match_path, tried.line))
            if stats is not None:
                stats.tried += 1
                stats.granted += tried.granted
            self.seen.update((s.node.start, s.node.end) for s in tried.steps)

    def unexercised(self) -> list[Node]:
        """Deciding sub-expressions (of conditions and functions) no recorded request evaluated."""
        missing = {(n.start, n.end): n for n in self._all_nodes() if (n.start, n.end) not in self.seen}
        return sorted(missing.values(), key=lambda n: (n.line, n.col))

    def _all_nodes(self) -> Iterator[Node]:
        roots: list[Any] = [self.engine._condition(a) for a in self.engine.ruleset.allows()]
        for block in [self.engine.ruleset.root, *self.engine.ruleset.matches()]:
            for _params, lets, body in self.engine._scope_functions(block).values():
                roots += [body, *(expr for _, expr in lets)]
        stack = [r for r in roots if r is not None]
        seen_ids: set[int] = set()
        while stack:
            node = stack.pop()
            if id(node) in seen_ids:
                continue
            seen_ids.add(id(node))
            if node.kind in DECIDING_KINDS:
                yield node
            stack += _children(node)

    def to_json(self) -> dict[str, Any]:
        statements = sorted(self.statements.values(), key=lambda s: s.line)
        source, name = self.engine.source, self.engine.filename
        return {
            "rules": name,
            "statements": [{"line": s.line, "methods": list(s.methods), "match": s.match_path, "tried": s.tried,
                            "granted": s.granted} for s in statements],
            "never_tried": [f"{name}:{s.line}" for s in statements if not s.tried],
            "never_granted": [f"{name}:{s.line}" for s in statements if s.tried and not s.granted],
            "unexercised_expressions": [{"at": f"{name}:{n.line}:{n.col}",
                                         "text": " ".join(source[n.start:n.end].split())[:120]}
                                        for n in self.unexercised()],
        }

    def lines(self) -> list[str]:
        report = self.to_json()
        total = len(report["statements"])
        out = [f"{self.engine.filename}: {total - len(report['never_tried'])}/{total} allow statements tried, "
               f"{sum(1 for s in report['statements'] if s['granted'])}/{total} granted at least once"]
        out += [f"  never tried:   {where}" for where in report["never_tried"]]
        out += [f"  never granted: {where}" for where in report["never_granted"]]
        out += [f"  never evaluated: {e['at']} {e['text']}" for e in report["unexercised_expressions"]]
        return out


def _children(node: Node) -> Iterator[Node]:
    for arg in node.args:
        if isinstance(arg, Node):
            yield arg
        elif isinstance(arg, tuple):
            for item in arg:
                if isinstance(item, Node):
                    yield item
                elif isinstance(item, tuple):
                    yield from (x for x in item if isinstance(x, Node))
