"""The canonical access matrix: what it covers, and that the repo's rules satisfy every row."""
from __future__ import annotations

from launchready.checks.catalog.rules.behaviour import MatrixGroupCheck
from launchready.rules.testing.access_file import GROUP as APP_GROUP
from launchready.rules.testing.matrix import ACCESS_MATRIX, ANON, OTHER, OWNER, PROTECTED_FIELDS, SEED, run_matrix

PROTECTED = {"plan_status", "plan_id", "billing_provider_id", "stripe_subscription_id", "crm_contact_id",
             "support_tier", "last_event_at", "last_synced_at"}


def _rows(actor, operation, path):
    return [e for e in ACCESS_MATRIX if (e.actor, e.operation, e.path) == (actor, operation, path)]


def test_matrix_covers_the_issue_cases():
    expect = lambda actor, op, path: {e.expect for e in _rows(actor, op, path)}  # noqa: E731
    assert expect(OWNER, "get", "customers/alice") == {"allow"}
    assert expect(OTHER, "get", "customers/alice") == {"deny"}
    assert expect(ANON, "get", "customers/alice") == {"deny"}
    assert expect(OWNER, "list", "customers") == {"deny"}
    assert expect(OWNER, "get", "customers/alice/private/internal") == {"deny"}
    for collection in ("stripe_events", "sync_tasks"):
        writes = [e for e in ACCESS_MATRIX if e.path.startswith(collection) and e.operation in ("create", "update", "delete")]
        assert writes and {e.expect for e in writes} == {"deny"}


def test_every_protected_field_has_an_owner_update_denied_row():
    assert set(PROTECTED_FIELDS) == PROTECTED
    single = {next(iter(e.data)) for e in _rows(OWNER, "update", "customers/alice")
              if e.expect == "deny" and e.data and len(e.data) == 1}
    assert PROTECTED <= single
    # each attempted value differs from the seeded one, so the update really changes the field
    assert all(SEED["customers/alice"][name] != value for name, value in PROTECTED_FIELDS.items())


def test_every_seeded_collection_is_covered_and_every_group_has_a_check():
    collections = {path.split("/")[-2] for path in SEED}
    covered = {e.path.split("/")[-2] if e.operation != "list" else e.path.split("/")[-1] for e in ACCESS_MATRIX}
    assert collections <= covered
    assert {c.group for c in MatrixGroupCheck.__subclasses__()} == {e.group for e in ACCESS_MATRIX} | {APP_GROUP}


def test_repo_rules_satisfy_the_whole_matrix(rules_env):
    verdicts = run_matrix(rules_env)
    assert len(verdicts) == len(ACCESS_MATRIX)
    assert [v.describe() for v in verdicts if not v.ok] == []


def test_a_violation_names_actor_operation_path_and_outcome(rules_env):
    rules_env.load_rules("rules_version = '2';\nservice cloud.firestore {\n  match /databases/{database}/documents {\n"
                         "    match /customers/{uid} { allow get, update: if request.auth.uid == uid; }\n  }\n}\n")
    wrong = {v.describe() for v in run_matrix(rules_env) if not v.ok}
    assert ("owner (uid=alice) update customers/alice {plan_status: 'active'}: expected deny, was allowed"
            in wrong)
    assert "owner (uid=alice) get customers/alice: expected allow, was allowed" not in wrong
