"""The gate's trust levers against a pull request that tries to pull them: a FlutterFlow-style app
(Tidepool Yoga, not the bundled example) ships a live Stripe secret key and open Firestore rules, and
each lever a PR controls — blockingSeverities, notApplicable, waivers, baselines — leaves the prod
gate NOT READY (or stops it with exit 2 and one line), with every attempt reported first."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml

from launchready.checks.framework.trust import blocking_severities
from launchready.checks.framework.waivers import load_policy
from launchready.config.model import ConfigError
from tests.foundation.gate_fixtures import app_project

LIVE_KEY = "sk_live_" + "51Hx9TidepoolQ2w3E4r5T6y7U8i9O0pA1sD2fG3h"   # split: no scanner flags this test file
SOON = (date.today() + timedelta(days=30)).isoformat()
OPEN_RULES = ("rules_version = '2';\nservice cloud.firestore {\n  match /databases/{database}/documents {\n"
              "    match /{document=**} {\n      allow read, write: if true;\n    }\n  }\n}\n")
APP_ONLY = "secrets.app,client.api"


def tidepool(root: Path, *, prod: dict | None = None, waivers: list | None = None) -> Path:
    """A FlutterFlow app with its Firebase folder: rules in firebase/, the app in app/, the Stripe
    secret pasted into lib/backend/stripe/ (as FlutterFlow users do), snake_case and camelCase fields."""
    project = app_project(root, app="Tidepool Yoga", zone="tidepool-yoga.com", waivers=waivers)
    pulumi = project / "Pulumi.yaml"
    pulumi.write_text(pulumi.read_text() + "config:\n  launchready:appDir: app\n")
    (project / "firebase").mkdir()
    (project / "firebase" / "firestore.rules").write_text(OPEN_RULES)
    (project / "firebase" / "firestore.indexes.json").write_text('{"indexes": [], "fieldOverrides": []}\n')
    stripe = project / "app" / "lib" / "backend" / "stripe"
    stripe.mkdir(parents=True)
    (project / "app" / "pubspec.yaml").write_text(
        "name: tidepool_yoga\ndependencies:\n  flutter:\n    sdk: flutter\n  cloud_firestore: ^5.4.0\n"
        "  flutter_stripe: ^11.1.0\n")
    (stripe / "payment_manager.dart").write_text(
        "import 'package:http/http.dart' as http;\n\n"
        f"const _kStripeSecretKey = '{LIVE_KEY}';\n\n"
        "Future<http.Response> createPaymentIntent(int amountCents) => http.post(\n"
        "  Uri.parse('https://api.stripe.com/v1/payment_intents'),\n"
        "  headers: {'Authorization': 'Bearer $_kStripeSecretKey'},\n"
        "  body: {'amount': '$amountCents', 'currency': 'usd'},\n);\n")
    (project / "app" / "lib" / "backend" / "schema").mkdir()
    (project / "app" / "lib" / "backend" / "schema" / "users_record.dart").write_text(
        "class UsersRecord {\n  String? displayName;\n  String? photo_url;\n}\n")
    path = project / "stacks" / "Pulumi.prod.yaml"
    doc = yaml.safe_load(path.read_text())
    doc["config"]["launchready:firestore"] = {"rulesFile": "firebase/firestore.rules",
                                              "indexesFile": "firebase/firestore.indexes.json"}
    doc["config"].update({f"launchready:{k}": v for k, v in (prod or {}).items()})
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return project


def gate(project: Path, *args: str, only: str = APP_ONLY) -> subprocess.CompletedProcess:
    env = {**os.environ, "CI": "true", "LAUNCHREADY_PLAN_CACHE": "0"}
    return subprocess.run([sys.executable, "-m", "launchready.cli", "--project-dir", str(project), "check",
                           "--stack", "prod", "--offline", "--only", only, *args],
                          capture_output=True, text=True, timeout=300, env=env)


def first_lines(proc: subprocess.CompletedProcess, n: int = 6) -> str:
    return "\n".join(proc.stdout.splitlines()[:n])


def waiver(check: str, **overrides) -> dict:
    return {"check": check, "reason": "The legacy checkout screen is removed in release 4.2 (MOB-118)",
            "owner": "payments@tidepool-yoga.com", "expires": SOON, **overrides}


# ------------------------------------------------------------------ the floor

@pytest.mark.parametrize("environment,declared,effective,reported", [
    ("prod", [], ["critical", "high"], "refused, critical and high always block in prod"),
    ("staging", ["critical"], ["critical", "high"], "drops high: refused"),
    ("prod", ["critical", "high", "medium"], ["critical", "high", "medium"], None),
    ("dev", [], [], "drops critical (dev has no floor)"),
])
def test_a_stack_may_add_blocking_severities_never_remove_them(environment, declared, effective, reported) -> None:
    severities, levers = blocking_severities(environment, declared)
    assert severities == effective
    assert ([reported in str(lever) for lever in levers] == [True]) if reported else levers == []


def test_no_blocking_severities_still_blocks_a_live_stripe_key_in_prod(tmp_path) -> None:
    proc = gate(tidepool(tmp_path, prod={"blockingSeverities": []}), "--format", "text", "--format", "json",
                "--output", str(tmp_path / "r.json"))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "NOT READY" in proc.stdout and LIVE_KEY not in proc.stdout
    head = first_lines(proc)
    assert "trust levers used (1):" in head and "blockingSeverities [] drops critical, high: refused" in head
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["blocking_severities"] == ["critical", "high"]
    assert {r["id"] for r in report["results"] if r["blocking"]} >= {"secrets.app.scan", "client.api.stripe_secret"}
    assert report["trust_levers"][0]["lever"] == "blockingSeverities"
    quiet = gate(tidepool(tmp_path / "json-only", prod={"blockingSeverities": []}), "--format", "json")
    assert quiet.returncode == 1 and "launchready: trust lever: blockingSeverities: " in quiet.stderr


# ------------------------------------------------------------------ notApplicable

def test_rules_declared_not_applicable_while_the_plan_deploys_them_are_checked_anyway(tmp_path) -> None:
    declared = {"rules": {"reason": "We only use the Realtime Database for class bookings",
                          "owner": "@tidepool/backend", "expires": SOON},
                "secrets": {"reason": "Secrets are scanned by our own pre-commit hooks already",
                            "owner": "@tidepool/backend", "expires": SOON}}
    proc = gate(tidepool(tmp_path, prod={"notApplicable": declared}), "--format", "json",
                only="rules.static,config.trust,secrets.app")
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)
    by_id = {(r["id"], r["subject"]): r for r in report["results"]}
    refused_rules = by_id[("config.trust.not_applicable", "rules")]
    assert refused_rules["status"] == "fail" and refused_rules["blocking"]
    assert "the app depends on cloud_firestore" in refused_rules["message"]
    assert "always scanned for secrets" in by_id[("config.trust.not_applicable", "secrets")]["message"]
    assert by_id[("rules.static.always_true", "")]["blocking"]   # the open rules are judged after all
    assert by_id[("secrets.app.scan", "")]["blocking"]
    assert [lever["lever"] for lever in report["trust_levers"]] == ["notApplicable", "notApplicable"]
    assert all("refused" in lever["detail"] for lever in report["trust_levers"])


def test_not_applicable_is_judged_against_what_the_plan_deploys(tmp_path) -> None:
    """With no app dependency to go by, the offline plan decides: it deploys a ruleset, so rules apply."""
    project = tidepool(tmp_path, prod={"notApplicable": {"rules": {
        "reason": "We only use the Realtime Database for class bookings", "owner": "@tidepool/backend",
        "expires": SOON}}})
    (project / "app" / "pubspec.yaml").write_text("name: tidepool_yoga\ndependencies:\n  firebase_database: ^11.0.0\n")
    proc = gate(project, "--format", "json", only="rules.static.always_true,config.trust")
    assert proc.returncode == 1, proc.stderr
    [refusal] = [r for r in json.loads(proc.stdout)["results"] if r["id"] == "config.trust.not_applicable"]
    assert "the plan deploys gcp:firebaserules/" in refusal["message"]


def test_a_bare_not_applicable_reason_is_refused_and_an_accountable_one_is_listed(tmp_path) -> None:
    project = tidepool(tmp_path, prod={"notApplicable": {
        "client.api.crm_support": "we have no CRM",
        "monitoring": {"reason": "Uptime is watched by the hosting provider's own status page",
                       "owner": "ops@tidepool-yoga.com", "expires": SOON}}})
    proc = gate(project, "--format", "json", only="config.trust,monitoring,client.api.crm_support")
    report = json.loads(proc.stdout)
    levers = [lever["detail"] for lever in report["trust_levers"]]
    assert any(d.startswith("client.api.crm_support: refused, a bare reason is not enough") for d in levers)
    # monitoring: the example stack's plan deploys alert policies, so it is refused as well
    assert any(d.startswith("monitoring: refused, the plan deploys gcp:monitoring/alertPolicy") for d in levers)
    assert not any(r["status"] == "skip" and r["waived"] for r in report["results"])


# ------------------------------------------------------------------ waivers

def test_a_waiver_until_2999_stops_the_gate_with_one_line(tmp_path) -> None:
    project = tidepool(tmp_path, waivers=[waiver("secrets.app.scan", expires="2999-01-01", owner="x", reason="abc")])
    proc = gate(project)
    assert proc.returncode == 2 and proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert any("waivers[0].expires: 2999-01-01 is more than 90 days away" in line for line in lines)
    assert any("waivers[0].owner: expected an email" in line for line in lines)
    assert any("waivers[0].reason: too short" in line for line in lines)
    assert "Traceback" not in proc.stderr


def test_a_duplicate_waivers_key_is_refused(tmp_path) -> None:
    project = tidepool(tmp_path)
    (project / "launchready.yaml").write_text(
        "waivers:\n  - check: client.api.crm_support\n    reason: reviewed in PR 212, the CRM call is gone\n"
        f"    owner: '@tidepool/backend'\n    expires: {SOON}\n"
        f"waivers:\n  - check: secrets.app.scan\n    reason: {waiver('x')['reason']}\n"
        f"    owner: payments@tidepool-yoga.com\n    expires: {SOON}\n")
    proc = gate(project)
    assert proc.returncode == 2, proc.stdout
    assert "launchready.yaml: waivers: duplicate key (line 6; first at line 1)" in proc.stderr


def test_a_critical_prod_finding_is_waivable_only_with_the_explicit_flag(tmp_path) -> None:
    project = tidepool(tmp_path, waivers=[waiver("secrets.app.scan"), waiver("client.api.stripe_secret")])
    refused = gate(project)
    assert refused.returncode == 1
    assert "not applied: secrets.app.scan is a critical finding in prod" in refused.stdout
    assert "refused, secrets.app.scan is a critical finding in prod" in first_lines(refused, 8)
    allowed = gate(project, "--allow-critical-waivers")
    head = first_lines(allowed, 8)
    assert "waiver: secrets.app.scan: The legacy checkout screen" in head
    assert "allow-critical-waivers: --allow-critical-waivers" in head


@pytest.mark.parametrize("entry,problem", [
    ({"owner": "x"}, "owner: expected an email (lee@example.com) or a @handle"),
    ({"owner": "@tidepool/backend"}, None),
    ({"owner": "Maya Chen <maya@tidepool-yoga.com>"}, "owner: expected an email"),
    ({"reason": "abc"}, "reason: too short (3 characters)"),
    ({"reason": "TODO: fill in the reason later, tbd"}, "reason: a placeholder, not a reason"),
    ({"reason": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}, "reason: not a sentence"),
    ({"expires": (date.today() + timedelta(days=91)).isoformat()}, "is more than 90 days away (the cap)"),
    ({"expires": "2027-02-30"}, "expires: Input should be a valid date"),
])
def test_waiver_validation(tmp_path, entry, problem) -> None:
    path = tmp_path / "launchready.yaml"
    path.write_text(yaml.safe_dump({"waivers": [waiver("client.api.crm_support", **entry)]}))
    if problem is None:
        assert len(load_policy(path).waivers) == 1
        return
    with pytest.raises(ConfigError) as caught:
        load_policy(path)
    assert any(problem in line for line in caught.value.problems), caught.value.problems


def test_the_expiry_cap_can_be_shortened_not_lengthened(tmp_path) -> None:
    path = tmp_path / "launchready.yaml"
    path.write_text(yaml.safe_dump({"maxWaiverDays": 14, "waivers": [waiver("client.api.crm_support")]}))
    with pytest.raises(ConfigError, match="more than 14 days away"):
        load_policy(path)
    path.write_text(yaml.safe_dump({"maxWaiverDays": 365, "waivers": []}))
    with pytest.raises(ConfigError, match="may shorten the cap, not lengthen it"):
        load_policy(path)


@pytest.mark.parametrize("name,text,message", [
    ("bad-date", f"waivers:\n  - check: secrets.app.scan\n    reason: {waiver('x')['reason']}\n"
                 "    owner: a@tidepool-yoga.com\n    expires: 2027-02-30\n", "a value YAML cannot convert"),
    ("deep", "waivers: " + "[" * 20_000 + "]" * 20_000 + "\n", "nesting depth"),
    ("not-utf8", "waivers:\n  - check: \xff\n", "not UTF-8"),
])
def test_hostile_waiver_files_exit_2_with_one_line(tmp_path, name, text, message) -> None:
    project = tidepool(tmp_path / "app")
    bad = tmp_path / f"{name}.yaml"
    bad.write_bytes(text.encode("latin-1") if name == "not-utf8" else text.encode())
    proc = gate(project, "--waivers", str(bad))
    assert proc.returncode == 2, proc.stderr
    assert message in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("kind", ["dev-zero", "fifo", "deep-json"])
def test_a_hostile_baseline_exits_2_with_one_line(tmp_path, kind) -> None:
    project = tidepool(tmp_path / "app")
    baseline = tmp_path / "baseline.json"
    if kind == "dev-zero":
        baseline.symlink_to("/dev/zero")
    elif kind == "fifo":
        os.mkfifo(baseline)
    else:
        baseline.write_text('{"findings": ' + "[" * 100_000 + "]" * 100_000 + "}")
    proc = gate(project, "--baseline", str(baseline))
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith("launchready: --baseline: ") and len(proc.stderr.strip().splitlines()) == 1


def test_baselines_and_allow_skips_are_listed_in_every_format(tmp_path) -> None:
    project = tidepool(tmp_path / "app")
    baseline = tmp_path / "baseline.json"
    gate(project, "--write-baseline", str(baseline), "--format", "json")
    out = tmp_path / "out"
    args = ["--baseline", str(baseline), "--allow-skips", "--allow-critical-waivers"]
    for fmt, ext in (("json", "json"), ("sarif", "sarif"), ("junit", "xml"), ("markdown", "md")):
        args += ["--format", fmt, "--output", str(out / f"r.{ext}")]
    proc = gate(project, *args)
    assert proc.returncode == 0, proc.stdout + proc.stderr  # the baseline accepts today's findings ...
    levers = json.loads((out / "r.json").read_text())["trust_levers"]
    assert [lever["lever"] for lever in levers] == ["baseline", "allow-skips", "allow-critical-waivers"]
    sarif = json.loads((out / "r.sarif").read_text())["runs"][0]["properties"]["trustLevers"]
    assert sarif == levers
    junit = (out / "r.xml").read_text()
    assert junit.count('name="launchready.trust_lever"') == 3 and "baseline: " in junit
    markdown = (out / "r.md").read_text()
    assert markdown.index("**Trust levers used (3):**") < markdown.index("| | check |")


# ------------------------------------------------------------------ --base-ref

def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), "-c", "user.name=Tidepool CI", "-c", "user.email=ci@tidepool-yoga.com",
                           *args], check=True, capture_output=True, text=True).stdout.strip()


def test_a_lever_changed_in_the_pull_request_blocks_unless_code_owners_cover_it(tmp_path) -> None:
    project = tidepool(tmp_path / "repo")
    (project / ".github").mkdir()
    (project / ".github" / "CODEOWNERS").write_text("# release owners approve the gate's levers\n"
                                                    "/stacks/ @tidepool/release\n")
    git(project, "init", "-q")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "base")
    base = git(project, "rev-parse", "HEAD")
    # the pull request: a waiver (nobody owns launchready.yaml), a notApplicable (stacks/ is owned),
    # and a CODEOWNERS line of its own that must not count
    (project / "launchready.yaml").write_text(yaml.safe_dump({"waivers": [waiver("client.api.crm_support")]}))
    path = project / "stacks" / "Pulumi.prod.yaml"
    doc = yaml.safe_load(path.read_text())
    doc["config"]["launchready:notApplicable"] = {"email": {"reason": "Tidepool sends no email from its domain",
                                                            "owner": "@tidepool/backend", "expires": SOON}}
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    (project / ".github" / "CODEOWNERS").write_text("* @tidepool/anyone\n")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "pull request")
    proc = gate(project, "--base-ref", base, "--format", "json", only="config.trust.base_ref")
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)
    by_subject = {r["subject"]: r for r in report["results"]}
    assert by_subject["launchready.yaml:waivers"]["status"] == "fail" and by_subject["launchready.yaml:waivers"]["blocking"]
    owned = by_subject["stacks/Pulumi.prod.yaml:launchready:notApplicable"]
    assert owned["status"] == "pass" and "@tidepool/release" in owned["message"]
    details = [lever["detail"] for lever in report["trust_levers"] if lever["lever"] == "base-ref"]
    assert details == [f"stacks/Pulumi.prod.yaml: launchready:notApplicable changed since {base} "
                       "(code owners: @tidepool/release)",
                       f"launchready.yaml: waivers changed since {base} (no code owner)"]
    unchanged = gate(project, "--base-ref", "HEAD", "--format", "json", only="config.trust.base_ref")
    assert unchanged.returncode == 0 and "no trust lever changed since HEAD" in unchanged.stdout


def test_an_unknown_base_ref_is_one_line(tmp_path) -> None:
    project = tidepool(tmp_path / "repo")
    git(project, "init", "-q")
    proc = gate(project, "--base-ref", "origin/main")
    assert proc.returncode == 2
    assert proc.stderr.strip() == (f"launchready: --base-ref: 'origin/main' is not a commit of the repository at "
                                   f"{project.resolve()} (fetch it first, e.g. actions/checkout with fetch-depth: 0)")
