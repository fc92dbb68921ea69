"""Handover docs: content from config/plan/report, byte-identical reruns, no secret value ever."""
from __future__ import annotations

import json
import secrets
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest

from launchready.cli import main
from launchready.config.model import load_stack
from launchready.functions.backend.events import HANDLED_EVENTS
from launchready.handover.generator import DOCS, generate
from launchready.infra.dns_records import desired_records

REPO = Path(__file__).resolve().parents[2]
NO_PLAN = "plan deliberately left out by this test"


def report_dict(**overrides) -> dict:
    results = [
        {"id": "email.dmarc.policy", "title": "DMARC policy", "severity": "high", "status": "fail",
         "blocking": True, "live": True, "message": "DMARC p=none on dev.acmenotes.com",
         "evidence": {}, "remediation": "Set launchready:email.dmarcPolicy to quarantine", "findings": [],
         "duration_s": 0.1},
        {"id": "tls.cert.expiry", "title": "Certificate expiry", "severity": "medium", "status": "pass",
         "blocking": False, "live": True, "message": "valid for 90 days", "evidence": {}, "remediation": "",
         "findings": [], "duration_s": 0.1},
        {"id": "monitoring.policies.present", "title": "Alert policies", "severity": "high", "status": "skip",
         "blocking": False, "live": True, "message": "no monitoring API configured", "evidence": {},
         "remediation": "", "findings": [], "duration_s": 0.0},
    ]
    data = {"schema_version": 1, "stack": "dev", "started_at": "2026-11-27T21:00:00+00:00", "duration_s": 3.2,
            "ready": False, "blocking_severities": ["critical"],
            "summary": {"pass": 1, "fail": 1, "warn": 0, "skip": 1, "error": 0, "blocking": 1}, "results": results}
    data.update(overrides)
    return data


@pytest.fixture
def report_file(tmp_path: Path) -> Path:
    path = tmp_path / "report.json"
    path.write_text(json.dumps(report_dict()))
    return path


def build(tmp_path: Path, report: Path | None, *, stacks: Path = REPO / "stacks", name: str = "out",
          plan=None, html: bool = False) -> dict[str, str]:
    config = load_stack(stacks, "dev")
    out = tmp_path / name
    generate(config, stacks_dir=stacks, out_dir=out, report_path=report, html=html, plan=plan,
             plan_note=None if plan else NO_PLAN)
    return {p.name: p.read_text() for p in sorted(out.iterdir())}


def test_every_record_event_secret_and_runbook_is_documented(tmp_path, report_file):
    docs = build(tmp_path, report_file)
    assert set(docs) == {name for name, _ in DOCS}
    config = load_stack(REPO / "stacks", "dev")
    for record in desired_records(config):
        assert f"`{record.name}`" in docs["domains.md"]
        assert record.content.replace("|", "\\|") in docs["domains.md"]
        assert record.purpose in docs["domains.md"]
    for event in HANDLED_EVENTS:
        assert f"`{event}`" in docs["integrations.md"]
    assert config.webhook_url in docs["integrations.md"]
    for name in ("stripeSecretKey", "stripeWebhookSecret", "crmApiToken", "supportApiToken"):
        assert f"### `{name}`" in docs["secrets.md"]
    for heading in ("Failed payments", "Webhook signature failures", "Dead-lettered sync tasks",
                    "Key rotation", "Rollback of a bad deploy"):
        assert f"## {heading}" in docs["runbooks.md"]
    assert "acme-notes-prod" in docs["environments.md"] and "acme-notes-staging" in docs["environments.md"]
    assert "```mermaid" in docs["README.md"] and "erDiagram" in docs["data-model.md"]
    assert "dev-alerts@acmenotes.com" in docs["alerts.md"]
    assert NO_PLAN in docs["alerts.md"] and NO_PLAN in docs["environments.md"]


def test_readiness_lists_open_findings_and_unverified_checks(tmp_path, report_file):
    readiness = build(tmp_path, report_file)["readiness.md"]
    assert "**not ready** — 1 blocking finding(s)" in readiness
    assert "| `email.dmarc.policy` | fail | high | yes |" in readiness
    assert "Set launchready:email.dmarcPolicy to quarantine" in readiness
    assert "`monitoring.policies.present`" in readiness
    assert "tls.cert.expiry" not in readiness  # passed checks are not open findings
    assert "2026-11-27T21:00:00+00:00" in readiness


def test_missing_report_is_explained(tmp_path):
    readiness = build(tmp_path, tmp_path / "nope.json")["readiness.md"]
    assert "No readiness report found" in readiness and "launchready check --stack dev" in readiness


def test_plan_supplies_alert_policies_and_secret_readers(tmp_path, report_file):
    def res(type_, name, inputs):
        return SimpleNamespace(type=type_, name=name, parent=None, inputs=inputs)
    plan = SimpleNamespace(resources=[
        res("gcp:monitoring/alertPolicy:AlertPolicy", "dead-letters",
            {"displayName": "Dead-lettered sync tasks", "conditions": [{"displayName": "dead tasks > 0"}]}),
        res("gcp:monitoring/notificationChannel:NotificationChannel", "email-0",
            {"labels": {"email_address": "oncall@acmenotes.com"}}),
        res("gcp:cloudfunctionsv2/function:Function", "dev-worker",
            {"buildConfig": {"entryPoint": "sync_worker"},
             "serviceConfig": {"secretEnvironmentVariables": [{"key": "CRM_API_TOKEN", "secret": "crm"}]}}),
    ])
    docs = build(tmp_path, report_file, plan=plan)
    assert "| Dead-lettered sync tasks | dead tasks > 0 | email: oncall@acmenotes.com |" in docs["alerts.md"]
    assert "| `crmApiToken` | `CRM_API_TOKEN` |" in docs["secrets.md"]
    crm_row = next(line for line in docs["secrets.md"].splitlines() if line.startswith("| `crmApiToken`"))
    assert "`sync_worker`" in crm_row
    assert "`gcp:monitoring/alertPolicy:AlertPolicy` | 1" in docs["environments.md"]


def test_output_is_byte_identical_across_runs(tmp_path, report_file):
    from launchready.handover.generator import plan_for

    plan, note = plan_for(load_stack(REPO / "stacks", "dev"))
    assert note is None, note
    first = build(tmp_path, report_file, name="a", html=True, plan=plan)
    second = build(tmp_path, report_file, name="b", html=True, plan=plan)
    assert first == second
    assert first["alerts.md"].count("| email: dev-alerts@acmenotes.com |") >= 5  # the plan's alert policies
    assert '<pre class="mermaid">' in first["handover.html"] and 'href="#secrets"' in first["handover.html"]


def test_no_secret_value_reaches_any_file(tmp_path):
    """Plaintext secrets in the stack file and in the report must not appear in any output."""
    stripe_key = "sk_" + "live_" + secrets.token_hex(16)
    crm_token = "pat-na1-" + secrets.token_hex(18)
    support_token = "zd" + secrets.token_hex(20)  # no well-known shape: only the config scrub catches it
    webhook_secret = "whsec_" + secrets.token_hex(16)
    stacks = tmp_path / "stacks"
    stacks.mkdir()
    for name in ("dev", "staging", "prod"):
        shutil.copy(REPO / "stacks" / f"Pulumi.{name}.yaml", stacks)
    dev = stacks / "Pulumi.dev.yaml"
    text = dev.read_text()
    for key, value in (("stripeSecretKey", stripe_key), ("crmApiToken", crm_token),
                       ("supportApiToken", support_token)):
        start = text.index(f"  launchready:{key}:\n")
        end = text.index("\n", text.index("secure:", start))
        text = text[:start] + f"  launchready:{key}: {value}" + text[end:]
    dev.write_text(text)
    leaked = report_dict()
    leaked["results"][0]["message"] = f"found {stripe_key} and {support_token} in lib/main.dart"
    leaked["results"][0]["remediation"] = f"rotate {webhook_secret} and {crm_token}"
    leaked["results"][0]["evidence"] = {"value": stripe_key}
    report = tmp_path / "leaky.json"
    report.write_text(json.dumps(leaked))

    docs = build(tmp_path, report, stacks=stacks, html=True)
    assert "**plain text — encrypt it now**" in docs["secrets.md"]  # the mistake is reported ...
    for name, body in docs.items():  # ... but never the value
        for value in (stripe_key, crm_token, support_token, webhook_secret):
            assert value not in body, f"{name} leaks a secret"
    assert "email.dmarc.policy" in docs["readiness.md"]


def test_cli_writes_docs_and_rejects_bad_input(tmp_path, report_file, capsys):
    out = tmp_path / "docs"
    assert main(["handover", "--stack", "dev", "--out", str(out), "--report", str(report_file)]) == 0
    assert (out / "README.md").is_file() and not (out / "handover.html").exists()
    assert main(["handover", "--stack", "nope", "--out", str(out)]) == 2
    assert "no such stack 'nope'" in capsys.readouterr().err
    assert main(["handover", "--stack", "dev", "--out", str(out), "--report", str(tmp_path / "x.json")]) == 2
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    assert main(["handover", "--stack", "dev", "--out", str(out), "--report", str(bad)]) == 2
    assert "not a readable launchready JSON report" in capsys.readouterr().err
    other = tmp_path / "prod.json"
    other.write_text(json.dumps(report_dict(stack="prod")))
    assert main(["handover", "--stack", "dev", "--out", str(out), "--report", str(other)]) == 2
    assert "the report is for stack 'prod', not 'dev'" in capsys.readouterr().err
