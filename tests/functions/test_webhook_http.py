"""`stripe_webhook` over real HTTP (functions-framework) against the Firestore emulator."""
from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from launchready.sandbox.stubs import stripe_events as se
from tests.functions.conftest import WEBHOOK_SECRET
from tests.functions.helpers import customer, deliver, docs


@pytest.fixture
def server(webhook_server, db):
    return webhook_server[0]


def _subscription_event(uid="user_1", status="active"):
    return se.event("customer.subscription.updated", se.subscription(uid, "cus_1", status))


def _nothing_written(db):
    return not docs(db, "stripe_events") and not docs(db, "customers") and not docs(db, "sync_tasks")


def test_signed_event_is_recorded_applied_and_enqueued(server, http, db):
    evt = _subscription_event()
    response = deliver(http, server, evt)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "applied"
    record = docs(db, "stripe_events")[evt["id"]]
    assert record["status"] == "applied" and record["uid"] == "user_1"
    assert customer(db, "user_1")["plan_status"] == "active"
    tasks = docs(db, "sync_tasks")
    assert sorted(t["target"] for t in tasks.values()) == ["crm", "support"]
    assert all(t["status"] == "pending" and t["attempts"] == 0 for t in tasks.values())


@pytest.mark.parametrize("case", ["unsigned", "tampered", "wrong_secret", "expired", "garbage_header"])
def test_unverifiable_requests_are_rejected_without_writes(server, http, db, case):
    evt = _subscription_event()
    body, headers = se.signed(evt, WEBHOOK_SECRET)
    if case == "unsigned":
        headers.pop("Stripe-Signature")
    elif case == "tampered":
        body = body.replace(b'"active"', b'"canceled"')
    elif case == "wrong_secret":
        body, headers = se.signed(evt, "whsec_someone_else")
    elif case == "expired":
        body, headers = se.signed(evt, WEBHOOK_SECRET, timestamp=int(time.time()) - 301)
    else:
        headers["Stripe-Signature"] = "not-a-signature"
    response = http.post(server, content=body, headers=headers)
    assert response.status_code == 400
    assert "error" in response.json()
    assert _nothing_written(db)


@pytest.mark.parametrize("payload", [b"{not json", b'{"id": "evt_1", "type": "x"}', b"[]", b"[" * 30000])
def test_signed_but_malformed_payloads_are_recorded_rejected_and_answered_200(server, http, db, payload):
    """Stripe signed it, so a 4xx/5xx would only make Stripe retry it for days: record it and move on."""
    headers = {"Stripe-Signature": se.signature(payload, WEBHOOK_SECRET)}
    response = http.post(server, content=payload, headers=headers)
    assert response.status_code == 200 and response.json()["status"] == "rejected"
    records = list(docs(db, "stripe_events").values())
    assert [r["status"] for r in records] == ["rejected"] and records[0]["reason"]
    assert not docs(db, "customers") and not docs(db, "sync_tasks")
    assert http.post(server, content=payload, headers=headers).json()["status"] == "duplicate"


def test_other_methods_are_405_and_oversized_bodies_413(server, http, db):
    assert http.get(server).status_code == 405
    evt = _subscription_event()
    evt["data"]["object"]["padding"] = "x" * (1024 * 1024)
    assert deliver(http, server, evt).status_code == 413
    assert _nothing_written(db)


def test_same_event_ten_times_in_a_row_has_one_effect(server, http, db):
    evt = _subscription_event()
    statuses = [deliver(http, server, evt).json()["status"] for _ in range(10)]
    assert statuses == ["applied"] + ["duplicate"] * 9
    assert len(docs(db, "stripe_events")) == 1 and len(docs(db, "sync_tasks")) == 2


def test_same_event_delivered_twice_concurrently_has_one_effect(server, http, db):
    evt = _subscription_event()
    with ThreadPoolExecutor(2) as pool:
        responses = list(pool.map(lambda _: deliver(http, server, evt), range(2)))
    assert [r.status_code for r in responses] == [200, 200]
    assert sorted(r.json()["status"] for r in responses) == ["applied", "duplicate"]
    assert len(docs(db, "sync_tasks")) == 2
    assert customer(db, "user_1")["plan_status"] == "active"


def test_unhandled_verified_type_is_recorded_and_acknowledged(server, http, db):
    evt = se.event("customer.created", {"id": "cus_9", "object": "customer", "metadata": {}})
    response = deliver(http, server, evt)
    assert response.status_code == 200 and response.json()["status"] == "ignored"
    assert docs(db, "stripe_events")[evt["id"]]["status"] == "ignored"
    assert not docs(db, "customers") and not docs(db, "sync_tasks")


def test_secret_never_appears_in_responses_or_logs(webhook_server, http, db):
    url, log = webhook_server
    deliver(http, url, _subscription_event())
    http.post(url, content=json.dumps({}).encode(), headers={"Stripe-Signature": "t=1,v1=00"})
    assert WEBHOOK_SECRET not in log.read_text()


def test_during_an_upgrade_either_endpoints_signature_verifies(monkeypatch):
    from launchready.functions.backend.webhook import BadRequest, signing_secrets, verify

    monkeypatch.setenv("STRIPE_WEBHOOK_SECRET", WEBHOOK_SECRET)
    monkeypatch.setenv("STRIPE_WEBHOOK_SECRET_NEXT", "whsec_next_endpoint")
    assert signing_secrets() == (WEBHOOK_SECRET, "whsec_next_endpoint")
    evt = _subscription_event()
    for secret in signing_secrets():
        body, headers = se.signed(evt, secret)
        assert verify(body, headers["Stripe-Signature"], signing_secrets())["id"] == evt["id"]
    body, headers = se.signed(evt, "whsec_someone_else")
    with pytest.raises(BadRequest):
        verify(body, headers["Stripe-Signature"], signing_secrets())
    monkeypatch.delenv("STRIPE_WEBHOOK_SECRET_NEXT")
    assert signing_secrets() == (WEBHOOK_SECRET,)
