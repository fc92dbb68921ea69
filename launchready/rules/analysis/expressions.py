"""Questions about rule conditions, asked of the parse tree (never of the text).

Conditions are first `inline`d: calls to functions the rules define are replaced by the
function's body with arguments substituted, so `isOwner(uid)` is judged by what it checks.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import date
from typing import TypeGuard

from lark import Token, Tree

from launchready.rules.analysis.model import Function

MAX_INLINE_DEPTH = 8
AUTH_UID = "request.auth.uid"
IDENTITY_PREFIXES = ("request.auth.uid", "request.auth.token")
# Token fields that name one person: comparing them with a literal hard-codes an account.
IDENTITY_FIELDS = frozenset({AUTH_UID, "request.auth.token.sub", "request.auth.token.user_id",
                             "request.auth.token.email", "request.auth.token.phone_number"})
Predicate = Callable[[Tree], bool]


def inline(node: Tree | Token, functions: Mapping[str, Function],
           bindings: Mapping[str, Tree | Token] | None = None, depth: int = 0) -> Tree | Token:
    """Replace user-function calls and their parameters/lets by the expressions they stand for."""
    bindings = bindings or {}
    if isinstance(node, Token):
        return node
    if node.data == "var" and str(node.children[0]) in bindings:
        return bindings[str(node.children[0])]
    if node.data == "call" and depth < MAX_INLINE_DEPTH:
        fn = _called_function(node, functions)
        if fn is not None:
            args = [inline(a, functions, bindings, depth) for a in _call_args(node)]
            if len(args) == len(fn.params):
                local = dict(zip(fn.params, args, strict=False))
                for name, expr in fn.lets:
                    local[name] = inline(expr, functions, local, depth + 1)
                return inline(fn.body, functions, local, depth + 1)
    children = [inline(c, functions, bindings, depth) if c is not None else None for c in node.children]
    return Tree(node.data, children, node.meta)


def _called_function(node: Tree, functions: Mapping[str, Function]) -> Function | None:
    callee = node.children[0]
    if isinstance(callee, Tree) and callee.data == "var":
        return functions.get(str(callee.children[0]))
    return None


def _call_args(node: Tree) -> list[Tree]:
    if len(node.children) > 1 and isinstance(node.children[1], Tree) and node.children[1].data == "args":
        return list(node.children[1].children)
    return []


def subtrees(node: Tree | Token | None) -> Iterator[Tree]:
    if isinstance(node, Tree):
        yield from node.iter_subtrees_topdown()


def dotted(node: Tree | Token | None) -> str | None:
    """`request.auth.uid` for the tree of that member chain; None for anything else."""
    if not isinstance(node, Tree):
        return None
    if node.data == "var":
        return str(node.children[0])
    if node.data == "attr":
        base = dotted(node.children[0])
        return f"{base}.{node.children[1]}" if base else None
    return None


def comparison(node: Tree) -> tuple[Tree, str, Tree] | None:
    if isinstance(node, Tree) and node.data == "comparison":
        left, op, right = node.children
        return left, str(op), right
    return None


def is_literal(node: Tree | Token | None, kind: str) -> TypeGuard[Tree]:
    return isinstance(node, Tree) and node.data == kind


def is_auth_present(node: Tree) -> bool:
    """`request.auth != null` (either way round, or on `.uid`)."""
    cmp = comparison(node)
    if not cmp or cmp[1] != "!=":
        return False
    left, _, right = cmp
    sides = {dotted(left), dotted(right)}
    return bool(sides & {"request.auth", AUTH_UID}) and (is_literal(left, "null") or is_literal(right, "null"))


def test_mode_date(node: Tree) -> date | None:
    """The date of a test-mode gate `request.time < timestamp.date(Y, M, D)` (or mirrored)."""
    cmp = comparison(node)
    if not cmp:
        return None
    left, op, right = cmp
    if op in (">", ">="):
        left, right, op = right, left, "<"
    if op not in ("<", "<=") or dotted(left) != "request.time":
        return None
    if not (isinstance(right, Tree) and right.data == "call" and dotted(right.children[0]) == "timestamp.date"):
        return None
    numbers = [a for a in _call_args(right) if is_literal(a, "number")]
    if len(numbers) != 3:
        return None
    try:
        return date(*(int(str(n.children[0])) for n in numbers))
    except ValueError:
        return None


def satisfied_by(node: Tree | None, atoms: tuple[Predicate, ...] = ()) -> bool:
    """Whether the condition holds whenever every atom holds: i.e. it checks nothing else.

    `None` (no condition) and `true` always hold; `a && b` needs both, `a || b` either."""
    if node is None or is_literal(node, "true"):
        return True
    if is_literal(node, "and_"):
        return all(satisfied_by(c, atoms) for c in node.children)
    if is_literal(node, "or_"):
        return any(satisfied_by(c, atoms) for c in node.children)
    return any(atom(node) for atom in atoms)


def never_holds(node: Tree | None) -> bool:
    """`false`, or a conjunction with a `false` in it: the statement grants nothing."""
    if is_literal(node, "false"):
        return True
    if is_literal(node, "and_"):
        return any(never_holds(c) for c in node.children)
    if is_literal(node, "or_"):
        return all(never_holds(c) for c in node.children)
    return False


def compares_to_auth_uid(node: Tree | None, name: str) -> bool:
    """Whether the wildcard variable `name` is compared for equality with `request.auth.uid`."""
    for sub in subtrees(node):
        cmp = comparison(sub)
        if cmp and cmp[1] == "==":
            sides = {dotted(cmp[0]), dotted(cmp[2])}
            if sides == {AUTH_UID, name}:
                return True
    return False


def constrains_identity(node: Tree | None, ignore: frozenset[str] = frozenset()) -> bool:
    """Whether the caller's identity is compared with something (beyond a null check), not
    counting comparisons with the variables in `ignore`."""
    for sub in subtrees(node):
        cmp = comparison(sub)
        if cmp and cmp[1] in ("==", "in") and not is_auth_present(sub):
            names = (dotted(cmp[0]) or "", dotted(cmp[2]) or "")
            if any(n.startswith(IDENTITY_PREFIXES) for n in names) and not set(names) & ignore:
                return True
        if sub.data == "path" and "request.auth" in str(sub.children[0]):
            return True   # get(/.../$(request.auth.uid)) looks the caller up
    return False


def reads_incoming_data(node: Tree | None) -> bool:
    """Whether the condition looks at the written document (`request.resource`)."""
    return any((dotted(sub) or "").startswith("request.resource") for sub in subtrees(node))


def hardcoded_identities(node: Tree | None) -> Iterator[tuple[Tree, str]]:
    """String literals compared with the caller's uid/token (`request.auth.uid == 'abc'`)."""
    for sub in subtrees(node):
        cmp = comparison(sub)
        if not cmp or cmp[1] not in ("==", "!=", "in"):
            continue
        left, _, right = cmp
        if dotted(left) not in IDENTITY_FIELDS:
            left, right = right, left
        if dotted(left) not in IDENTITY_FIELDS:
            continue
        literals = [right] if is_literal(right, "string") else (
            [c for c in right.children if is_literal(c, "string")] if is_literal(right, "list") else [])
        for lit in literals:
            yield lit, str(lit.children[0])[1:-1]
