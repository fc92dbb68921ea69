"""webhook.probe.* against small local webhook servers; stripe.endpoint.* against the Stripe stand-in."""
from __future__ import annotations

import pytest

from launchready.checks.framework.base import Status
from launchready.checks.framework.runner import run_checks
from launchready.functions.backend.events import STRIPE_API_VERSION, endpoint_events
from launchready.runtime.processes import free_port
from launchready.sandbox.stubs.stripe_api import StripeApiStub
from tests.checks_live.conftest import context, make_config, run_check, statuses
from tests.checks_live.standins import WebhookServer

pytestmark = pytest.mark.live   # talks to running servers (Knot, TLS, stand-ins); `-m 'not live'` skips

WEBHOOK_URL = "https://api.acme.test/stripe_webhook"


def probe_context(url: str):
    return context(make_config(), webhook_url=url, only=("webhook",))


def test_handler_that_verifies_signatures_passes_and_never_gets_a_valid_signature():
    with WebhookServer() as server:
        report = run_checks(probe_context(f"{server.base_url}/stripe_webhook"))
    assert {r.check_id: r.status.value for r in report.results} == {
        "webhook.probe.unsigned": "pass", "webhook.probe.bad_signature": "pass"}
    assert len(server.received) == 2
    assert not any(r["signed"] for r in server.received)
    assert sorted(r["header"] is None for r in server.received) == [False, True]
    assert all(r["body"]["type"] == "launchready.probe" for r in server.received)


@pytest.mark.parametrize("status,expected,says", [(200, "fail", "anyone can forge"), (500, "fail", "expected 400"),
                                                  (401, "warn", "401")])
def test_handler_that_does_not_reject_with_400_is_reported(status, expected, says):
    with WebhookServer(verify=False, status=status) as server:
        report = run_checks(probe_context(f"{server.base_url}/stripe_webhook"))
    assert [r.status.value for r in report.results] == [expected, expected]
    assert all(says in r.message for r in report.results)


def test_unreachable_webhook_is_a_clear_failure():
    report = run_checks(probe_context(f"http://127.0.0.1:{free_port()}/stripe_webhook"))
    assert [r.status.value for r in report.results] == ["fail", "fail"]
    assert all("unreachable" in r.message for r in report.results)


# ---------------------------------------------------------------- Stripe endpoint

ENDPOINT_CHECKS = ("stripe.endpoint.exists", "stripe.endpoint.enabled", "stripe.endpoint.events",
                   "stripe.endpoint.api_version", "stripe.endpoint.key_mode")


@pytest.fixture
def stripe_api():
    with StripeApiStub() as stub:
        yield stub


def stripe_results(stub, monkeypatch, key: str = "sk_live_" + "x" * 24, environment: str = "prod"):
    monkeypatch.setenv("STRIPE_SECRET_KEY", key)
    ctx = context(make_config(environment=environment), stripe_api_base=stub.base_url, only=("stripe",))
    return {r.check_id: r for r in run_checks(ctx).results}


def test_planned_endpoint_passes(stripe_api, monkeypatch):
    stripe_api.add_endpoint(url="https://elsewhere.test/hook", enabled_events=["*"], livemode=True)
    stripe_api.add_endpoint(url=WEBHOOK_URL, enabled_events=endpoint_events(STRIPE_API_VERSION), livemode=True,
                            api_version=STRIPE_API_VERSION)
    results = stripe_results(stripe_api, monkeypatch)
    assert {k: r.status.value for k, r in results.items()} == dict.fromkeys(ENDPOINT_CHECKS, "pass")


def test_missing_endpoint_fails_once_and_the_rest_skip(stripe_api, monkeypatch):
    stripe_api.add_endpoint(url="https://elsewhere.test/hook", enabled_events=endpoint_events(STRIPE_API_VERSION), livemode=True)
    results = stripe_results(stripe_api, monkeypatch)
    assert results["stripe.endpoint.exists"].status is Status.FAIL
    assert results["stripe.endpoint.exists"].evidence["endpoint_urls"] == ["https://elsewhere.test/hook"]
    assert {results[k].status for k in ("stripe.endpoint.enabled", "stripe.endpoint.events",
                                        "stripe.endpoint.api_version")} == {Status.SKIP}


def test_disabled_endpoint_with_wrong_events_and_no_pinned_version(stripe_api, monkeypatch):
    events = [e for e in endpoint_events(None) if e != "invoice.paid"] + ["customer.created"]
    stripe_api.add_endpoint(url=WEBHOOK_URL, enabled_events=events, livemode=True, status="disabled")
    results = stripe_results(stripe_api, monkeypatch)
    assert results["stripe.endpoint.enabled"].status is Status.FAIL
    events_result = results["stripe.endpoint.events"]
    assert events_result.status is Status.FAIL
    assert events_result.evidence["missing"] == ["invoice.paid"]
    assert events_result.evidence["extra"] == ["customer.created"]
    assert results["stripe.endpoint.api_version"].status is Status.FAIL
    assert "unpinned" in results["stripe.endpoint.api_version"].message


def test_test_key_in_prod_is_a_mode_mismatch(stripe_api, monkeypatch):
    stripe_api.add_endpoint(url=WEBHOOK_URL, enabled_events=endpoint_events(STRIPE_API_VERSION), livemode=True,
                            api_version=STRIPE_API_VERSION)
    results = stripe_results(stripe_api, monkeypatch, key="sk_test_" + "y" * 24)
    assert results["stripe.endpoint.key_mode"].status is Status.FAIL
    # the live-mode endpoint is invisible to a test key, as on api.stripe.com
    assert results["stripe.endpoint.exists"].status is Status.FAIL


def test_live_key_outside_prod_is_a_mode_mismatch(stripe_api, monkeypatch):
    results = stripe_results(stripe_api, monkeypatch, environment="staging")
    assert results["stripe.endpoint.key_mode"].status is Status.FAIL
    assert "expected test" in results["stripe.endpoint.key_mode"].message


def test_without_a_key_every_stripe_check_skips_and_says_how_to_provide_one(monkeypatch):
    monkeypatch.delenv("STRIPE_SECRET_KEY", raising=False)
    results = run_check("stripe.endpoint.exists", context(make_config()))
    assert statuses(results) == ["skip"] and "STRIPE_SECRET_KEY" in results[0].message


def test_rejected_key_and_unreachable_api_are_clear_failures(stripe_api, monkeypatch):
    rejected = stripe_results(stripe_api, monkeypatch, key="pk_live_" + "z" * 24)["stripe.endpoint.exists"]
    assert rejected.status is Status.FAIL and "rejected the key" in rejected.message
    monkeypatch.setenv("STRIPE_SECRET_KEY", "sk_live_" + "x" * 24)
    ctx = context(make_config(), stripe_api_base=f"http://127.0.0.1:{free_port()}")
    down = run_check("stripe.endpoint.exists", ctx)[0]
    assert down.status is Status.FAIL and "unreachable" in down.message


@pytest.mark.parametrize("version,status", [("2025-03-31.basil", Status.PASS), ("2026-10-28.endive", Status.PASS),
                                            ("2024-04-10", Status.FAIL), ("2027-02-24.fig", Status.FAIL)])
def test_endpoint_api_version_must_be_inside_the_supported_range(stripe_api, monkeypatch, version, status):
    stripe_api.add_endpoint(url=WEBHOOK_URL, enabled_events=endpoint_events(STRIPE_API_VERSION), livemode=True, api_version=version)
    result = stripe_results(stripe_api, monkeypatch)["stripe.endpoint.api_version"]
    assert result.status is status and result.evidence["api_version"] == version
    if status is Status.FAIL:
        assert "outside the versions the functions parse" in result.message


def test_during_an_upgrade_both_endpoints_on_the_url_are_judged(stripe_api, monkeypatch):
    stripe_api.add_endpoint(url=WEBHOOK_URL, enabled_events=endpoint_events(STRIPE_API_VERSION), livemode=True,
                            api_version=STRIPE_API_VERSION)
    stripe_api.add_endpoint(url=WEBHOOK_URL, enabled_events=endpoint_events(STRIPE_API_VERSION), livemode=True,
                            api_version="2026-10-28.endive")
    assert stripe_results(stripe_api, monkeypatch)["stripe.endpoint.api_version"].status is Status.PASS
    stripe_api.add_endpoint(url=WEBHOOK_URL, enabled_events=endpoint_events(STRIPE_API_VERSION), livemode=True,
                            api_version="2027-02-24.fig")
    result = stripe_results(stripe_api, monkeypatch)["stripe.endpoint.api_version"]
    assert result.status is Status.FAIL and "2027-02-24.fig" in result.message
    assert len(result.evidence["overlapping_endpoints"]) == 3


def test_an_unreachable_stripe_api_is_said_once_in_a_few_words(monkeypatch):
    monkeypatch.setenv("STRIPE_SECRET_KEY", "sk_live_" + "x" * 24)
    ctx = context(make_config(), stripe_api_base=f"http://127.0.0.1:{free_port()}", only=("stripe.endpoint",))
    report = run_checks(ctx)
    failed = [r for r in report.results if r.status is Status.FAIL]
    assert [r.check_id for r in failed] == ["stripe.endpoint.exists"]
    assert failed[0].message.endswith("unreachable (Connection refused)")
    others = [r for r in report.results if r.check_id != "stripe.endpoint.exists" and r.check_id != "stripe.endpoint.key_mode"]
    assert others and all(r.status is Status.SKIP and "see stripe.endpoint.exists" in r.message for r in others)
    assert not any("Max retries" in r.message or "HTTPConnectionPool" in r.message for r in report.results)
