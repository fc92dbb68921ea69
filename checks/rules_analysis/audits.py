"""The static audits of a ruleset. Each takes the parsed rules and returns line-accurate issues;
the `rules.static.*` checks turn them into findings."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Iterator

from lark import Tree

from launchready.checks.rules_analysis.expressions import (compares_to_auth_uid, constrains_identity, hardcoded_identities,
                                               inline, is_auth_present, never_holds, reads_incoming_data,
                                               satisfied_by, subtrees, test_mode_date)
from launchready.checks.rules_analysis.model import Allow, Match, Ruleset, Wildcard, node_line

OWNER_NAMES = re.compile(r"^(uid|userid|user_?id|user|owner|owner_?(id|uid)|account_?id|customer_?id|member_?id)$",
                         re.IGNORECASE)
OWNER_COLLECTIONS = frozenset({"users", "customers", "profiles", "accounts", "members", "people"})


@dataclass(frozen=True)
class Issue:
    line: int
    message: str
    expired: bool = False   # test mode only: the gate's date has passed (everything is denied)


def _grants(rules: Ruleset) -> Iterator[tuple[Allow, Tree | None]]:
    """Allow statements that can grant something, with their conditions inlined."""
    for allow in rules.allows():
        condition = inline(allow.condition, allow.match.scope()) if allow.condition is not None else None
        if not never_holds(condition):
            yield allow, condition


def _label(allow: Allow) -> str:
    return f"`allow {', '.join(allow.methods)}` on {'/'.join([''] + allow.match.document_segments) or '/'}"


def version(rules: Ruleset) -> list[Issue]:
    if rules.version is None:
        return [Issue(1, "no `rules_version = '2';` declaration: version 1 semantics apply "
                         "(recursive wildcards match differently, collection-group rules are unavailable)")]
    if rules.version != "2":
        return [Issue(rules.version_line or 1, f"rules_version is {rules.version!r}; use '2'")]
    return []


def always_true(rules: Ruleset) -> list[Issue]:
    return [Issue(a.line, f"{_label(a)} is granted to everyone "
                          f"({'no condition' if a.condition is None else 'the condition is always true'})")
            for a, cond in _grants(rules) if satisfied_by(cond)]


def test_mode(rules: Ruleset, today: date) -> list[Issue]:
    issues = []
    for allow, cond in _grants(rules):
        gates = [(sub, test_mode_date(sub)) for sub in subtrees(cond)]
        gates = [(sub, when) for sub, when in gates if when is not None]
        if not gates or not satisfied_by(cond, (lambda n: test_mode_date(n) is not None, is_auth_present)):
            continue
        for sub, when in gates:
            line = node_line(sub, allow.line)
            if when >= today:
                issues.append(Issue(line, f"test-mode rules: {_label(allow)} is open to everyone until {when}"))
            else:
                issues.append(Issue(line, f"expired test-mode rules (since {when}): {_label(allow)} now denies "
                                          "everything, so real rules were never written", expired=True))
    return issues


def recursive_wildcard_write(rules: Ruleset) -> list[Issue]:
    issues = []
    for allow, _ in _grants(rules):
        recursive = [w for w in allow.match.wildcards if w.recursive]
        writes = allow.operations & {"create", "update", "delete"}
        if recursive and writes:
            issues.append(Issue(allow.line, f"{_label(allow)} grants {'/'.join(sorted(writes))} on a recursive "
                                            f"wildcard {{{recursive[0].name}=**}}: every document below it, "
                                            "including collections added later, is writable"))
    return issues


def auth_only(rules: Ruleset) -> list[Issue]:
    return [Issue(a.line, f"{_label(a)} only checks `request.auth != null`: any signed-in user "
                          "(anyone can sign up) reaches every document this wildcard matches")
            for a, cond in _grants(rules)
            if a.match.wildcards and not satisfied_by(cond) and satisfied_by(cond, (is_auth_present,))]


def _owner_wildcards(match: Match) -> list[Wildcard]:
    return [w for w in match.wildcards
            if not w.recursive and (OWNER_NAMES.match(w.name) or (w.after or "").lower() in OWNER_COLLECTIONS)]


def owner_segment(rules: Ruleset) -> list[Issue]:
    issues = []
    for allow, cond in _grants(rules):
        # A claim check or a `resource.data.owner == request.auth.uid` stands in for the segment.
        if constrains_identity(cond, ignore=frozenset(w.name for w in allow.match.wildcards)):
            continue
        for w in _owner_wildcards(allow.match):
            if not compares_to_auth_uid(cond, w.name):
                issues.append(Issue(allow.line, f"{_label(allow)} never compares the owner segment {{{w.name}}} "
                                                "with request.auth.uid: one user can reach another user's data"))
    return issues


def hardcoded_uid(rules: Ruleset) -> list[Issue]:
    seen: dict[tuple[int, str], Issue] = {}
    expressions = [(a.condition, a.line) for a in rules.allows() if a.condition is not None]
    expressions += [(fn.body, fn.line) for m in rules.root.walk() for fn in m.functions.values()]
    expressions += [(expr, fn.line) for m in rules.root.walk() for fn in m.functions.values() for _, expr in fn.lets]
    for expr, line in expressions:
        for literal, value in hardcoded_identities(expr):
            at = node_line(literal, line)
            seen.setdefault((at, value), Issue(at, f"hard-coded identity {value!r} compared with the caller's "
                                                   "token: access follows one account forever"))
    return sorted(seen.values(), key=lambda i: i.line)


def delete_any_user(rules: Ruleset) -> list[Issue]:
    return [Issue(a.line, f"{_label(a)} grants delete without checking who the caller is "
                          "(no comparison with request.auth.uid or a custom claim)")
            for a, cond in _grants(rules) if "delete" in a.operations and not constrains_identity(cond)]


def read_instead_of_get(rules: Ruleset) -> list[Issue]:
    issues = []
    for allow, cond in _grants(rules):
        segments = allow.match.document_segments
        doc = allow.match.wildcards[-1] if allow.match.wildcards else None
        if ("read" in allow.methods and doc and not doc.recursive and doc.index == len(segments) - 1
                and compares_to_auth_uid(cond, doc.name)):
            issues.append(Issue(allow.line, f"{_label(allow)} checks one document ({{{doc.name}}} == "
                                            "request.auth.uid) but `read` also grants list queries: use `allow get`"))
    return issues


def write_validation(rules: Ruleset) -> list[Issue]:
    return [Issue(a.line, f"{_label(a)} grants {'/'.join(sorted(a.operations & {'create', 'update'}))} without "
                          "validating request.resource.data: a client can write any field with any value")
            for a, cond in _grants(rules)
            if a.operations & {"create", "update"} and not reads_incoming_data(cond)]
