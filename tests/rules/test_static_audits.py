"""The lark grammar and the static audits, on rules sources (no emulator)."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from launchready.rules.analysis import audits
from launchready.rules.analysis.model import RulesSyntaxError, parse_rules

REPO_RULES = Path(__file__).resolve().parents[2] / "firestore.rules"
TODAY = date(2026, 11, 27)
ALL = [audits.version, audits.always_true, audits.recursive_wildcard_write, audits.auth_only,
       audits.owner_segment, audits.hardcoded_uid, audits.delete_any_user, audits.read_instead_of_get,
       audits.write_validation]


def rules(body: str, version: str = "rules_version = '2';\n") -> str:
    return f"{version}service cloud.firestore {{\n  match /databases/{{database}}/documents {{\n{body}\n  }}\n}}\n"


def lines(audit, source: str) -> list[int]:
    return [i.line for i in audit(parse_rules(source))]


def test_repo_rules_pass_every_audit():
    parsed = parse_rules(REPO_RULES.read_text())
    assert {a.__name__: a(parsed) for a in ALL if a(parsed)} == {}
    assert audits.test_mode(parsed, TODAY) == []


def test_grammar_handles_the_whole_language():
    source = rules("""    function owns(doc) { let data = doc.data; return data.owner == request.auth.uid; }
    match /users/{userId}/{rest=**} {
      allow get: if exists(/databases/$(database)/documents/admins/$(request.auth.uid))
                 || (owns(resource) ? request.time > resource.data.at + duration.value(1, 'h') : false);
      allow create: if request.resource.data.tags[0:2] == ["a", 'b'] && -1 < 2 % 3 * 4 / 5
                    && request.resource.data.size() is int && {"k": 1}.k in [1] && !false;  /* ok */
    }""")
    parsed = parse_rules(source)
    assert [m.line for m in parsed.matches()] == [3, 5]
    assert [(a.methods, a.line) for a in parsed.allows()] == [(("get",), 6), (("create",), 8)]


def test_syntax_error_reports_line_and_column():
    with pytest.raises(RulesSyntaxError) as err:
        parse_rules(rules("    match /a/{b} {\n      allow read: if request.auth != ;\n    }"))
    assert (err.value.line, err.value.column) == (5, 38)


def test_missing_or_old_version():
    assert lines(audits.version, rules("", version="")) == [1]
    assert lines(audits.version, rules("", version="\n\nrules_version = '1';\n")) == [3]


def test_unconditional_grants():
    source = rules("    match /orders/{id} {\n      allow read;\n      allow get: if true || request.auth.uid == id;\n"
                   "      allow list: if false || true;\n      allow write: if false;\n    }")
    assert lines(audits.always_true, source) == [5, 6, 7]


def test_test_mode_open_and_expired():
    source = rules("    match /{document=**} {\n      allow read, write: if\n"
                   "        request.time < timestamp.date(2030, 1, 1);\n    }\n"
                   "    match /old/{id} {\n      allow read: if request.auth != null && timestamp.date(2020, 1, 1) > request.time;\n    }")
    found = audits.test_mode(parse_rules(source), TODAY)
    assert [(i.line, i.expired) for i in found] == [(6, False), (9, True)]
    gated = rules("    match /a/{id} {\n      allow read: if request.time < timestamp.date(2030, 1, 1) "
                  "&& request.auth.uid == id;\n    }")
    assert audits.test_mode(parse_rules(gated), TODAY) == []


def test_recursive_wildcard_write_but_not_read_or_false():
    source = rules("    match /a/{x=**} {\n      allow read: if request.auth != null;\n      allow write: if false;\n"
                   "    }\n    match /b/{id} {\n      match /{sub=**} {\n        allow delete: if request.auth.uid == id;\n"
                   "      }\n    }")
    assert lines(audits.recursive_wildcard_write, source) == [10]


def test_auth_only_follows_functions_and_ignores_real_checks():
    source = rules("    function signedIn() { return request.auth != null; }\n"
                   "    match /messages/{id} {\n      allow get: if signedIn();\n"
                   "      allow list: if signedIn() && resource.data.public == true;\n    }\n"
                   "    match /fixed {\n      allow get: if null != request.auth;\n    }")
    assert lines(audits.auth_only, source) == [6]


def test_owner_segment_must_be_compared_with_the_caller():
    source = rules("    function isOwner(u) { return request.auth.uid == u; }\n"
                   "    match /users/{userId}/posts/{postId} {\n"
                   "      allow get: if isOwner(userId);\n"
                   "      allow update: if request.auth.uid == postId && request.resource.data.x is string;\n"
                   "      allow list: if request.auth.token.admin == true;\n"
                   "      allow delete: if resource.data.author == request.auth.uid;\n"
                   "    }\n    match /orders/{uid} {\n      allow get: if request.auth != null;\n    }")
    assert lines(audits.owner_segment, source) == [7, 12]


def test_hardcoded_identities_are_found_once_at_their_line():
    source = rules("    function isAdmin() {\n      return request.auth.uid in ['u1',\n        'u2']\n"
                   "        || request.auth.token.email == 'boss@acme.com';\n    }\n"
                   "    match /a/{id} {\n      allow get: if isAdmin() || request.auth.token.firebase.sign_in_provider == 'password';\n"
                   "      allow list: if isAdmin();\n    }")
    assert [(i.line, i.message.split("'")[1]) for i in audits.hardcoded_uid(parse_rules(source))] == \
        [(5, "u1"), (6, "u2"), (7, "boss@acme.com")]


def test_delete_needs_an_identity_check():
    source = rules("    match /a/{id} {\n      allow delete: if request.auth != null && resource.data.open == true;\n"
                   "      allow write: if request.auth.uid == id && request.resource.data.x is string;\n"
                   "      allow update: if request.auth != null && request.resource.data.x is string;\n    }")
    assert lines(audits.delete_any_user, source) == [5]


def test_read_where_get_is_meant():
    source = rules("    match /users/{uid} {\n      allow read: if request.auth.uid == uid;\n"
                   "      match /feed/{item} {\n        allow read: if request.auth.uid == uid;\n      }\n    }")
    assert lines(audits.read_instead_of_get, source) == [5]


def test_writes_without_field_validation():
    source = rules("    match /a/{id} {\n      allow create: if request.auth.uid == id;\n"
                   "      allow update: if request.auth.uid == id && request.resource.data.keys().hasOnly(['x']);\n"
                   "      allow delete: if request.auth.uid == id;\n    }")
    assert lines(audits.write_validation, source) == [5]


def test_matches_and_allows_for_a_path():
    parsed = parse_rules(REPO_RULES.read_text())
    assert [a.methods for a in parsed.allows_for("customers/alice", "get")] == [("get",)]
    assert parsed.allows_for("customers", "list") == []
    assert [m.path for m in parsed.matches_for("customers/alice/private/internal", "delete")] == ["/private/{doc}"]


def test_billing_self_grant_names_the_field_or_the_billing_record():
    source = rules("    match /users/{uid} {\n      allow update: if request.auth.uid == uid;\n"
                   "      allow create: if request.auth.uid == uid\n"
                   "        && request.resource.data.keys().hasOnly(['name']);\n    }\n"
                   "    match /courses/{id} {\n"
                   "      allow read: if get(/databases/$(database)/documents/users/$(request.auth.uid)).data.planId != null;\n"
                   "    }\n"
                   "    match /subscriptions/{uid} {\n      allow create: if request.auth.uid == uid;\n    }\n"
                   "    match /notes/{id} {\n      allow update: if request.auth.uid == resource.data.owner;\n    }")
    found = audits.billing_self_grant(parse_rules(source))
    assert [(i.line, i.message.split(": ", 1)[1]) for i in found] == [
        (5, "`allow update` on /users/{uid} lets a client set users.planId (billing/entitlement state the rules rely on)"),
        (13, "`allow create` on /subscriptions/{uid} lets a client write any field of subscriptions, a billing record")]
    backend = audits.billing_self_grant(parse_rules(source), {"notes": {"unlockedAt"}})
    assert (16, "`allow update` on /notes/{id} lets a client set notes.unlockedAt (the payment backend writes it)") in \
        [(i.line, i.message.split(": ", 1)[1]) for i in backend]
