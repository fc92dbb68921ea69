"""The launch policies: pass on the example stacks, catch broken configs (offline, via CrossGuard's own
types, and through `launchready check --only infra.policy`)."""
from __future__ import annotations

import json
import runpy

import pulumi_policy
import pytest

from launchready.checks.catalog.infra.policy import PlannedSubject, subjects
from launchready.cli import main
from launchready.infra.plan import build_plan
from launchready.policy import policies as P
from tests.infra.conftest import ENVIRONMENTS, REPO_ROOT, with_changes, write_stack

BY_ID = {p.check_id: p for p in P.POLICIES}


def violations(plan_or_subjects, check_id: str) -> list[str]:
    items = plan_or_subjects if isinstance(plan_or_subjects, list) else subjects(plan_or_subjects)
    return [v.message for v in BY_ID[check_id].violations(items)]


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_example_stacks_satisfy_every_policy(plans, env):
    found = {p.check_id: p.violations(subjects(plans[env])) for p in P.POLICIES}
    assert found == {p.check_id: [] for p in P.POLICIES}


@pytest.mark.parametrize("env,section,changes,check_id,message", [
    ("prod", "email", {"dmarc_policy": "none"}, "infra.policy.dmarc", "p=none in prod"),
    ("staging", "email", {"dmarc_policy": "none"}, "infra.policy.dmarc", "p=none in staging"),
    ("prod", "tls", {"ssl_mode": "flexible"}, "infra.policy.ssl_strict", "`ssl` is 'flexible'"),
    ("dev", "tls", {"always_use_https": False}, "infra.policy.ssl_strict", "`always_use_https` is 'off'"),
    ("staging", "tls", {"min_tls_version": "1.0"}, "infra.policy.min_tls", "`min_tls_version` is '1.0'"),
    ("prod", "tls", {"hsts_max_age": 3600}, "infra.policy.hsts", "security_header"),
    ("prod", "email", {"spf_includes": ["_spf.google.com", "mailgun.org", "_spf.hubspotemail.net", "sendgrid.net",
                                        "spf.mtasv.net"]}, "infra.policy.spf", "~11 DNS lookups"),
    ("prod", "firestore", {"delete_protection": False}, "infra.policy.prod_data_protection", "delete protection off"),
    ("prod", "firestore", {"point_in_time_recovery": False, "backups": False},
     "infra.policy.prod_data_protection", "point-in-time recovery off"),
    ("prod", "alerts", {"emails": []}, "infra.policy.alerts", "notifies nobody"),
])
def test_broken_configs_are_caught(configs, env, section, changes, check_id, message):
    plan = build_plan(with_changes(configs[env], section, **changes))
    found = violations(plan, check_id)
    assert any(message in m for m in found), found
    others = [p.check_id for p in P.POLICIES if p.check_id != check_id and p.violations(subjects(plan))]
    assert others == []


def test_dmarc_none_is_allowed_in_dev_only(plans):
    dmarc = [r for r in plans["dev"].of_type(P.DNS_RECORD) if "DMARC1" in r.get("content", "")]
    assert "p=none" in dmarc[0].get("content")
    assert violations(plans["dev"], "infra.policy.dmarc") == []


def _subject(resource_type: str, resource_name: str, **props) -> PlannedSubject:
    urn = f"urn:pulumi:prod::launchready::{resource_type}::{resource_name}"
    return PlannedSubject(resource_type, props, resource_name, urn)


def test_iam_policies_catch_what_the_program_never_does(plans):
    base = subjects(plans["prod"])
    editor = _subject("gcp:projects/iAMMember:IAMMember", "ci-editor", role="roles/editor",
                      member="serviceAccount:ci@acme-notes-prod.iam.gserviceaccount.com", project="acme-notes-prod")
    assert violations([*base, editor], "infra.policy.primitive_roles") == [
        "ci-editor grants primitive role roles/editor to serviceAccount:ci@acme-notes-prod.iam.gserviceaccount.com"]
    user_owner = _subject("gcp:projects/iAMMember:IAMMember", "lee-owner", role="roles/owner", member="user:lee@acmenotes.com")
    assert violations([*base, user_owner], "infra.policy.primitive_roles") == []

    public = _subject("gcp:cloudrunv2/serviceIamMember:ServiceIamMember", "sync-public", name="sync-worker",
                      role="roles/run.invoker", member="allUsers")
    assert "sync-public makes sync-worker public" in violations([*base, public], "infra.policy.public_access")[0]
    bucket = _subject("gcp:storage/bucketIAMMember:BucketIAMMember", "source-public", bucket="b",
                      role="roles/storage.objectViewer", member="allAuthenticatedUsers")
    assert len(violations([*base, bucket], "infra.policy.public_access")) == 1

    project_wide = _subject("gcp:projects/iAMMember:IAMMember", "all-secrets", role="roles/secretmanager.secretAccessor",
                            member="serviceAccount:fn-sync-worker@acme-notes-prod.iam.gserviceaccount.com")
    assert "on the whole project" in violations([*base, project_wide], "infra.policy.secret_access")[0]
    without_grants = [s for s in base if s.resource_type != P.SECRET_IAM_MEMBER]
    missing = violations(without_grants, "infra.policy.secret_access")
    assert sorted(m.split()[1] for m in missing) == ["stripe-webhook", "stripe-webhook", "sweep", "sweep", "sweep",
                                                     "sync-worker", "sync-worker"]


def test_two_spf_records_and_missing_records_are_violations(plans):
    base = subjects(plans["prod"])
    spf = next(s for s in base if str(s.props.get("content", "")).startswith("v=spf1"))
    second = _subject(P.DNS_RECORD, "extra-spf", type="TXT", name=spf.props["name"], content="v=spf1 include:mailgun.org ~all")
    assert "2 SPF records at acmenotes.com" in violations([*base, second], "infra.policy.spf")[0]
    no_dns = [s for s in base if s.resource_type != P.DNS_RECORD]
    assert violations(no_dns, "infra.policy.spf") == ["no SPF record (TXT `v=spf1 ...` at the mail domain) is managed"]
    assert violations(no_dns, "infra.policy.dmarc") == ["no DMARC record (TXT `_dmarc.<mail domain>`) is managed"]
    no_settings = [s for s in base if s.resource_type != P.ZONE_SETTING]
    assert len(violations(no_settings, "infra.policy.ssl_strict")) == 2


def policy_resources(plan, props=lambda r: r.inputs) -> list:
    """The plan as CrossGuard hands it to a stack policy: PolicyResources with options, provider and
    dependencies (themselves PolicyResources)."""
    options = {r.urn: pulumi_policy.PolicyResourceOptions(r.protect, [], r.delete_before_replace, [], None, [])
               for r in plan.resources}
    providers = {r.urn: pulumi_policy.PolicyProviderResource(r.type, r.inputs, r.urn, r.name)
                 for r in plan.resources if r.type.startswith("pulumi:providers:")}
    made = {r.urn: pulumi_policy.PolicyResource(r.type, props(r), r.urn, r.name, options[r.urn],
                                                providers.get(r.provider), None, [], {})
            for r in plan.resources if r.custom and r.urn not in providers}
    for r in plan.resources:
        if r.urn in made:
            made[r.urn].dependencies = [made[u] for u in r.dependencies if u in made]
    return list(made.values())


def test_crossguard_pack_runs_the_same_policies(plans, monkeypatch):
    captured: dict = {}
    monkeypatch.setattr(pulumi_policy, "PolicyPack", lambda **kwargs: captured.update(kwargs))
    runpy.run_path(str(REPO_ROOT / "launchready" / "policy" / "__main__.py"), run_name="__main__")
    pack = {p.name: p for p in captured["policies"]}
    assert set(pack) == {p.name for p in P.POLICIES}
    assert captured["enforcement_level"] == pulumi_policy.EnforcementLevel.MANDATORY
    resources = policy_resources(plans["prod"], lambda r: dict(r.inputs, value="flexible")
                                 if r.get("settingId") == "ssl" else r.inputs)
    reported: list[tuple[str, str | None]] = []
    args = pulumi_policy.StackValidationArgs(resources)
    for policy in pack.values():
        policy.validate(args, lambda message, urn=None, name=policy.name: reported.append((name, message, urn)))
    assert [(n, m) for n, m, _ in reported] == [("cloudflare-ssl-strict", "Cloudflare `ssl` is 'flexible', expected 'strict' (Full, strict)")]
    assert reported[0][2].endswith("::cloudflare-setting-ssl")


def test_launchready_check_reports_broken_stack(tmp_path, capsys):
    stacks = tmp_path / "stacks"
    def breaks(config):
        config["launchready:email"]["dmarcPolicy"] = "none"
        config["launchready:tls"]["sslMode"] = "flexible"
    write_stack(stacks, "prod", breaks)
    code = main(["check", "--stack", "prod", "--only", "infra.policy", "--stacks-dir", str(stacks), "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    results = {r["id"]: r for r in report["results"]}
    assert code == 1
    assert set(results) == {p.check_id for p in P.POLICIES}
    failed = sorted(i for i, r in results.items() if r["status"] == "fail")
    assert failed == ["infra.policy.dmarc", "infra.policy.ssl_strict"]
    assert results["infra.policy.ssl_strict"]["blocking"] is True
    assert "flexible" in results["infra.policy.ssl_strict"]["message"]
    assert results["infra.policy.dmarc"]["remediation"].startswith("Set `launchready:email.dmarcPolicy")


def test_launchready_check_passes_good_stack(tmp_path, capsys):
    write_stack(tmp_path, "staging", lambda config: None)
    code = main(["check", "--stack", "staging", "--only", "infra.policy", "--stacks-dir", str(tmp_path), "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 0
    assert {r["status"] for r in report["results"]} == {"pass"}


def test_launchready_check_errors_clearly_when_the_plan_cannot_be_built(tmp_path, capsys):
    write_stack(tmp_path, "dev", lambda config: config.update({"launchready:firestore": {"rulesFile": "missing.rules"}}))
    main(["check", "--stack", "dev", "--only", "infra.policy.ssl_strict", "--stacks-dir", str(tmp_path), "--format", "json"])
    (result,) = json.loads(capsys.readouterr().out)["results"]
    assert result["status"] == "error"
    assert "the offline plan could not be built" in result["message"] and "missing.rules" in result["message"]


def test_stripe_api_version_policy_blocks_a_version_outside_the_supported_range():
    from launchready.functions.backend.events import NEWEST_SUPPORTED_API_VERSION, STRIPE_API_VERSION

    def endpoint(version):
        return _subject("pulumi-python:dynamic:Resource", "stripe-webhook-endpoint", api_version=version,
                        enabled_events=["invoice.paid"], url="https://api.example.com/stripe_webhook")

    for ok in (STRIPE_API_VERSION, "2025-03-31.basil", NEWEST_SUPPORTED_API_VERSION):
        assert violations([endpoint(ok)], "infra.policy.stripe_api_version") == []
    for bad in ("2024-04-10", "2027-01-28.fig", None):
        found = violations([endpoint(bad)], "infra.policy.stripe_api_version")
        assert len(found) == 1 and "outside the versions the functions parse" in found[0]


def test_a_plan_that_cannot_be_built_is_one_error_naming_the_cause(tmp_path, capsys):
    """One root cause, one finding: the first policy errors with the cause and a fix about it; the
    other policies are skipped because of it instead of repeating 18 unrelated remediations."""
    write_stack(tmp_path, "dev", lambda config: config.update({"launchready:firestore": {"rulesFile": "missing.rules"}}))
    main(["check", "--stack", "dev", "--only", "infra.policy", "--stacks-dir", str(tmp_path), "--format", "json"])
    results = json.loads(capsys.readouterr().out)["results"]
    errors = [r for r in results if r["status"] == "error"]
    assert len(results) == len(P.POLICIES) and len(errors) == 1
    assert errors[0]["id"] == P.POLICIES[0].check_id and "missing.rules" in errors[0]["message"]
    assert "launchready plan --stack" in errors[0]["remediation"]
    assert {r["status"] for r in results if r is not errors[0]} == {"skip"}
    assert all(f"see {P.POLICIES[0].check_id}" in r["message"] for r in results if r is not errors[0])
