"""Lark parse trees -> compact expression nodes the evaluator walks.

`a && b && c` arrives as a left-leaning tree as deep as the chain is long; it is flattened here,
without recursion, so a rules file with thousands of conjuncts never hits Python's recursion limit.
"""
from __future__ import annotations

import re
from typing import Any

from lark import Token, Tree

from launchready.rules.analysis.model import RulesSyntaxError, expression_parser
from launchready.rules.engine.values import RPath

SUBST = re.compile(r"\$\(((?:[^()]|\([^()]*\))*)\)")
CHAINS = {"and_": "and", "or_": "or"}


class Node:
    """One expression: `kind` plus operands in `args`; `line`/`col` point into the rules file."""

    __slots__ = ("kind", "args", "line", "col", "start", "end")

    def __init__(self, kind: str, args: tuple, line: int, col: int, start: int, end: int):
        self.kind, self.args, self.line, self.col, self.start, self.end = kind, args, line, col, start, end

    def __repr__(self) -> str:
        return f"Node({self.kind}@{self.line}:{self.col})"


def _pos(item: Tree | Token) -> tuple[int, int, int, int]:
    if isinstance(item, Token):
        return item.line or 0, item.column or 0, item.start_pos or 0, item.end_pos or 0
    meta = item.meta
    return (getattr(meta, "line", 0), getattr(meta, "column", 0), getattr(meta, "start_pos", 0),
            getattr(meta, "end_pos", 0))


# The emulator refuses to compile an expression nested 100 levels deep ("Expression is too complex to
# evaluate safely"), so such rules never deploy. Probed on the emulator: each `&&`/`||`, arithmetic,
# comparison, `!`/`-`, global function call, ternary and list literal adds a level (a leaf is 1), so 99
# chained `true`s compile and 100 do not; member access and constant indexes add none. Parentheses add
# one too, but the parse tree drops them: such a file is still accepted here (README, known differences).
MAX_NESTING = 99
_NESTS = frozenset({"and_", "or_", "arith", "comparison", "not_", "neg", "cond", "list"})


def nesting(tree: Tree | Token) -> tuple[int, Tree | Token]:
    """(depth of `tree` counted as the emulator does, the deepest leaf) — iteratively, for chains of
    any length."""
    depth: dict[int, tuple[int, Tree | Token]] = {}
    stack: list[tuple[Tree | Token, bool]] = [(tree, False)]
    while stack:
        node, expanded = stack.pop()
        children = [c for c in node.children if isinstance(c, Tree)] if isinstance(node, Tree) else []
        if children and not expanded:
            stack.append((node, True))
            stack.extend((c, False) for c in children)
            continue
        if not isinstance(node, Tree) or not children:
            depth[id(node)] = (1, node)   # a leaf: a name, a literal, a path
            continue
        below = max((depth[id(c)] for c in children), key=lambda d: d[0])
        adds = node.data in _NESTS or _global_call(node)
        depth[id(node)] = (below[0] + 1, below[1]) if adds else below
    return depth[id(tree)]


def _global_call(node: Tree) -> bool:
    return node.data == "call" and isinstance(node.children[0], Tree) and node.children[0].data == "var"


def check_nesting(tree: Tree | Token) -> None:
    """Raise RulesSyntaxError, at the deepest leaf, for an expression the emulator would not compile."""
    levels, leaf = nesting(tree)
    if levels > MAX_NESTING:
        raise RulesSyntaxError(f"expression is too complex to evaluate safely: nested {levels} levels deep "
                               f"(Firestore compiles at most {MAX_NESTING})", *_pos(leaf)[:2])


def compile_expr(tree: Tree | Token, offset: tuple[int, int, int] | None = None) -> Node:
    """Compile one condition. `offset` (line, col, pos) relocates sub-parsed `$(...)` expressions."""
    if isinstance(tree, Tree) and tree.data in CHAINS:
        return _chain(tree, offset)
    kind = tree.data if isinstance(tree, Tree) else "token"
    builder = _BUILDERS.get(kind)
    if builder is None:
        raise RulesSyntaxError(f"unsupported expression {kind!r}", *_pos(tree)[:2])
    line, col, start, end = _pos(tree)
    if offset:
        line, col, start, end = line + offset[0] - 1, col + (offset[1] - 1 if line == 1 else 0), \
            start + offset[2], end + offset[2]
    return Node(kind if kind not in _RENAME else _RENAME[kind], builder(tree, offset), line, col, start, end)  # type: ignore[arg-type]  # _BUILDERS maps each kind to a builder of that node type


def _chain(tree: Tree, offset) -> Node:
    """Flatten a left-leaning `&&`/`||` chain iteratively."""
    items, node = [], tree
    while isinstance(node, Tree) and node.data == tree.data:
        items.append(node.children[1])
        node = node.children[0]
    items.append(node)
    items.reverse()
    line, col, start, end = _pos(tree)
    if offset:
        line, col, start, end = line + offset[0] - 1, col, start + offset[2], end + offset[2]
    return Node(CHAINS[tree.data], tuple(compile_expr(i, offset) for i in items), line, col, start, end)


ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|.)")
SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}


def _literal_string(text: str) -> str:
    def one(found: re.Match) -> str:
        code = found.group(1)
        if code[0] in "ux" and len(code) > 1:
            return chr(int(code[1:], 16))
        return SIMPLE_ESCAPES.get(code, code)
    return ESCAPE.sub(one, text[1:-1])


def _number(text: str) -> int | float:
    return float(text) if any(c in text for c in ".eE") else int(text)


def _sub(tree: Tree, offset) -> tuple:
    return tuple(compile_expr(c, offset) for c in tree.children)


def _call(tree: Tree, offset) -> tuple:
    callee = compile_expr(tree.children[0], offset)
    args = tree.children[1].children if len(tree.children) > 1 else []
    return callee, tuple(compile_expr(a, offset) for a in args)


def _slice(tree: Tree, offset) -> tuple:
    base, *rest = tree.children
    lo = hi = None
    seen_range = False
    for item in rest:
        if isinstance(item, Token) and item.type == "RANGE":
            seen_range = True
        elif seen_range:
            hi = compile_expr(item, offset)
        else:
            lo = compile_expr(item, offset)
    return compile_expr(base, offset), lo, hi


def _path(tree: Tree, offset) -> tuple:
    """`/a/$(x)/b` -> segments, each a str or a compiled substitution."""
    token = tree.children[0]
    assert isinstance(token, Token)  # the grammar's path rule holds one PATH token
    text = str(token)
    parts: list[Any] = []
    pos = 0
    for found in SUBST.finditer(text):
        parts.append(text[pos:found.start()])
        inner = expression_parser().parse(found.group(1))
        where = ((token.line or 1), (token.column or 1) + found.start() + 2, (token.start_pos or 0) + found.start() + 2)
        parts.append(compile_expr(inner, where))
        pos = found.end()
    parts.append(text[pos:])
    return tuple(p for p in parts if not (isinstance(p, str) and not p))


def _cmp(tree: Tree, offset) -> tuple:
    left, op, right = tree.children
    op = str(op)
    if op == "is":
        type_token = right.children[0] if isinstance(right, Tree) and right.data == "var" else None
        if type_token is None:
            raise RulesSyntaxError("`is` needs a type name", *_pos(right)[:2])
        return op, compile_expr(left, offset), str(type_token)
    return op, compile_expr(left, offset), compile_expr(right, offset)


_BUILDERS = {
    "var": lambda t, o: (str(t.children[0]),),
    "string": lambda t, o: (_literal_string(str(t.children[0])),),
    "number": lambda t, o: (_number(str(t.children[0])),),
    "true": lambda t, o: (True,),
    "false": lambda t, o: (False,),
    "null": lambda t, o: (None,),
    "list": _sub,
    "map": lambda t, o: tuple((compile_expr(p.children[0], o), compile_expr(p.children[1], o)) for p in t.children),
    "path": _path,
    "attr": lambda t, o: (compile_expr(t.children[0], o), str(t.children[1])),
    "index": lambda t, o: (compile_expr(t.children[0], o), compile_expr(t.children[1], o)),
    "slice": _slice,
    "call": _call,
    "not_": _sub,
    "neg": _sub,
    "arith": lambda t, o: (str(t.children[1]), compile_expr(t.children[0], o), compile_expr(t.children[2], o)),
    "comparison": _cmp,
    "cond": _sub,
}
_RENAME = {"string": "const", "number": "const", "true": "const", "false": "const", "null": "const",
           "not_": "not", "neg": "neg", "comparison": "cmp"}


def constant_path(text: str) -> RPath:
    return RPath(tuple(p for p in text.split("/") if p))
