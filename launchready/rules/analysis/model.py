"""Parse Firestore security rules into a small model: the declared version, nested match blocks
(with their full paths and wildcards), allow statements and functions, each with its line."""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedInput

GRAMMAR = Path(__file__).with_name("firestore_rules.lark")
CAPTURE = re.compile(r"^\{(\w+)(=\*\*)?\}$")
READ_METHODS = frozenset({"read", "get", "list"})
WRITE_METHODS = frozenset({"write", "create", "update", "delete"})
# What each granted method expands to.
EXPANDS = {"read": ("get", "list"), "write": ("create", "update", "delete")}


class RulesSyntaxError(ValueError):
    def __init__(self, message: str, line: int | None, column: int | None):
        super().__init__(message)
        self.line, self.column = line, column


@dataclass(frozen=True)
class Function:
    name: str
    params: tuple[str, ...]
    lets: tuple[tuple[str, Tree], ...]
    body: Tree
    line: int


@dataclass(frozen=True)
class Wildcard:
    name: str
    recursive: bool
    index: int          # position among the segments after /databases/{database}/documents
    after: str | None   # the literal segment before it (the collection id), if any


@dataclass(eq=False)
class Match:
    path: str
    line: int
    parent: Match | None = None
    functions: dict[str, Function] = field(default_factory=dict)
    allows: list[Allow] = field(default_factory=list)
    children: list[Match] = field(default_factory=list)

    @property
    def full_path(self) -> str:
        return (self.parent.full_path if self.parent else "") + self.path

    @property
    def document_segments(self) -> list[str]:
        """Segments below `/databases/{database}/documents` (all of them if that prefix is absent)."""
        parts = [p for p in self.full_path.split("/") if p]
        if len(parts) >= 3 and parts[0] == "databases" and parts[2] == "documents":
            return parts[3:]
        return parts

    @property
    def wildcards(self) -> list[Wildcard]:
        found = []
        segments = self.document_segments
        for i, seg in enumerate(segments):
            m = CAPTURE.match(seg)
            if m:
                before = segments[i - 1] if i and not CAPTURE.match(segments[i - 1]) else None
                found.append(Wildcard(m.group(1), bool(m.group(2)), i, before))
        return found

    def scope(self) -> dict[str, Function]:
        """Functions visible here: this block's, then its ancestors' (inner ones shadow outer)."""
        outer = self.parent.scope() if self.parent else {}
        return {**outer, **self.functions}

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass(frozen=True, eq=False)
class Allow:
    methods: tuple[str, ...]
    condition: Tree | None   # None: `allow read;` grants unconditionally
    line: int
    match: Match

    @property
    def operations(self) -> frozenset[str]:
        return frozenset(op for m in self.methods for op in EXPANDS.get(m, (m,)))


@dataclass
class Ruleset:
    version: str | None
    version_line: int | None
    root: Match   # the services' bodies hang off a synthetic root with an empty path
    source: str = ""

    def matches(self):
        yield from (m for m in self.root.walk() if m is not self.root)

    def allows(self):
        for m in self.root.walk():
            yield from m.allows

    def matches_for(self, path: str, operation: str) -> list[Match]:
        """Match blocks that apply to a document path (a collection path for `list`)."""
        segments: list[str | None] = [p for p in path.strip("/").split("/") if p]
        if operation == "list":
            segments.append(None)   # any document of the collection: only a wildcard matches it
        return [m for m in self.matches() if _path_matches(m.document_segments, segments)]

    def allows_for(self, path: str, operation: str) -> list[Allow]:
        """Allow statements that apply to `operation` on that path, in source order: where to
        look when a request was wrongly allowed."""
        return [a for m in self.matches_for(path, operation) for a in m.allows if operation in a.operations]


def _path_matches(pattern: list[str], segments: list[str | None]) -> bool:
    if not pattern:
        return not segments
    head, rest = pattern[0], pattern[1:]
    capture = CAPTURE.match(head)
    if capture and capture.group(2):   # {name=**}: zero or more segments (rules_version 2)
        return any(_path_matches(rest, segments[i:]) for i in range(len(segments) + 1))
    if not segments or (not capture and segments[0] != head):
        return False
    return _path_matches(rest, segments[1:])


_lock = threading.Lock()


@lru_cache(maxsize=1)
def _parser() -> Lark:
    # cache=True: lark keeps the built parser in the temp dir (keyed by a hash of grammar and options),
    # so a fresh process skips the ~0.1-0.3 s grammar compile that dominated the offline rules checks.
    return Lark(GRAMMAR.read_text(), parser="lalr", propagate_positions=True, maybe_placeholders=False, cache=True)


@lru_cache(maxsize=1)
def expression_parser() -> Lark:
    """The same grammar started at one expression: for `$(...)` substitutions inside path literals."""
    return Lark(GRAMMAR.read_text(), parser="lalr", propagate_positions=True, maybe_placeholders=False,
                start="expr", cache=True)


@lru_cache(maxsize=32)
def parse_rules(source: str) -> Ruleset:
    """Parse rules source; raises RulesSyntaxError with the line and column of the first error."""
    with _lock:
        try:
            tree = _parser().parse(source)
        except UnexpectedInput as exc:
            near = exc.get_context(source, span=30).splitlines()[0].strip()
            raise RulesSyntaxError(f"syntax error at line {exc.line}, column {exc.column} near {near!r}",
                                   exc.line, exc.column) from None
    version, version_line = None, None
    root = Match(path="", line=1)
    for node in tree.children:
        assert isinstance(node, Tree)   # the grammar's top level holds rules only, no bare tokens
        if node.data == "version":
            version, version_line = str(node.children[0])[1:-1], node.meta.line
        else:
            _fill(root, [c for c in node.children[1:] if isinstance(c, Tree)])
    return Ruleset(version, version_line, root, source)


def _fill(block: Match, items: list[Tree]) -> None:
    for item in items:
        if item.data == "match":
            child = Match(path=str(item.children[0]), line=item.meta.line, parent=block)
            block.children.append(child)
            _fill(child, item.children[1:])
        elif item.data == "allow":
            methods = tuple(str(t) for t in item.children[0].children)
            condition = item.children[1] if len(item.children) > 1 else None
            block.allows.append(Allow(methods, condition, item.meta.line, block))
        elif item.data == "function":
            fn = _function(item)
            block.functions[fn.name] = fn


def _function(node: Tree) -> Function:
    name, *rest = node.children
    params: tuple[str, ...] = ()
    if rest and isinstance(rest[0], Tree) and rest[0].data == "params":
        params = tuple(str(t) for t in rest.pop(0).children)
    lets = tuple((str(t.children[0]), t.children[1]) for t in rest[:-1])
    return Function(str(name), params, lets, rest[-1], node.meta.line)


def node_line(node: Tree | Token, default: int) -> int:
    if isinstance(node, Token):
        return node.line or default
    return getattr(node.meta, "line", None) or default
