"""functions.* readiness checks: the in-process webhook contract and the plan's event list."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from launchready.checks.catalog.functions import webhook as webhook_check
from launchready.checks.catalog.functions.webhook import HandledEventsMatchPlan, WebhookContract, _Harness
from launchready.checks.framework.base import Status
from launchready.checks.framework.context import CheckContext, CheckOptions
from launchready.functions.backend.events import HANDLED_EVENTS


@dataclass
class Resource:
    type: str
    name: str
    inputs: dict[str, Any] = field(default_factory=dict)


@dataclass
class Plan:
    resources: list[Resource]


def test_contract_holds_for_the_real_handler(firestore_emulator):
    result = WebhookContract().judge(_Harness(firestore_emulator.host), "sandbox")
    assert result.status is Status.PASS, result.message
    assert set(result.evidence["clauses"].values()) == {"holds"}


def test_contract_fails_when_verification_is_skipped(firestore_emulator, monkeypatch):
    import json

    import launchready.functions.backend.webhook as webhook

    monkeypatch.setattr(webhook, "verify", lambda payload, signature, secret: json.loads(payload))
    result = WebhookContract().judge(_Harness(firestore_emulator.host), "sandbox")
    assert result.status is Status.FAIL
    clauses = result.evidence["clauses"]
    assert clauses["rejects_unsigned"].startswith("unsigned: HTTP 200")
    assert clauses["rejects_expired"] != "holds" and clauses["rejects_other_methods"] == "holds"


def test_contract_check_starts_a_private_emulator_without_a_sandbox(tmp_path, monkeypatch):
    monkeypatch.setattr(webhook_check, "CACHE_DIR", tmp_path)   # nothing remembered from earlier runs
    result = WebhookContract().run(CheckContext(CheckOptions(stack="dev")))
    assert result.status is Status.PASS and result.evidence["emulator"] == "private"
    assert "remembered_from" not in result.evidence


def _no_emulator(monkeypatch) -> list[int]:
    from launchready.runtime.firestore_emulator import FirestoreEmulator
    from launchready.runtime.processes import ServiceError

    starts: list[int] = []

    def start(self, *args, **kwargs):
        starts.append(1)
        raise ServiceError("no JVM this time")
    monkeypatch.setattr(FirestoreEmulator, "start", start)
    return starts


def test_a_private_pass_is_remembered_until_what_it_depends_on_changes(tmp_path, monkeypatch):
    monkeypatch.setattr(webhook_check, "CACHE_DIR", tmp_path)
    run = lambda: WebhookContract().run(CheckContext(CheckOptions(stack="dev")))  # noqa: E731
    assert run().status is Status.PASS and len(list(tmp_path.glob("*.json"))) == 1
    starts = _no_emulator(monkeypatch)
    again = run()
    assert again.status is Status.PASS and again.evidence["remembered_from"] and not starts
    assert set(again.evidence["clauses"].values()) == {"holds"}
    key = webhook_check.verdict_key()
    monkeypatch.setattr(webhook_check, "verdict_key", lambda: key + "-backend-edited")
    assert run().status is Status.SKIP and starts == [1]
    monkeypatch.setattr(webhook_check, "verdict_key", lambda: key)
    monkeypatch.setenv("LAUNCHREADY_PLAN_CACHE", "0")
    assert run().status is Status.SKIP and starts == [1, 1]


def test_the_key_changes_with_the_backend_source(monkeypatch):
    from launchready.infra import plan as plan_module

    before = webhook_check.verdict_key()
    original = plan_module.source_digest
    monkeypatch.setattr(plan_module, "source_digest", lambda paths: original(paths) + "x")
    assert webhook_check.verdict_key() != before


def test_a_failing_verdict_is_never_remembered(tmp_path, monkeypatch):
    import json

    import launchready.functions.backend.webhook as webhook

    monkeypatch.setattr(webhook_check, "CACHE_DIR", tmp_path)
    monkeypatch.setattr(webhook, "verify", lambda payload, signature, secret: json.loads(payload))
    assert WebhookContract().run(CheckContext(CheckOptions(stack="dev"))).status is Status.FAIL
    assert not list(tmp_path.glob("*.json"))


def _endpoint(events, version="2025-03-31.basil"):
    return Resource("pulumi-python:dynamic:Resource", "stripe-webhook-endpoint",
                    {"url": "https://api.example.com/stripe_webhook", "enabled_events": events, "api_version": version})


def test_an_endpoint_pinned_before_basil_is_not_asked_for_basil_only_events():
    legacy = [e for e in HANDLED_EVENTS if e != "invoice_payment.paid"]
    [result] = HandledEventsMatchPlan().compare(Plan([_endpoint(legacy, "2024-06-20")]))
    assert result.status is Status.PASS
    [result] = HandledEventsMatchPlan().compare(Plan([_endpoint(list(HANDLED_EVENTS), "2024-06-20")]))
    assert result.status is Status.FAIL and result.evidence["sent_but_not_handled"] == ["invoice_payment.paid"]


def test_event_list_matches_plan():
    [result] = HandledEventsMatchPlan().compare(Plan([Resource("gcp:x", "other"), _endpoint(list(HANDLED_EVENTS))]))
    assert result.status is Status.PASS


@pytest.mark.parametrize("events,missing,extra", [
    (list(HANDLED_EVENTS[:-1]), [HANDLED_EVENTS[-1]], []),
    (list(HANDLED_EVENTS) + ["customer.created"], [], ["customer.created"]),
    (["*"], sorted(HANDLED_EVENTS), ["*"]),
])
def test_event_list_differences_fail_with_both_directions(events, missing, extra):
    [result] = HandledEventsMatchPlan().compare(Plan([_endpoint(events)]))
    assert result.status is Status.FAIL
    assert result.evidence["not_sent_by_stripe"] == sorted(missing)
    assert result.evidence["sent_but_not_handled"] == extra


def test_plan_without_endpoint_fails_and_unbuildable_plan_skips():
    [result] = [HandledEventsMatchPlan().compare(Plan([Resource("gcp:x", "other")]))]
    assert result.status is Status.FAIL

    class Broken:
        @property
        def plan(self):
            raise RuntimeError("mocks exploded")

    skipped = HandledEventsMatchPlan().run(Broken())
    assert skipped.status is Status.SKIP and "mocks exploded" in skipped.message
