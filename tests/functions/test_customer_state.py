"""What verified events do to customers/{uid}: ordering, access changes, matching, sign-up."""
from __future__ import annotations

import json
import random
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from launchready.functions.backend import parking
from launchready.functions.backend.customers import ensure_customer
from launchready.functions.backend.log_messages import WEBHOOK_EVENT_UNMATCHED
from launchready.functions.backend.webhook import record_event
from launchready.sandbox.stubs import stripe_events as se
from tests.functions.helpers import customer, docs, state

T0 = 1_760_000_000


def lifecycle(uid="user_1", cus="cus_life"):
    """Checkout → trial → active → payment failed → recovered → upgraded → canceled."""
    sub_id = "sub_life"
    sub = lambda status, **kw: se.subscription(uid, cus, status, sub_id=sub_id, **kw)  # noqa: E731
    return [
        se.event("checkout.session.completed", se.checkout_session(uid, cus, sub_id, "ada@example.com"), created=T0),
        se.event("customer.subscription.created", sub("trialing", trial_end=T0 + 900), created=T0 + 1),
        se.event("customer.subscription.trial_will_end", sub("trialing", trial_end=T0 + 900), created=T0 + 2),
        se.event("customer.subscription.updated", sub("active"), created=T0 + 10),
        se.event("invoice.paid", se.invoice(cus, sub_id, uid=uid), created=T0 + 11),
        se.event("invoice.payment_failed", se.invoice(cus, sub_id, uid=uid, amount_paid=0), created=T0 + 20),
        se.event("invoice.paid", se.invoice(cus, sub_id, uid=uid), created=T0 + 30),
        se.event("customer.subscription.updated", sub("active", price="price_team", support_tier="priority"),
                 created=T0 + 31),
        se.event("customer.subscription.deleted", sub("canceled", price="price_team"), created=T0 + 40),
    ]


def _replay(db, events):
    for evt in events:
        record_event(evt, db)
    return state(db, "user_1")


def test_lifecycle_in_order_and_shuffled_reach_the_same_state(db, firestore_db):
    events = lifecycle()
    in_order = _replay(db, events)
    assert in_order["plan_status"] == "canceled" and in_order["has_access"] is False
    assert in_order["plan_id"] == "price_team" and in_order["billing_provider_id"] == "cus_life"
    rng = random.Random(7)
    for _ in range(2):
        firestore_db.reset()
        shuffled = events[:]
        rng.shuffle(shuffled)
        assert _replay(db, shuffled + shuffled[:3]) == in_order


def test_older_event_never_overwrites_newer_state(db):
    events = lifecycle()
    record_event(events[3], db)                         # active at T0+10
    outcome = record_event(events[1], db)               # trialing at T0+1 arrives late
    assert outcome.status == "no_change"
    assert customer(db, "user_1")["plan_status"] == "active"
    assert customer(db, "user_1")["last_event_at"] == T0 + 10


@pytest.mark.parametrize("final_event", ["refund", "cancel", "dispute"])
def test_refund_cancellation_and_dispute_revoke_access_within_one_event(db, final_event):
    record_event(se.event("customer.subscription.updated",
                          se.subscription("user_1", "cus_r", "active", support_tier="priority"), created=T0), db)
    assert customer(db, "user_1")["has_access"] is True
    ch = se.charge("cus_r")
    if final_event == "refund":
        evt = se.event("charge.refunded", ch, created=T0 + 5)
    elif final_event == "cancel":
        evt = se.event("customer.subscription.deleted", se.subscription("user_1", "cus_r", "canceled"), created=T0 + 5)
    else:
        record_event(se.event("invoice.paid", se.invoice("cus_r", "sub_x", charge=ch["id"]), created=T0 + 1), db)
        evt = se.event("charge.dispute.created", se.dispute(ch["id"]), created=T0 + 5)
    assert record_event(evt, db).status == "applied"
    record = customer(db, "user_1")
    assert record["has_access"] is False and record["support_tier"] == "free"


def test_partial_refund_keeps_access(db):
    record_event(se.event("customer.subscription.updated", se.subscription("user_1", "cus_p", "active"),
                          created=T0), db)
    outcome = record_event(se.event("charge.refunded", se.charge("cus_p", refunded=False), created=T0 + 5), db)
    assert outcome.status == "ignored"
    assert customer(db, "user_1")["has_access"] is True


def test_invoice_without_metadata_is_matched_through_the_stripe_customer(db):
    record_event(se.event("checkout.session.completed", se.checkout_session("user_1", "cus_m", "sub_m"),
                          created=T0), db)
    outcome = record_event(se.event("invoice.payment_failed", se.invoice("cus_m", "sub_m"), created=T0 + 3), db)
    assert (outcome.status, outcome.uid) == ("applied", "user_1")
    assert customer(db, "user_1")["plan_status"] == "past_due"


def test_unlinkable_event_is_parked_not_dropped_and_alerts_only_when_dead(db, capsys):
    evt = se.event("invoice.paid", se.invoice("cus_nobody", "sub_nobody"), created=T0)
    assert record_event(evt, db).status == "parked"
    assert docs(db, "stripe_events")[evt["id"]]["status"] == "parked"
    assert not docs(db, "customers") and not docs(db, "sync_tasks")
    assert parking.sweep(db) == []                                   # still inside its bound
    assert parking.sweep(db, now=time.time() + parking.DEFAULT_PARK_SECONDS + 1) == [evt["id"]]
    assert docs(db, "stripe_events")[evt["id"]]["status"] == "dead"
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    assert [(e["severity"], e["message"], e["event_id"]) for e in lines] == [("ERROR", WEBHOOK_EVENT_UNMATCHED, evt["id"])]
    assert parking.sweep(db, now=time.time() + parking.DEFAULT_PARK_SECONDS + 1) == []   # alerts once


def test_a_uid_that_is_not_a_document_id_is_rejected_not_a_crash(db):
    obj = se.subscription("users/u1", "cus_bad", "active")
    evt = se.event("customer.subscription.updated", obj, created=T0)
    assert record_event(evt, db).status == "rejected"
    assert "firebase_uid" in docs(db, "stripe_events")[evt["id"]]["reason"]


def test_concurrent_events_for_one_customer_all_apply(db):
    """Stripe delivers in parallel to several instances: aborted transactions are retried, nothing is lost."""
    events = lifecycle()[3:6]
    with ThreadPoolExecutor(3) as pool:
        outcomes = list(pool.map(lambda evt: record_event(evt, db, serialize=False), events))
    assert {o.status for o in outcomes} <= {"applied", "no_change"}
    assert len(docs(db, "stripe_events")) == 3
    assert customer(db, "user_1")["plan_status"] == "past_due"   # the newest of the three


def test_sign_up_creates_exactly_one_customer_even_after_an_early_webhook(db):
    record_event(se.event("customer.subscription.created", se.subscription("user_7", "cus_7", "active"),
                          created=T0), db)
    assert ensure_customer("user_7", "grace@example.com", db) is False
    assert ensure_customer("user_7", "other@example.com", db) is False
    assert ensure_customer("user_8", "alan@example.com", db) is True
    assert ensure_customer("user_8", "alan@example.com", db) is False
    records = docs(db, "customers")
    assert sorted(records) == ["user_7", "user_8"]
    assert records["user_7"]["email"] == "grace@example.com" and records["user_7"]["plan_status"] == "active"


def test_a_failed_delivery_writes_nothing_and_the_redelivery_is_exact(db, monkeypatch):
    import launchready.functions.backend.webhook as webhook

    real, calls = webhook.enqueue_customer_sync, []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("instance crashed mid-transaction")
        return real(*args, **kwargs)

    monkeypatch.setattr(webhook, "enqueue_customer_sync", flaky)
    evt = lifecycle()[3]
    with pytest.raises(RuntimeError):          # functions-framework answers 500; Stripe redelivers
        record_event(evt, db)
    assert not docs(db, "stripe_events") and not docs(db, "customers") and not docs(db, "sync_tasks")
    assert record_event(evt, db).status == "applied"
    assert record_event(evt, db).status == "duplicate"
    assert len(docs(db, "sync_tasks")) == 2 and customer(db, "user_1")["plan_status"] == "active"


def test_a_drain_that_failed_is_finished_by_the_sweep(db, monkeypatch):
    """The linking event is committed before it drains: if draining fails, the sweep applies the parked one."""
    import launchready.functions.backend.webhook as webhook

    early = se.event("invoice.payment_failed", se.invoice("cus_sw", "sub_sw"), created=T0 + 5)
    assert record_event(early, db).status == "parked"
    monkeypatch.setattr(webhook.parking, "drain", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("crashed")))
    link = se.event("checkout.session.completed", se.checkout_session("user_sw", "cus_sw", "sub_sw"), created=T0)
    assert record_event(link, db).status == "applied"
    assert docs(db, "stripe_events")[early["id"]]["status"] == "parked"
    assert parking.sweep(db, apply=webhook.apply_parked) == []
    assert docs(db, "stripe_events")[early["id"]]["status"] == "applied"
    assert customer(db, "user_sw")["plan_status"] == "past_due"


def test_a_dead_letter_is_replayed_to_the_user_a_person_names(db):
    from launchready.functions.backend.replay import ReplayError, replay

    evt = se.event("charge.refunded", se.charge("cus_lost"), created=T0)
    assert record_event(evt, db).status == "parked"
    parking.sweep(db, now=time.time() + parking.DEFAULT_PARK_SECONDS + 1)
    with pytest.raises(ReplayError):
        replay(evt["id"], uid="__x__", db=db)
    assert replay(evt["id"], db=db).status == "parked"              # still nothing links it
    outcome = replay(evt["id"], uid="user_lost", db=db)
    assert (outcome.status, outcome.uid) == ("applied", "user_lost")
    assert customer(db, "user_lost")["plan_status"] == "canceled"
    later = se.event("charge.dispute.created", {**se.dispute(evt["data"]["object"]["id"])}, created=T0 + 1)
    assert record_event(later, db).uid == "user_lost"                 # its ids are linked now
    with pytest.raises(ReplayError):
        replay(evt["id"], db=db)                                      # applied events are not replayed twice
