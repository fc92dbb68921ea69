"""The gate's blocking policy: skips that block, waivers, notApplicable declarations, baselines."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from launchready.checks.framework import Status
from launchready.checks.framework.runner import run_checks
from launchready.config.model import ConfigError
from tests.foundation.gate_fixtures import app_project, gate_context, gate_registry

FUTURE = (date.today() + timedelta(days=60)).isoformat()
PAST = (date.today() - timedelta(days=1)).isoformat()


def results(report, check_id):
    return [r for r in report.results if r.check_id == check_id]


def test_strict_prod_blocks_on_a_skipped_critical_check_and_names_it(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    report = run_checks(gate_context(app_project(tmp_path)), registry=gate_registry())
    assert report.strict  # prod is strict by default
    [skip] = results(report, "app.code.scan")
    assert skip.status is Status.SKIP and skip.blocking
    assert not results(report, "app.code.style")[0].blocking  # low is not a blocking severity
    line = report.summary_line()
    assert "1 blocking check(s) skipped: no --app-dir given: the Flutter code was not read" in line


def test_allow_skips_lets_skips_through_and_says_so(tmp_path) -> None:
    report = run_checks(gate_context(app_project(tmp_path), strict=False), registry=gate_registry())
    assert not results(report, "app.code.scan")[0].blocking
    assert "skipped and allowed by --allow-skips" in report.summary_line()
    assert {r.check_id for r in report.blocking} == {"web.tls.expiry", "billing.stripe.endpoint", "app.secrets.scan"}


@pytest.mark.parametrize("ci,stack,strict", [("true", "dev", True), ("", "dev", False), ("", "prod", True)])
def test_strict_is_the_default_in_ci_and_for_prod(tmp_path, monkeypatch, ci, stack, strict) -> None:
    monkeypatch.setenv("CI", ci)
    assert gate_context(app_project(tmp_path), stack).strict is strict


def test_not_applicable_checks_do_not_run_and_never_block(tmp_path) -> None:
    root = app_project(tmp_path, extra={"notApplicable": {
        "billing": {"reason": "Fernhill invoices by bank transfer; no Stripe", "owner": "@fernhill/finance",
                    "expires": FUTURE},
        "paymnts": {"reason": "a typo that names no check at all", "owner": "ops@fernhill-tutors.io", "expires": FUTURE}}})
    report = run_checks(gate_context(root), registry=gate_registry())
    [na] = results(report, "billing.stripe.endpoint")
    assert na.status is Status.SKIP and not na.blocking and na.waiver.kind == "not-applicable"
    assert "no Stripe" in na.message
    assert any("'paymnts' matches no check" in n for n in report.notices)


def test_a_waiver_accepts_one_subject_with_its_reason(tmp_path) -> None:
    root = app_project(tmp_path, waivers=[{"check": "web.tls.expiry:www.fernhill-tutors.io", "owner": "ops@fernhill-tutors.io",
                                           "reason": "www is being retired next week", "expires": FUTURE},
                                          {"check": "app.code.scan", "owner": "dev@fernhill-tutors.io",
                                           "reason": "the app lives in another repository", "expires": FUTURE}])
    report = run_checks(gate_context(root), registry=gate_registry())
    app, www = results(report, "web.tls.expiry")
    assert app.blocking and app.waiver is None
    assert not www.blocking and www.waiver.reason == "www is being retired next week"
    assert www.waiver.owner == "ops@fernhill-tutors.io" and www.waiver.expires == FUTURE
    assert not results(report, "app.code.scan")[0].blocking  # a waived skip does not block either
    assert report.summary()["waived"] == 2 and report.notices == []


def test_an_expired_waiver_blocks_again_and_unmatched_ones_are_reported(tmp_path) -> None:
    root = app_project(tmp_path, waivers=[
        {"check": "billing.stripe.endpoint", "owner": "a@b.io", "reason": "launching without payments first", "expires": PAST},
        {"check": "web.http.redirect", "owner": "a@b.io", "reason": "stale: it passes now since the fix", "expires": FUTURE},
        {"check": "web.tls.expiry:staging.fernhill-tutors.io", "owner": "a@b.io", "reason": "no such host exists anymore",
         "expires": FUTURE},
        {"check": "dns.records.gone", "owner": "a@b.io", "reason": "the check was renamed last release", "expires": FUTURE},
    ])
    report = run_checks(gate_context(root), registry=gate_registry())
    assert results(report, "billing.stripe.endpoint")[0].blocking
    notices = "\n".join(report.notices)
    assert f"waiver billing.stripe.endpoint (owner a@b.io) expired on {PAST}" in notices
    assert "waiver web.http.redirect matches no failing result" in notices
    assert "waiver web.tls.expiry:staging.fernhill-tutors.io matches no failing result" in notices
    assert "waiver dns.records.gone names no check" in notices


def test_a_waiver_needs_reason_owner_and_expiry(tmp_path) -> None:
    root = app_project(tmp_path, waivers=[{"check": "app.code.scan"}, {"check": "Not An Id", "reason": "xyz",
                                                                       "owner": "me", "expires": "soon"}])
    with pytest.raises(ConfigError) as caught:
        run_checks(gate_context(root), registry=gate_registry())
    text = "\n".join(caught.value.problems)
    assert "waivers[0].reason: missing" in text and "waivers[0].expires: missing" in text
    assert "waivers[1].check: expected a check id" in text and "waivers[1].expires:" in text
    assert "waivers[1].reason: too short" in text and "waivers[1].owner: expected an email" in text


def test_a_baseline_accepts_recorded_findings_but_not_new_ones(tmp_path) -> None:
    from launchready.checks.framework.baseline import write_baseline

    root = app_project(tmp_path)
    first = run_checks(gate_context(root), registry=gate_registry())
    assert write_baseline(first.results, root, tmp_path / "baseline.json") == 4  # failures; skips need a waiver

    refused = run_checks(gate_context(root, baseline=tmp_path / "baseline.json"), registry=gate_registry())
    assert {r.check_id for r in refused.waived} == {"web.tls.expiry"}  # critical prod findings need the flag
    again = run_checks(gate_context(root, baseline=tmp_path / "baseline.json", allow_critical_waivers=True),
                       registry=gate_registry())
    assert [r.check_id for r in again.blocking] == ["app.code.scan"]
    assert {r.waiver.kind for r in again.waived} == {"baseline"} and len(again.waived) == 4

    reg = gate_registry()
    original = reg.get("app.secrets.scan").run

    def one_more(self, ctx):
        result = original(self, ctx)
        result.findings.append(type(result.findings[0])("lib/main.dart", 2, "a Zendesk token"))
        return result

    reg.get("app.secrets.scan").run = one_more
    grown = run_checks(gate_context(root, baseline=tmp_path / "baseline.json", allow_critical_waivers=True), registry=reg)
    assert [r.check_id for r in grown.blocking] == ["app.code.scan", "app.secrets.scan"]


def test_a_damaged_baseline_is_one_clear_error(tmp_path) -> None:
    (tmp_path / "b.json").write_text("[1, 2]")
    with pytest.raises(ConfigError, match="is not a launchready baseline"):
        run_checks(gate_context(app_project(tmp_path / "p"), baseline=tmp_path / "b.json"), registry=gate_registry())


def test_a_blocking_skip_says_how_to_unblock_it(tmp_path) -> None:
    from launchready.checks.framework.gate import SKIP_FIX
    from launchready.checks.reports import render

    report = run_checks(gate_context(app_project(tmp_path)), registry=gate_registry())
    for fmt in ("text", "markdown"):
        assert SKIP_FIX.split(" (")[0] in render(report, fmt).replace("\\", "")
