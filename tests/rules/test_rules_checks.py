"""rules.* checks end to end (the offline suite, private emulator per run): the repo's rules pass,
each deliberately insecure file fails the right checks at the right lines."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from launchready.checks.framework import Status
from launchready.project import Project
from tests.rules.conftest import INSECURE

# file -> {check id: lines of its findings}; every other rules.* check must not fail.
EXPECTED = {
    "signed_in_reads_any_customer.rules": {
        "rules.static.auth_only": {11}, "rules.static.owner_segment": {11},
        "rules.behaviour.customer_read": {11},
        "rules.behaviour.app": {10},     # the owner can no longer edit their profile
    },
    "owner_writes_plan_status.rules": {
        "rules.static.write_validation": {8}, "rules.static.billing_self_grant": {8},
        "rules.behaviour.protected_fields": {8}, "rules.behaviour.app": {8},
    },
    "test_mode_open.rules": {
        "rules.static.test_mode": {7}, "rules.static.recursive_wildcard_write": {7},
        "rules.static.delete_any_user": {7}, "rules.static.write_validation": {7},
        **{f"rules.behaviour.{g}": {7} for g in ("customer_read", "protected_fields", "app",
                                                  "backend_only", "default_deny")},
    },
    "recursive_wildcard_write.rules": {
        "rules.static.recursive_wildcard_write": {10}, "rules.static.write_validation": {10},
        "rules.behaviour.protected_fields": {10}, "rules.behaviour.app": {10},
        "rules.behaviour.backend_only": {10}, "rules.behaviour.default_deny": {10},
    },
}


@pytest.fixture(scope="module")
def insecure_results(repo_root):
    """rules.* results per insecure file, computed once per worker (each run starts an emulator)."""
    from tests.rules.conftest import run_checks

    cache = {}
    return lambda name: cache.setdefault(name, run_checks(repo_root, INSECURE / name))


def _failing(results):
    return {cid: r for cid, r in results.items() if r.status is not Status.PASS}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_insecure_rules_fail_the_right_checks_at_the_right_lines(name, insecure_results):
    results = insecure_results(name)
    failing = _failing(results)
    assert set(failing) == set(EXPECTED[name]), {c: r.message for c, r in failing.items()}
    for check_id, want in EXPECTED[name].items():
        result = failing[check_id]
        assert result.status is Status.FAIL
        assert {f.line for f in result.findings} == want, (check_id, [f.message for f in result.findings])
        assert all(f.path.endswith(name) for f in result.findings)


def test_protected_field_findings_name_actor_operation_path_and_outcome(insecure_results):
    result = insecure_results("owner_writes_plan_status.rules")["rules.behaviour.protected_fields"]
    messages = [f.message for f in result.findings]
    for field in ("plan_status", "support_tier", "crm_contact_id", "billing_provider_id"):
        assert any(m.startswith(f"owner (uid=alice) update customers/alice {{{field}: ") and
                   "expected deny, was allowed (allowed by " in m for m in messages), field
    assert result.blocking and result.severity.value == "critical"


def test_repo_rules_pass_every_rules_check(run_rules_checks, repo_root):
    results = run_rules_checks(repo_root / "firestore.rules")
    assert len([c for c in results if c.startswith("rules.behaviour.")]) == 5
    assert len([c for c in results if c.startswith("rules.static.")]) == 13
    assert {c: r.message for c, r in results.items() if r.status is not Status.PASS} == {}


def test_static_only_files_fail_with_lines(run_rules_checks):
    results = run_rules_checks(INSECURE / "hardcoded_admin_v1.rules", only=("rules.static",))
    lines = {c: {f.line for f in r.findings} for c, r in _failing(results).items()}
    assert lines == {"rules.static.version": {1}, "rules.static.hardcoded_uid": {6},
                     "rules.static.read_vs_get": {10}, "rules.static.auth_only": {14},
                     "rules.static.delete_any_user": {14}}
    expired = run_rules_checks(INSECURE / "test_mode_expired.rules", only=("rules.static.test_mode",))
    result = expired["rules.static.test_mode"]
    assert result.status is Status.FAIL and result.severity.value == "high" and result.findings[0].line == 6


def test_unparseable_or_missing_rules(run_rules_checks, tmp_path):
    broken = tmp_path / "broken.rules"
    broken.write_text("rules_version = '2';\nservice cloud.firestore {\n  match /a {\n    allow read: if (;\n  }\n}\n")
    results = run_rules_checks(broken)
    assert results["rules.static.syntax"].status is Status.FAIL
    assert results["rules.static.syntax"].findings[0].line == 4
    assert results["rules.static.always_true"].status is Status.SKIP
    behaviour = results["rules.behaviour.customer_read"]   # one root cause, one finding (rules.static.syntax)
    assert behaviour.status is Status.SKIP and behaviour.cause == "rules.static.syntax" and not behaviour.blocking
    alone = run_rules_checks(broken, only=("rules.behaviour.customer_read",))["rules.behaviour.customer_read"]
    assert alone.status is Status.FAIL and alone.findings[0].line == 4 and "rules engine rejects" in alone.message
    missing = run_rules_checks(tmp_path / "nope.rules", only=("rules.static.syntax", "rules.behaviour.default_deny"))
    assert missing["rules.static.syntax"].status is Status.FAIL and missing["rules.static.syntax"].blocking
    assert missing["rules.behaviour.default_deny"].cause == "rules.static.syntax"


def test_without_java_the_behaviour_checks_run_on_the_builtin_engine(run_rules_checks, repo_root, monkeypatch):
    import launchready.checks.catalog.rules.behaviour as behaviour
    from launchready.checks.framework.context import CheckOptions
    from launchready.commands.check import run

    monkeypatch.setattr(behaviour, "unavailable_reason", lambda: "Java is not installed")
    results = run_rules_checks(repo_root / "firestore.rules", only=("rules.behaviour",))
    assert {r.status for r in results.values()} == {Status.PASS}
    assert all("hold on the built-in rules engine" in r.message for r in results.values())
    # Cross-checking on the emulator needs Java: then the checks skip and say why.
    report = run(CheckOptions(stack="dev", stacks_dir=repo_root / "stacks", offline=True, only=("rules.behaviour",),
                              rules_file=repo_root / "firestore.rules", rules_engine="emulator"), Project(repo_root))
    assert {r.status for r in report.results} == {Status.SKIP}
    assert all("Java is not installed" in r.message for r in report.results)


def test_behaviour_checks_cross_checked_on_the_emulator_agree(repo_root):
    from launchready.checks.framework.context import CheckOptions
    from launchready.commands.check import run

    report = run(CheckOptions(stack="dev", stacks_dir=repo_root / "stacks", offline=True, only=("rules.behaviour",),
                              rules_file=INSECURE / "owner_writes_plan_status.rules", rules_engine="emulator"),
                 Project(repo_root))
    on_emulator = {r.check_id: (r.status, len(r.findings)) for r in report.results}
    report = run(CheckOptions(stack="dev", stacks_dir=repo_root / "stacks", offline=True, only=("rules.behaviour",),
                              rules_file=INSECURE / "owner_writes_plan_status.rules"), Project(repo_root))
    assert {r.check_id: (r.status, len(r.findings)) for r in report.results} == on_emulator
    assert on_emulator["rules.behaviour.protected_fields"][0] is Status.FAIL


def test_cli_exit_code_and_json_report(repo_root):
    argv = [sys.executable, "-m", "launchready.cli", "check", "--stack", "dev", "--offline", "--only", "rules.static",
            "--rules", str(INSECURE / "test_mode_open.rules"), "--format", "json"]
    done = subprocess.run(argv, capture_output=True, text=True, cwd=repo_root, timeout=120)
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    test_mode = next(r for r in report["results"] if r["id"] == "rules.static.test_mode")
    assert test_mode["status"] == "fail" and test_mode["blocking"]
    assert test_mode["findings"][0]["line"] == 7
