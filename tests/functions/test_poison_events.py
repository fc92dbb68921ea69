"""Poison events: validly signed, but not applicable — 200 + a `rejected` record, never a 5xx."""
from __future__ import annotations

import json

import pytest

from launchready.functions.backend.log_messages import WEBHOOK_EVENT_REJECTED
from launchready.sandbox.stubs import stripe_events as se
from tests.functions.helpers import deliver, docs

T0 = 1_760_000_000


def _sub(**changes):
    obj = se.subscription("user_p", "cus_p", "active", sub_id="sub_p")
    obj.update(changes)
    return se.event("customer.subscription.updated", obj, created=T0)


def _invoice(**changes):
    obj = se.invoice("cus_p", "sub_p", uid="user_p")
    obj.update(changes)
    return se.event("invoice.paid", obj, created=T0)


def _checkout(uid):
    return se.event("checkout.session.completed", se.checkout_session(uid, "cus_p", "sub_p"), created=T0)


POISON = {
    "reserved_client_reference_id": lambda: _checkout("__x__"),
    "slash_in_client_reference_id": lambda: _checkout("users/u1"),
    "overlong_uid": lambda: _checkout("u" * 200),
    "list_for_customer": lambda: _sub(customer=["cus_p"]),
    "dict_for_status": lambda: _sub(status={"value": "active"}),
    "amount_paid_as_string": lambda: _invoice(amount_paid="1900"),
    "amount_paid_beyond_64_bits": lambda: _invoice(amount_paid=2 ** 64),
    "amount_paid_negative_beyond_64_bits": lambda: _invoice(amount_paid=-(2 ** 70)),
    "refunded_as_string": lambda: se.event("charge.refunded", {**se.charge("cus_p"), "refunded": "yes"}, created=T0),
    "metadata_uid_as_list": lambda: _sub(metadata={"firebase_uid": ["user_p"]}),
    "object_id_missing": lambda: _sub(id=None),
    "object_id_with_slash": lambda: _sub(id="sub/../../x"),
    "wrong_object_kind": lambda: _sub(object="invoice"),
    "trial_end_as_float": lambda: _sub(trial_end=1.5),
    "created_beyond_64_bits": lambda: {**_sub(), "created": 2 ** 70},
    "created_as_string": lambda: {**_sub(), "created": "1760000000"},
    "type_as_list": lambda: {**_sub(), "type": ["invoice.paid"]},
    "id_as_list": lambda: {**_sub(), "id": ["evt_1"]},
    "data_object_as_list": lambda: {**_sub(), "data": {"object": []}},
    "api_version_as_number": lambda: {**_sub(), "api_version": 20240620},
}


@pytest.fixture
def server(webhook_server, db):
    return webhook_server


@pytest.mark.parametrize("variant", sorted(POISON))
def test_poison_event_gets_200_and_a_rejected_record(server, http, db, variant):
    url, log_file = server
    evt = POISON[variant]()
    response = deliver(http, url, evt)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "rejected"
    records = list(docs(db, "stripe_events").values())
    assert [r["status"] for r in records] == ["rejected"] and records[0]["reason"]
    assert not docs(db, "customers") and not docs(db, "sync_tasks")
    assert deliver(http, url, evt).json()["status"] == "duplicate"        # Stripe's retry changes nothing
    logged = [json.loads(line) for line in log_file.read_text().splitlines() if line.startswith("{")]
    assert any(entry.get("message") == WEBHOOK_EVENT_REJECTED and entry.get("severity") == "ERROR" for entry in logged)


@pytest.mark.parametrize("event_id", ["__evt__", "evt/../x", "." , "e" * 600])
def test_any_event_id_gets_a_safe_document_id(server, http, db, event_id):
    evt = {**_sub(), "id": event_id}
    response = deliver(http, server[0], evt)
    assert response.status_code == 200 and response.json()["status"] in ("applied", "rejected")
    assert len(docs(db, "stripe_events")) == 1
    assert deliver(http, server[0], evt).json()["status"] == "duplicate"


def test_a_poison_event_does_not_block_the_next_one(server, http, db):
    assert deliver(http, server[0], _invoice(amount_paid="1900")).json()["status"] == "rejected"
    assert deliver(http, server[0], _sub()).json()["status"] == "applied"
    assert docs(db, "customers")["user_p"]["plan_status"] == "active"
