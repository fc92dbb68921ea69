"""The scheduled sweep (`sweep` entry point): parked events dead-lettered with no webhook traffic,
oldest expiry first behind a backlog of younger ones; stuck sync tasks rerun or dead-lettered; Stripe
events that were never delivered pulled and recorded through the webhook's own path."""
from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

import pytest

from launchready.functions.backend import parking, sweep
from launchready.functions.backend.log_messages import SYNC_DEAD_LETTERED, WEBHOOK_EVENT_UNMATCHED
from launchready.functions.backend.stripe_shapes import parse
from launchready.functions.backend.sync.outbox import new_task
from launchready.runtime.processes import stop_pid
from launchready.sandbox.stubs import stripe_events as se
from tests.functions.conftest import _serve
from tests.functions.helpers import customer, docs


@pytest.fixture(scope="module")
def sweep_server(firestore_emulator, tmp_path_factory):
    """`sweep` served by functions-framework with no Stripe key and no CRM token (those parts skip)."""
    proc, url, log = _serve("sweep", firestore_emulator, tmp_path_factory.mktemp("ff"), {})
    yield url, log
    stop_pid(proc.pid)


def _park(batch, db, event_id: str, dead_after: float, created: int) -> None:
    evt = se.event("invoice.paid", se.invoice("cus_" + event_id[-6:], "sub_" + event_id[-6:]),
                   created=created, event_id=event_id)
    record = parking.parked_record(evt, parse(evt["type"], evt["data"]["object"], evt["api_version"]),
                                   [evt["data"]["object"]["customer"]])
    batch.set(db.collection("stripe_events").document(event_id), {**record, "dead_after": dead_after})


def test_expired_parked_event_behind_a_younger_backlog_is_dead_lettered_without_traffic(sweep_server, db, http):
    url, log = sweep_server
    now = time.time()
    batch = db.batch()
    for i in range(parking.SWEEP_BATCH + 50):   # younger, sorting before it by id and by created
        _park(batch, db, f"evt_0backlog{i:04d}", now + 86400, created=int(now) - 10 + (i % 5))
        if i % 200 == 199:
            batch.commit()
            batch = db.batch()
    _park(batch, db, "evt_zz_refund_expired", now - 60, created=int(now) - 7 * 86400)
    batch.commit()
    answer = http.post(url)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["parked_dead_lettered"] == ["evt_zz_refund_expired"]
    assert "STRIPE_SECRET_KEY" in body["stripe"]["skipped"] and "CRM_API_TOKEN" in body["sync"]["skipped"]
    events = docs(db, "stripe_events")
    assert events["evt_zz_refund_expired"]["status"] == "dead"
    assert sum(e["status"] == "parked" for e in events.values()) == parking.SWEEP_BATCH + 50
    alerts = [json.loads(line) for line in log.read_text().splitlines() if WEBHOOK_EVENT_UNMATCHED in line]
    assert [a["event_id"] for a in alerts] == ["evt_zz_refund_expired"]
    assert http.get(url).status_code == 405


def test_the_sweep_pages_through_many_expired_events(db):
    now = time.time()
    batch = db.batch()
    for i in range(25):
        _park(batch, db, f"evt_old{i:03d}", now - 100 + i, created=int(now) - 86400)
    _park(batch, db, "evt_young", now + 3600, created=int(now))
    batch.commit()
    dead = parking.sweep(db, now, batch=10, max_batches=5)
    assert sorted(dead) == [f"evt_old{i:03d}" for i in range(25)]
    assert docs(db, "stripe_events")["evt_young"]["status"] == "parked"


def _task(db, task_id: str, uid: str, attempts: int, due_minutes_ago: float) -> None:
    task = new_task(target="crm", action="upsert_contact", uid=uid, source=f"stripe_events/{task_id}")
    task.update(attempts=attempts, next_attempt_at=datetime.now(UTC) - timedelta(minutes=due_minutes_ago))
    db.collection("sync_tasks").document(task_id).set(task)


def test_stuck_sync_tasks_are_rerun_or_dead_lettered(db, crm_stub, capsys):
    for uid in ("mariner-1", "mariner-2"):
        db.collection("customers").document(uid).set({"uid": uid, "email": f"{uid}@harbour.example",
                                                      "plan_status": "active"})
    _task(db, "evt_a-crm", "mariner-1", attempts=0, due_minutes_ago=90)     # Eventarc gave up long ago
    _task(db, "evt_b-crm", "mariner-2", attempts=2, due_minutes_ago=60)     # one attempt left, CRM down
    _task(db, "evt_c-crm", "mariner-2", attempts=0, due_minutes_ago=1)      # due just now: the worker's
    crm_stub.fail("/crm/", 503, times=None)                                 # the CRM is down
    assert sweep.run(db)["sync"] == {"retry_later": 1, "dead": 1}
    tasks = docs(db, "sync_tasks")
    assert [tasks[t]["status"] for t in ("evt_a-crm", "evt_b-crm", "evt_c-crm")] == ["pending", "dead", "pending"]
    assert tasks["evt_a-crm"]["attempts"] == 1 and "503" in tasks["evt_a-crm"]["last_error"]
    assert SYNC_DEAD_LETTERED in capsys.readouterr().err
    crm_stub.clear_faults()
    assert sweep.run(db)["sync"] == {}                    # a is due again soon: the worker's, not stuck
    _task(db, "evt_a-crm", "mariner-1", attempts=1, due_minutes_ago=30)
    assert sweep.run(db)["sync"] == {"done": 1}
    assert crm_stub.contacts["mariner-1@harbour.example"]["properties"]["plan_status"] == "active"


def test_an_event_stripe_never_delivered_becomes_a_stored_applied_event(db, stripe_api):
    uid, cus, sub = "skipper-40", se.new_id("cus"), se.new_id("sub")
    now = int(time.time())
    delivered = se.event("checkout.session.completed", se.checkout_session(uid, cus, sub, "s40@harbour.example"),
                         created=now - 300)
    missed = se.event("customer.subscription.updated", se.subscription(uid, cus, "active", sub_id=sub),
                      created=now - 200)
    for evt in (delivered, missed):
        stripe_api.add_event(evt)
    stripe_api.add_event(se.event("invoice.upcoming", {"id": "in_x", "object": "invoice"}, created=now - 100))
    from launchready.functions.backend.webhook import record_event
    record_event(delivered, db)
    stripe_api.rate_limit(times=1, retry_after=0)            # the first page is refused once
    first = sweep.run(db)["stripe"]
    assert first == {"listed": 2, "recorded": [missed["id"]], "truncated": False}
    assert docs(db, "stripe_events")[missed["id"]]["status"] == "applied"
    assert customer(db, uid)["plan_status"] == "active"
    assert sweep.run(db)["stripe"]["recorded"] == []
