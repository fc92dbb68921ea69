"""Finished records carry `expire_at` for the TTL policies the program sets on `stripe_events` and
`sync_tasks` (infra/components/firestore.py); records someone must still look at do not."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from launchready.functions.backend.customers import ensure_customer
from launchready.functions.backend.retention import KEEP_DAYS, TTL_FIELD
from launchready.functions.backend.sync.worker import drain
from launchready.functions.backend.webhook import record_event, record_rejected
from launchready.sandbox.stubs import stripe_events as se
from tests.functions.helpers import docs


def _days_left(record: dict) -> float:
    return (record[TTL_FIELD] - datetime.now(UTC)) / timedelta(days=1)


def test_applied_events_and_done_tasks_expire_dead_and_rejected_ones_stay(db, crm_stub):
    ensure_customer("user_7", "grace@example.org", db)
    applied = se.event("customer.subscription.updated", se.subscription("user_7", "cus_7", "active"))
    assert record_event(applied, db).status == "applied"
    ignored = se.event("customer.created", {"id": "cus_8", "object": "customer", "metadata": {}})
    assert record_event(ignored, db).status == "ignored"
    record_rejected(db, {"id": "evt_bad_shape", "type": "invoice.paid"}, "no customer on the invoice")
    events = docs(db, "stripe_events")
    assert KEEP_DAYS["stripe_events"] - 1 < _days_left(events[applied["id"]]) <= KEEP_DAYS["stripe_events"]
    assert TTL_FIELD in events[ignored["id"]]
    assert TTL_FIELD not in events["evt_bad_shape"]          # rejected: kept for whoever replays it
    assert TTL_FIELD not in next(iter(docs(db, "sync_tasks").values()))   # pending: not finished
    assert drain(db=db, timeout=10) == {"done": 2}
    for task in docs(db, "sync_tasks").values():
        assert task["status"] == "done" and 29 < _days_left(task) <= KEEP_DAYS["sync_tasks"]
