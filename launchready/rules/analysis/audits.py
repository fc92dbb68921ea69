"""The static audits of a ruleset. Each takes the parsed rules and returns line-accurate issues;
the `rules.static.*` checks turn them into findings."""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import cast

from lark import Tree

from launchready.billing_state import is_state_field
from launchready.rules.analysis.anonymous import anonymous_grants, recursive
from launchready.rules.analysis.expressions import (
    compares_to_auth_uid,
    constrains_identity,
    dotted,
    hardcoded_identities,
    inline,
    is_auth_present,
    is_literal,
    never_holds,
    reads_incoming_data,
    satisfied_by,
    subtrees,
    test_mode_date,
)
from launchready.rules.analysis.intent import NO_INTENT, Intent, normalise
from launchready.rules.analysis.model import CAPTURE, Allow, Match, Ruleset, Wildcard, node_line

OWNER_NAMES = re.compile(r"^(uid|userid|user_?id|user|owner|owner_?(id|uid)|account_?id|customer_?id|member_?id)$",
                         re.IGNORECASE)
OWNER_COLLECTIONS = frozenset({"users", "customers", "profiles", "accounts", "members", "people"})
# Collection names that hold someone's data: never treated as public content, whatever the rules say.
PRIVATE_NAMES = re.compile(r"(?i)user|customer|order|payment|invoice|message|chat|private|account|profile|member|"
                           r"subscri|billing|admin|secret|token|email|contact|ticket|request|booking|address")


@dataclass(frozen=True)
class Issue:
    line: int
    message: str
    expired: bool = False   # test mode only: the gate's date has passed (everything is denied)


Notes = list[Issue] | None   # where an audit says why it did NOT raise something (shown as evidence)
WRITES = frozenset({"create", "update", "delete"})


def _note(notes: Notes, allow: Allow, reason: str) -> None:
    if notes is not None:
        notes.append(Issue(allow.line, f"{_label(allow)}: not raised: {reason}"))


def _owner_only_subtree(allow: Allow, cond: Tree | None) -> bool:
    """A grant below an owner's document (`users/{uid}/notes/{id}`) that checks the owner: private data."""
    if any(w.recursive for w in allow.match.wildcards):
        return False   # {path=**} also matches the owner's document and backend-only subcollections
    return any(w.index < len(allow.match.document_segments) - 1 and compares_to_auth_uid(cond, w.name)
               for w in _owner_wildcards(allow.match))


def _public_content(rules: Ruleset, allow: Allow) -> bool:
    """A read-only grant on a collection that is nobody's own data and that no client may write."""
    segments = allow.match.document_segments
    if allow.operations & WRITES or _owner_wildcards(allow.match) or not segments:
        return False
    if PRIVATE_NAMES.search(segments[0]) or "{" in segments[0]:
        return False
    same = [a for a in rules.allows() if a.match.document_segments == segments]
    return not any(a.operations & WRITES and not never_holds(a.condition) for a in same)


def public_collections(rules: Ruleset) -> set[str]:
    """Top-level collections the rules make public read-only content (the judgement the audits use
    to leave `always_true`/`auth_only` unraised there)."""
    return {a.match.document_segments[0] for a in rules.allows() if _public_content(rules, a)}


def _grants(rules: Ruleset) -> Iterator[tuple[Allow, Tree | None]]:
    """Allow statements that can grant something, with their conditions inlined."""
    for allow in rules.allows():
        # inline() returns Tree | Token, but the grammar makes every expr a Tree, so a Tree inlines to a Tree
        condition = cast(Tree, inline(allow.condition, allow.match.scope())) if allow.condition is not None else None
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


def collection_id(match: Match) -> str | None:
    """The collection a statement's documents belong to (`posts/{p}/comments/{c}` -> comments); None for
    a recursive or wildcard collection, which no declaration can name."""
    segments = match.document_segments
    if len(segments) < 2 or any(recursive(s) for s in segments):
        return None
    return None if CAPTURE.match(segments[-2]) else segments[-2]


def document_fields(rules: Ruleset, collection: str) -> set[str]:
    """Fields the rules read or validate on the collection's documents (`resource.data.email`)."""
    found = set()
    for allow in rules.allows():
        if collection_id(allow.match) == collection and allow.condition is not None:
            for sub in subtrees(inline(allow.condition, allow.match.scope())):
                name = dotted(sub) or ""
                for prefix in ("request.resource.data.", "resource.data."):
                    if name.startswith(prefix):
                        found.add(name[len(prefix):].split(".")[0])
    return found


def _against_intent(rules: Ruleset, allow: Allow, operations: frozenset[str], intent: Intent, signed_in: bool,
                    notes: Notes) -> str | None:
    """None when the app declared this openness (noted); else the finding's closing words: why it is
    raised although declared, or how to stop it being raised."""
    collection = collection_id(allow.match)
    if collection is None or not intent.declared(collection, operations, signed_in):
        return f"restrict it, or declare it intended in {intent.source}"
    private = intent.sensitive(collection, document_fields(rules, collection)) if operations <= {"get", "list"} else []
    if private:
        return (f"declared public in {intent.source}, but {collection} documents hold "
                f"{', '.join(private)}: someone's private data")
    _note(notes, allow, f"declared intended in {intent.source} ({collection})")
    return None


def always_true(rules: Ruleset, notes: Notes = None, intent: Intent = NO_INTENT) -> list[Issue]:
    """Statements granted to a signed-out caller: no condition, `true`, or any condition the rules engine
    finds true for an anonymous request (`!isAuthenticated() || ...`); test-mode gates are test_mode's."""
    issues, anonymous = [], anonymous_grants(rules)
    for a, cond in _grants(rules):
        plain = satisfied_by(cond)
        if not plain and (a.line not in anonymous or any(test_mode_date(n) for n in subtrees(cond))):
            continue
        if _public_content(rules, a):
            _note(notes, a, "a public read-only collection (no client may write it, nobody's own data)")
            continue
        operations = a.operations if plain else frozenset(anonymous[a.line])
        verdict = _against_intent(rules, a, operations, intent, False, notes)
        if verdict is None:
            continue
        why = ("no condition" if a.condition is None else "the condition is always true") if plain else \
            f"the condition holds for a signed-out caller: {'/'.join(sorted(operations))}"
        issues.append(Issue(a.line, f"{_label(a)} is granted to everyone ({why}); {verdict}"))
    return issues


def test_mode(rules: Ruleset, today: date) -> list[Issue]:
    issues = []
    for allow, cond in _grants(rules):
        found = [(sub, test_mode_date(sub)) for sub in subtrees(cond)]
        gates = [(sub, when) for sub, when in found if when is not None]
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


def auth_only(rules: Ruleset, notes: Notes = None, intent: Intent = NO_INTENT) -> list[Issue]:
    issues = []
    for a, cond in _grants(rules):
        if not (a.match.wildcards and not satisfied_by(cond) and satisfied_by(cond, (is_auth_present,))):
            continue
        if _public_content(rules, a):
            _note(notes, a, "read-only shared content behind sign-in (e.g. anonymous auth), nobody's own data")
            continue
        verdict = _against_intent(rules, a, a.operations, intent, True, notes)
        if verdict is None:
            continue
        issues.append(Issue(a.line, f"{_label(a)} only checks `request.auth != null`: any signed-in user "
                                    f"(anyone can sign up) reaches every document this wildcard matches; {verdict}"))
    return issues


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


def write_validation(rules: Ruleset, notes: Notes = None, intent: Intent = NO_INTENT) -> list[Issue]:
    issues = []
    for a, cond in _grants(rules):
        if not a.operations & {"create", "update"} or reads_incoming_data(cond):
            continue
        collection = collection_id(a.match)
        if a.operations & {"create", "update"} == {"create"} and collection in intent.member_sink:
            _note(notes, a, f"a create declared intended in {intent.source} ({collection}): a write-only sink")
            continue
        if _owner_only_subtree(a, cond):
            _note(notes, a, "an owner-only private subtree: only its owner writes it (billing state on the "
                            "owner's document is judged by billing_self_grant)")
            continue
        issues.append(Issue(a.line, f"{_label(a)} grants {'/'.join(sorted(a.operations & {'create', 'update'}))} "
                                    "without validating request.resource.data: a client can write any field with "
                                    "any value"))
    return issues


_GET_FIELD = re.compile(r"documents/([\w-]+)/[^;]*?\)\)?\s*\.data\.(\w+)")


def state_fields(rules: Ruleset, source: str = "") -> dict[str, set[str]]:
    """Billing/entitlement/role fields the rules themselves read, per top-level collection: from
    `resource.data.X` in that collection's rules and `get(.../documents/C/...).data.X` anywhere."""
    found: dict[str, set[str]] = {}
    for allow in rules.allows():
        segments = allow.match.document_segments
        if not segments or "{" in segments[0] or allow.condition is None:
            continue
        for sub in subtrees(inline(allow.condition, allow.match.scope())):
            name = dotted(sub) or ""
            for prefix in ("request.resource.data.", "resource.data."):
                if name.startswith(prefix) and is_state_field(name[len(prefix):]):
                    found.setdefault(segments[0], set()).add(name[len(prefix):].split(".")[0])
    for collection, name in _GET_FIELD.findall(source or rules.source):
        if is_state_field(name):
            found.setdefault(collection, set()).add(name)
    return found


BILLING_COLLECTION = re.compile(r"(?i)subscription|payment|billing|stripe|premium|entitlement|purchase|invoice|"
                                r"credit|wallet")


def _billing_collection(match: Match) -> bool:
    """A collection that is billing state by name, or `customers/{uid}` keyed by its owner (the Stripe
    extension's and launchready's customer record)."""
    segments = match.document_segments
    return bool(BILLING_COLLECTION.search(segments[0])) or (
        segments[0].lower() == "customers" and bool(_owner_wildcards(match)))


def billing_self_grant(rules: Ruleset, backend: dict[str, set[str]] | None = None) -> list[Issue]:
    """A client create/update on billing state the condition never pins down: on a billing collection,
    or touching fields of a collection that the rules rely on or the payment backend writes (`backend`:
    collection -> field names)."""
    issues, state = [], state_fields(rules)
    for collection, names in (backend or {}).items():
        state.setdefault(collection, set()).update(names)
    for allow, cond in _grants(rules):
        segments = allow.match.document_segments
        if len(segments) != 2 or "{" in segments[0] or not allow.operations & {"create", "update"}:
            continue
        mentioned = {str(t).strip("'\"") for t in (cond.scan_values(lambda v: True) if cond is not None else [])}
        mentioned |= {(dotted(s) or "").rpartition(".")[2] for s in subtrees(cond)}
        if "hasOnly" in mentioned:
            continue
        if _billing_collection(allow.match):
            issues.append(Issue(allow.line, f"billing self-grant: {_label(allow)} lets a client write any field of "
                                            f"{segments[0]}, a billing record"))
            continue
        for name in sorted(state.get(segments[0], set()) - mentioned):
            why = "the payment backend writes it" if name in (backend or {}).get(segments[0], ()) else \
                "billing/entitlement state the rules rely on"
            issues.append(Issue(allow.line, f"billing self-grant: {_label(allow)} lets a client set "
                                            f"{segments[0]}.{name} ({why})"))
    return issues


IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
MAP_METHODS = frozenset({"diff", "keys", "values", "size", "get", "hasAll", "hasAny", "hasOnly", "toSet"})


def guarded_fields(rules: Ruleset) -> dict[str, int]:
    """Field names the rules test on documents (`resource.data.X`, `request.resource.data.X`, names in
    `hasOnly`/`hasAny` lists of write statements) -> the first line naming each."""
    found: dict[str, int] = {}
    for allow in rules.allows():
        cond = inline(allow.condition, allow.match.scope()) if allow.condition is not None else None
        for sub in subtrees(cond):
            name = dotted(sub) or ""
            for prefix in ("request.resource.data.", "resource.data."):
                field = name[len(prefix):].split(".")[0] if name.startswith(prefix) else ""
                if field and field not in MAP_METHODS:
                    found.setdefault(field, node_line(sub, allow.line))
            if allow.operations & WRITES and is_literal(sub, "string"):
                text = str(sub.children[0])[1:-1]
                if IDENTIFIER.match(text) and len(text) > 2:
                    found.setdefault(text, node_line(sub, allow.line))
    return found


def field_spelling(rules: Ruleset, stored: dict[str, set[str]]) -> list[Issue]:
    """A rule naming a field the app stores under another spelling (`verificationStatus` in the rules,
    `verification_status` in the app): the guard or gate never meets the real field. `stored`: each
    normalised name -> the spellings the app and its backend use."""
    issues = []
    for name, line in guarded_fields(rules).items():
        spellings = stored.get(normalise(name), set())
        if spellings and name not in spellings:
            used = ", ".join(f"`{s}`" for s in sorted(spellings))
            issues.append(Issue(line, f"the rules name `{name}` but the app stores {used}: the rule never "
                                      f"meets the real field, so a check on it guards nothing"))
    return sorted(issues, key=lambda i: i.line)
