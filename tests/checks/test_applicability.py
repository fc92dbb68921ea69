"""The gate judges the app's own architecture (issue 26): what the app uses decides what applies, missing
secrets are findings, one root cause is one finding, a single-stack run reports that stack."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from launchready.cli import main
from tests.checks.architectures import RULES, leak_lines, leaky, pulsepad, quizzo

SCREEN = 45   # lines: a first prod check on a real app fits one terminal screen


def run(capsys, root: Path, *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["--project-dir", str(root), *argv])
    out, err = capsys.readouterr()
    return code, out, err


def check_json(capsys, root: Path, tmp_path: Path, *extra: str) -> tuple[int, dict, str]:
    """One run: text on stdout, the JSON report to a file."""
    report = tmp_path / f"{root.name}.json"
    code, out, err = run(capsys, root, "check", "--stack", "prod", "--offline", "--format", "text", "--format", "json",
                         "--output", str(report), *extra)
    assert "Traceback" not in err, err
    return code, json.loads(report.read_text()), out


def by_id(report: dict) -> dict[str, list[dict]]:
    results: dict[str, list[dict]] = {}
    for r in report["results"]:
        results.setdefault(r["id"], []).append(r)
    return results


def not_applicable(report: dict) -> dict[str, str]:
    return {r["id"]: r["waived"]["reason"] for r in report["results"]
            if r["waived"] and r["waived"]["kind"] == "not-applicable"}


def test_a_clean_app_without_payments_crm_or_cloudflare_is_ready_on_prod(capsys, tmp_path):
    root = quizzo(tmp_path / "quizzo")
    code, report, out = check_json(capsys, root, tmp_path)
    assert code == 0 and report["ready"], out
    na = not_applicable(report)
    assert na["config.stripe.mode"] == "the app does not use it (launchready:payments: none)"
    assert na["infra.policy.ssl_strict"] == "the app does not use it (launchready:dns.provider: external)"
    assert na["rules.behaviour.customer_read"] == "the app does not use it (launchready:backend: own)"
    # its own Firestore rules and access matrix are still judged, and they hold
    results = by_id(report)
    for judged in ("rules.static.auth_only", "rules.behaviour.app", "rules.behaviour.default_deny",
                   "client.state.backend_owned", "secrets.app.scan", "config.secrets.missing", "infra.plan.build"):
        assert [r["status"] for r in results[judged]] == ["pass"], judged
    assert "crmApiToken" not in json.dumps(report) and "cloudflare:apiToken" not in out
    assert out.splitlines()[1].startswith("next: nothing blocks") and len(out.splitlines()) <= SCREEN
    code, _, err = run(capsys, root, "handover", "--stack", "prod")   # no Stripe section, no Stripe secret
    secrets = (root / "build" / "handover" / "secrets.md").read_text()
    assert code == 0 and "Traceback" not in err and "stripeSecretKey" not in secrets and "crmApiToken" not in secrets


def test_a_leaky_app_is_not_ready_for_exactly_its_leaks(capsys, tmp_path):
    root = leaky(tmp_path / "quizzo")
    code, report, out = check_json(capsys, root, tmp_path)
    assert code == 1
    blocking = [r for r in report["results"] if r["blocking"]]
    assert {r["id"] for r in blocking} >= {"secrets.app.scan", "client.state.backend_owned"}
    places = {(f["path"], f["line"]) for r in blocking for f in r["findings"]}
    assert places == leak_lines()   # every finding is a leak line, and every leak line is found
    repo = by_id(report)["secrets.repo.scan"][0]   # the app is the repository root: one secret, one finding
    assert repo["status"] == "pass" and repo["evidence"]["reported_by_secrets_app_scan"] == 1
    assert all(r["status"] == "fail" for r in blocking)      # leaks, not tool-made skips or errors
    lines = out.splitlines()
    assert lines[1].startswith(f"next: fix {len(blocking)} blocking finding(s)") and len(lines) <= SCREEN


def test_an_rtdb_only_app_gets_no_firestore_rules_results(capsys, tmp_path):
    root = pulsepad(tmp_path / "pulsepad")
    code, report, out = check_json(capsys, root, tmp_path)
    assert code == 0, out
    firestore = [r for r in report["results"] if r["id"].startswith("rules.") and not r["id"].startswith("rules.database.")
                 or r["id"] == "infra.policy.rules_release"]
    assert firestore and all(r["status"] == "skip" and r["waived"]["reason"].endswith("(launchready:database: rtdb)")
                             for r in firestore)
    database = [r for r in report["results"] if r["id"].startswith("rules.database.")]   # its own rules are judged
    assert database and all(r["status"] == "pass" for r in database)
    assert "firestore.rules" not in out


def test_missing_secrets_are_findings_with_the_command(capsys, tmp_path):
    root = quizzo(tmp_path / "quizzo", {
        "payments": "stripe", "stripe": {"mode": "live", "apiVersion": "2024-06-20"},
        "support": {"provider": "zendesk", "apiBase": "https://quizzo.zendesk.com", "owner": "ana@quizzo.app"}})
    code, out, err = run(capsys, root, "check", "--stack", "prod", "--offline", "--only", "config", "--format", "json")
    assert code == 1, err   # a finding, not exit 2
    missing = [r for r in json.loads(out)["results"] if r["id"] == "config.secrets.missing"]
    assert {(r["status"], r["subject"]) for r in missing} == {
        ("fail", "prod")} and len(missing) == 2
    commands = sorted(r["remediation"].split("   ")[0] for r in missing)
    assert commands == ["pulumi config set --secret launchready:stripeSecretKey --stack prod",
                        "pulumi config set --secret launchready:supportApiToken --stack prod"]
    assert "crmApiToken" not in out   # no CRM: its token is not asked for


def test_the_apps_own_entitlement_fields_only_the_backend_writes(capsys, tmp_path):
    root = quizzo(tmp_path / "quizzo")
    open_rules = RULES.replace(
        "&& request.resource.data.diff(resource.data).affectedKeys().hasOnly(['displayName', 'avatarUrl']);", ";")
    (root / "firebase" / "firestore.rules").write_text(open_rules)
    code, out, _ = run(capsys, root, "check", "--stack", "prod", "--offline", "--only", "rules.behaviour.app",
                       "--format", "json")
    [result] = json.loads(out)["results"]
    assert code == 1 and result["status"] == "fail"
    [finding] = result["findings"]   # the derived row: the owner may not write isPro (a `who: backend` field)
    assert "isPro" in finding["message"] and finding["path"] == "firebase/firestore.rules"
    # the client write of that field is a finding too, from the matrix alone (isPro is not a billing word)
    (root / "lib" / "pages").mkdir(parents=True)
    (root / "lib" / "pages" / "upgrade.dart").write_text(
        "import 'package:cloud_firestore/cloud_firestore.dart';\n\nFuture<void> go(String uid) =>\n"
        "    FirebaseFirestore.instance.collection('users').doc(uid).update({'isPro': true});\n")
    code, out, _ = run(capsys, root, "check", "--stack", "prod", "--offline", "--only", "client.state",
                       "--format", "json")
    [result] = json.loads(out)["results"]
    assert result["status"] == "fail" and [(f["path"], f["line"]) for f in result["findings"]] == [
        ("lib/pages/upgrade.dart", 4)]


def test_one_root_cause_is_one_finding(capsys, tmp_path):
    root = quizzo(tmp_path / "quizzo")
    (root / "firebase" / "firestore.rules").unlink()
    code, report, out = check_json(capsys, root, tmp_path)
    assert code == 1
    assert [r["id"] for r in report["results"] if r["blocking"]] == ["rules.static.syntax"]
    waiting = [r for r in report["results"] if r.get("cause")]
    assert {r["cause"] for r in waiting} == {"rules.static.syntax"}
    assert {"infra.plan.build", "infra.policy.primitive_roles", "rules.behaviour.app", "rules.static.auth_only"} <= \
        {r["id"] for r in waiting}   # the plan fails because the rules file is missing: same root cause
    assert all(r["status"] == "skip" and "firebase/firestore.rules" in r["message"] for r in waiting)
    assert out.count("until rules.static.syntax is fixed") == 1 and "so it compiles" not in out
    assert out.splitlines()[2].startswith("  ■ rules.static.syntax:") and len(out.splitlines()) <= SCREEN


def test_a_single_stack_run_reports_that_stack_only(capsys, tmp_path):
    root = quizzo(tmp_path / "quizzo")
    dev = root / "stacks" / "Pulumi.dev.yaml"
    doc = yaml.safe_load(dev.read_text())
    doc["config"]["launchready:alerts"] = {"emails": ["REPLACE-ME@quizzo.app"]}
    dev.write_text(yaml.safe_dump(doc))
    code, out, _ = run(capsys, root, "check", "--stack", "prod", "--offline", "--only", "config")
    assert code == 0 and "REPLACE-ME" not in out and "Pulumi.dev.yaml" not in out, out
    code, out, _ = run(capsys, root, "check", "--stack", "dev", "--offline", "--only", "config.values")
    assert code == 1 and "Pulumi.dev.yaml" in out


def test_a_failed_plan_is_cached_like_a_good_one(tmp_path, monkeypatch):
    from launchready.config.model import ConfigError, load_stack
    from launchready.infra import plan as planning
    from launchready.project import Project

    monkeypatch.setenv("LAUNCHREADY_PLAN_CACHE", "1")
    root = quizzo(tmp_path / "quizzo")
    (root / "firebase" / "firestore.indexes.json").unlink()
    project, config = Project.load(root), load_stack(root / "stacks", "prod")
    with pytest.raises(ConfigError) as first:
        planning.build_plan(config, project)
    assert "firestore.indexes.json" in str(first.value)
    planning._CACHE.clear()                       # a new process: only the disk cache remains
    monkeypatch.setattr(planning, "_run_program", lambda *a: pytest.fail("the failed plan was rebuilt"))
    with pytest.raises(ConfigError) as again:
        planning.build_plan(config, project)
    assert again.value.problems == first.value.problems
    (root / "firebase" / "firestore.indexes.json").write_text('{"indexes": []}')   # a new input: a new key
    monkeypatch.undo()
    monkeypatch.setenv("LAUNCHREADY_PLAN_CACHE", "1")
    assert planning.build_plan(config, project).resources


def test_the_plan_creates_only_what_the_app_uses(tmp_path):
    from launchready.config.model import load_stack
    from launchready.infra.plan import build_plan
    from launchready.project import Project

    root = quizzo(tmp_path / "quizzo", {
        "payments": "stripe", "stripe": {"mode": "live", "apiVersion": "2024-06-20"}, "backend": "launchready",
        "support": {"provider": "zendesk", "apiBase": "https://quizzo.zendesk.com", "owner": "ana@quizzo.app"},
        "stripeSecretKey": {"secure": "v1:quizzo:c2VjcmV0"}, "supportApiToken": {"secure": "v1:quizzo:dG9rZW4="}})
    plan = build_plan(load_stack(root / "stacks", "prod"), Project.load(root))
    secret_ids = {r.inputs["secretId"] for r in plan.of_type("gcp:secretmanager/secret:Secret")}
    assert secret_ids == {"stripe-secret-key", "stripe-webhook-secret", "support-api-token"}   # no CRM token
    assert not any(r.type.startswith("cloudflare:") for r in plan.resources)                 # DNS elsewhere
    assert any("WebhookEndpoint" in r.type for r in plan.resources)                           # payments: stripe
    functions = {r.inputs["name"] for r in plan.of_type("gcp:cloudfunctionsv2/function:Function")}
    assert {"stripe-webhook", "sync-worker"} <= functions
    sync = next(r for r in plan.of_type("gcp:cloudfunctionsv2/function:Function") if r.inputs["name"] == "sync-worker")
    assert [s["key"] for s in sync.inputs["serviceConfig"]["secretEnvironmentVariables"]] == ["SUPPORT_API_TOKEN"]


def test_init_without_crm_or_support_asks_for_no_tokens_and_writes_no_placeholder(capsys, tmp_path, monkeypatch):
    from tests.project.conftest import INIT
    from tests.project.foreign_app import build_app

    root = build_app(tmp_path / "tidal-planner")
    monkeypatch.chdir(root)
    code, out, err = run(capsys, root, *INIT, "--crm", "none", "--support", "none")
    assert code == 0, err
    prod = yaml.safe_load((root / "stacks" / "Pulumi.prod.yaml").read_text())["config"]
    assert prod["launchready:crm"] == {"provider": "none"} and prod["launchready:support"] == {"provider": "none"}
    assert "crmApiToken" not in out and "supportApiToken" not in out and "launchready:stripeSecretKey" in out


def test_every_check_names_known_features_and_inputs():
    from launchready.checks.framework.inputs import INPUTS
    from launchready.checks.framework.registry import registry
    from launchready.config.architecture import FEATURES

    registry.load_catalog()
    checks = registry.all()
    # crm/support turn off secrets and the sync, not whole checks
    assert {f for c in checks for f in c.applies_to} == set(FEATURES) - {"crm", "support"}
    assert {i for c in checks for i in c.needs} == set(INPUTS)
    assert all(INPUTS[i].reported_by in {c.id for c in checks} for i in INPUTS)
