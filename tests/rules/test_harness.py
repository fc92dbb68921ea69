"""The rules-testing harness: contexts, operations, assertions, seeding — each test on the built-in
engine and on a real emulator, so both environments keep one behaviour."""
from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

import pytest

from launchready.rules.testing import (
    RulesAssertionError,
    RulesCompileError,
    RulesHarnessError,
    RulesTestEnvironment,
    assert_allowed,
    assert_denied,
    unsigned_id_token,
)


@pytest.fixture(params=["builtin", "emulator"])
def rules_engine(request):
    return request.param


OPEN_NOTES = """rules_version = '2';
service cloud.firestore {
  match /databases/{database}/documents {
    match /notes/{id} {
      allow get: if request.auth.token.role == 'support';
      allow list: if resource.data.owner == request.auth.uid;
      allow create: if request.auth != null && request.resource.data.owner == request.auth.uid;
      allow update, delete: if resource.data.owner == request.auth.uid;
    }
    match /{path=**}/comments/{id} {
      allow list: if request.auth != null;
    }
  }
}
"""


def test_owner_reads_own_customer_and_gets_the_stored_values(rules_env):
    stamp = datetime(2026, 5, 1, 12, 30, tzinfo=UTC)
    rules_env.seed({"customers/alice": {"plan_status": "active", "last_event_at": stamp, "seats": 3}})
    data = assert_allowed(rules_env.authenticated("alice").get("customers/alice"))
    assert data == {"plan_status": "active", "last_event_at": stamp, "seats": 3}
    assert_denied(rules_env.authenticated("bob").get("customers/alice"))
    assert_denied(rules_env.unauthenticated().get("customers/alice"))


def test_failed_assertions_name_actor_operation_and_path(rules_env):
    rules_env.seed({"customers/alice": {"plan_status": "active"}})
    with pytest.raises(RulesAssertionError, match=r"expected allow: uid=bob get customers/alice was denied"):
        assert_allowed(rules_env.authenticated("bob").get("customers/alice"))
    with pytest.raises(RulesAssertionError, match=r"expected deny: uid=alice get customers/alice was allowed"):
        assert_denied(rules_env.authenticated("alice").get("customers/alice"))


def test_owner_profile_update_is_allowed_but_billing_field_is_denied(rules_env):
    rules_env.seed({"customers/alice": {"plan_status": "trialing", "display_name": "A"}})
    alice = rules_env.authenticated("alice")
    assert_allowed(alice.update("customers/alice", {"display_name": "Alice"}))
    assert_denied(alice.update("customers/alice", {"plan_status": "active"}))
    stored = assert_allowed(rules_env.admin().get("customers/alice"))
    assert stored == {"plan_status": "trialing", "display_name": "Alice"}


def test_custom_claims_reach_request_auth_token(rules_env):
    rules_env.load_rules(OPEN_NOTES)
    rules_env.seed({"notes/n1": {"owner": "alice"}})
    assert_allowed(rules_env.authenticated("sam", {"role": "support"}).get("notes/n1"))
    assert_denied(rules_env.authenticated("sam", {"role": "sales"}).get("notes/n1"))
    assert_denied(rules_env.authenticated("sam").get("notes/n1"))


def test_list_queries_must_carry_the_rule_as_a_filter(rules_env):
    rules_env.load_rules(OPEN_NOTES)
    rules_env.seed({"notes/n1": {"owner": "alice"}, "notes/n2": {"owner": "bob"}})
    alice = rules_env.authenticated("alice")
    mine = assert_allowed(alice.list("notes", where=[("owner", "==", "alice")]))
    assert mine == {"notes/n1": {"owner": "alice"}}
    assert_denied(alice.list("notes"))   # rules are not filters


def test_collection_group_query(rules_env):
    rules_env.load_rules(OPEN_NOTES)
    rules_env.seed({"notes/n1/comments/c1": {"text": "a"}, "notes/n2/comments/c2": {"text": "b"}})
    found = assert_allowed(rules_env.authenticated("alice").list("comments", collection_group=True))
    assert set(found) == {"notes/n1/comments/c1", "notes/n2/comments/c2"}
    assert_denied(rules_env.unauthenticated().list("comments", collection_group=True))


def test_create_update_delete_and_non_permission_failures(rules_env):
    rules_env.load_rules(OPEN_NOTES)
    alice = rules_env.authenticated("alice")
    assert_allowed(alice.create("notes/n1", {"owner": "alice", "text": "hi"}))
    assert_denied(alice.create("notes/n2", {"owner": "bob"}))
    again = alice.create("notes/n1", {"owner": "alice"})
    assert not again.allowed and not again.denied and again.status_code == 409
    with pytest.raises(RulesAssertionError, match="failed with 409 ALREADY_EXISTS"):
        assert_denied(again)
    assert_allowed(alice.update("notes/n1", {"text": "edited"}))
    assert_denied(rules_env.authenticated("bob").delete("notes/n1"))
    assert_allowed(alice.delete("notes/n1"))
    assert rules_env.admin().get("notes/n1").status_code == 404


def test_set_replaces_the_whole_document(rules_env):
    rules_env.load_rules(OPEN_NOTES)
    rules_env.seed({"notes/n1": {"owner": "alice", "text": "old", "tags": ["a"]}})
    assert_allowed(rules_env.authenticated("alice").set("notes/n1", {"owner": "alice"}))
    assert assert_allowed(rules_env.admin().get("notes/n1")) == {"owner": "alice"}


def test_admin_context_bypasses_rules_and_values_round_trip(rules_env):
    doc = {"n": None, "b": True, "i": -7, "f": 1.5, "s": "x", "raw": b"\x00\xff",
           "when": datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC), "list": [1, "two", {"three": 3}],
           "map": {"nested": {"deep": False}}}
    rules_env.seed({"customers/alice/private/internal": doc})
    assert_denied(rules_env.authenticated("alice").get("customers/alice/private/internal"))
    assert assert_allowed(rules_env.admin().get("customers/alice/private/internal")) == doc


def test_rules_that_do_not_compile_are_rejected_with_the_line(rules_env):
    with pytest.raises(RulesCompileError, match=r"L3:"):
        rules_env.load_rules("rules_version = '2';\nservice cloud.firestore {\n  match /x { allow read: if ( }\n}\n")


def test_paths_are_validated_before_any_request(rules_env):
    alice = rules_env.authenticated("alice")
    with pytest.raises(ValueError, match="not a document path"):
        alice.get("customers")
    with pytest.raises(ValueError, match="not a collection path"):
        alice.list("customers/alice")
    with pytest.raises(ValueError, match="unknown query operator"):
        alice.list("customers", where=[("a", "~", 1)])


def test_environment_must_be_started():
    with pytest.raises(RulesHarnessError, match="not started"):
        RulesTestEnvironment().authenticated("alice")


def test_unsigned_token_carries_uid_and_claims():
    header, payload, signature = unsigned_id_token("demo-test", "alice", {"admin": True}).split(".")
    decode = lambda part: json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))  # noqa: E731
    assert decode(header)["alg"] == "none" and signature == ""
    claims = decode(payload)
    assert (claims["sub"], claims["user_id"], claims["aud"], claims["admin"]) == ("alice", "alice", "demo-test", True)
    with pytest.raises(ValueError, match="may not override"):
        unsigned_id_token("demo-test", "alice", {"sub": "mallory"})


def test_rules_that_fail_to_load_at_start_leave_no_emulator_running(tmp_path):
    """A `with RulesTestEnvironment(bad)` whose start fails must stop the emulator it started."""
    from launchready.runtime.processes import port_open

    env = RulesTestEnvironment("rules_version = '2';\nservice cloud.firestore { match /x { allow read: if ; } }\n",
                               log_dir=tmp_path)
    with pytest.raises(RulesCompileError):
        with env:
            pass
    [log] = tmp_path.glob("firestore-emulator-*.log")  # the emulator did start, on this port
    port = int(log.stem.rsplit("-", 1)[1])
    assert env.emulator is None
    assert not port_open(port), "the emulator is still serving after the failed start"
