"""The backend's own repair paths, used by `launchready reconcile --fix` (and by hand in an incident).

Each one is idempotent — a second call after success changes nothing — and goes through the same
transactions and outbox as normal traffic:
- `requeue`: a dead sync task back to `pending`, with its attempts reset (the worker runs it again);
- `resync`: a new customer-sync task for one target (the CRM contact is missing or stale);
- `restore`: the fields a (re-fetched) Stripe event owns by version written back to its values — a
  hand edit of `customers/{uid}` undone exactly as in-order delivery would have left it.
"""
from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from . import billing
from .customers import customer_ref
from .docids import safe_id
from .rate_limit import user_key
from .store import run_transaction, server_timestamp
from .stripe_shapes import parse
from .sync.outbox import CUSTOMER_ACTIONS, SYNC_TASKS, enqueue, enqueue_customer_sync

if TYPE_CHECKING:
    from google.cloud.firestore import Client


def requeue(db: Client, task_id: str) -> bool:
    """A `dead` task back to `pending` with fresh attempts; False if it is not dead (nothing done)."""
    ref = db.collection(SYNC_TASKS).document(task_id)

    def body(txn, _attempt: int) -> bool:
        snap = ref.get(transaction=txn)
        if not snap.exists or snap.get("status") != "dead":
            return False
        txn.update(ref, {"status": "pending", "attempts": 0, "next_attempt_at": datetime.now(UTC),
                         "lease_until": None, "requeued_from": snap.get("last_error"),
                         "updated_at": server_timestamp()})
        return True

    return run_transaction(db, body)


def resync(db: Client, uid: str, target: str) -> str:
    """Enqueue one customer sync to `target` (`crm` or `support`); the new task's id."""
    source_id = f"reconcile-{user_key(uid)[:20]}-{int(time.time() * 1000)}"

    def body(txn, _attempt: int) -> str:
        return enqueue(txn, db, source_id=source_id, source=f"reconcile/{uid}", uid=uid, target=target,
                       action=CUSTOMER_ACTIONS[target])

    return run_transaction(db, body)


def restore(db: Client, uid: str, event: Mapping[str, Any]) -> list[str]:
    """Write back the fields `event` owns by version where they differ; enqueue the customer sync when
    anything changed. The names of the fields restored (empty: nothing to do)."""
    parsed = parse(event["type"], event["data"]["object"], event.get("api_version"))
    eff = billing.effect(event["type"], parsed)
    ours = billing.version(event["created"], event["id"])
    ref = customer_ref(db, uid)

    def body(txn, _attempt: int) -> list[str]:
        snap = ref.get(transaction=txn)
        if not snap.exists:
            return []
        current = snap.to_dict() or {}
        versions = current.get("versions") or {}
        updates = {name: value for name, value in eff.versioned.items()
                   if versions.get(name) == ours and current.get(name) != value}
        tier = billing.support_tier({**current, **updates})
        if updates and current.get("support_tier") != tier:
            updates["support_tier"] = tier
        if updates:
            txn.update(ref, updates)
            enqueue_customer_sync(txn, db, source_id=f"restore-{safe_id(event['id'])}-{int(time.time() * 1000)}",
                                  source=f"reconcile/{uid}", uid=uid)
        return sorted(updates)

    return run_transaction(db, body)
