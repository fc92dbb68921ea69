"""Small helpers shared by the functions tests: signed delivery and reading the emulator's state."""
from __future__ import annotations

from typing import Any

from launchready.sandbox.stubs import stripe_events as se
from tests.functions.conftest import WEBHOOK_SECRET


def deliver(http, url: str, evt: dict[str, Any], **kwargs):
    body, headers = se.signed(evt, WEBHOOK_SECRET, **kwargs)
    return http.post(url, content=body, headers=headers)


def docs(db, collection: str) -> dict[str, dict[str, Any]]:
    return {snap.id: snap.to_dict() for snap in db.collection(collection).get()}


def customer(db, uid: str) -> dict[str, Any]:
    return db.collection("customers").document(uid).get().to_dict()


STATE_FIELDS = ("plan_status", "has_access", "plan_id", "support_tier", "billing_provider_id",
                "stripe_subscription_id", "trial_ends_at", "last_event_at", "email")


def state(db, uid: str) -> dict[str, Any]:
    record = customer(db, uid) or {}
    return {name: record.get(name) for name in STATE_FIELDS}
