"""`sync_tasks/{task_id}`: one task per (source, target), written in the same transaction as its source."""
from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ..store import server_timestamp

if TYPE_CHECKING:
    from google.cloud.firestore import Client, Transaction, WriteBatch

SYNC_TASKS = "sync_tasks"
# What each downstream target does for a customer-state change.
CUSTOMER_ACTIONS = {"crm": "upsert_contact", "support": "upsert_user"}
TICKET_ACTION = ("support", "create_ticket")


def task_id(source_id: str, target: str) -> str:
    """Deterministic, so enqueueing the same source twice can never create two tasks."""
    return f"{source_id}-{target}"


def new_task(*, target: str, action: str, uid: str, source: str) -> dict[str, Any]:
    return {"target": target, "action": action, "uid": uid, "source": source, "status": "pending",
            "attempts": 0, "last_error": None, "next_attempt_at": datetime.now(UTC),
            "lease_until": None, "created_at": server_timestamp(), "updated_at": server_timestamp()}


def enqueue(writer: Transaction | WriteBatch, db: Client, *, source_id: str, source: str, uid: str,
            target: str, action: str) -> str:
    """Create the task in `writer` (a transaction or batch), so it commits with its source."""
    tid = task_id(source_id, target)
    writer.create(db.collection(SYNC_TASKS).document(tid),
                  new_task(target=target, action=action, uid=uid, source=source))
    return tid


def enqueue_customer_sync(writer: Transaction, db: Client, *, source_id: str, source: str,
                          uid: str) -> list[str]:
    return [enqueue(writer, db, source_id=source_id, source=source, uid=uid, target=target, action=action)
            for target, action in CUSTOMER_ACTIONS.items()]
