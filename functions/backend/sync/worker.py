"""Run one sync task the way the platform delivers it: claim, call the provider, record the outcome.

Every task ends `done` or `dead`. A transient failure (timeout, 429, 5xx) counts an attempt, sets
`next_attempt_at` (jittered exponential backoff, never sooner than Retry-After) and raises
`RetrySync` so the platform redelivers; a delivery before `next_attempt_at` raises again without
counting. At `max_attempts`, or on a permanent failure, the task is dead-lettered with an ERROR line
whose message is `SYNC_DEAD_LETTERED`, and it is never run again.
"""
from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

from google.api_core.exceptions import NotFound

from ..customers import CUSTOMERS
from ..docids import is_uid
from ..log_messages import SYNC_DEAD_LETTERED
from ..logs import log
from ..retention import expire_at
from ..settings import ConfigurationError, SyncSettings
from ..store import client, run_transaction, server_timestamp
from ..sync.outbox import SYNC_TASKS
from ..sync.providers import provider_for
from ..sync.providers.base import CrmProvider, PermanentSyncError, SupportProvider, SyncError, TransientSyncError

if TYPE_CHECKING:
    from google.cloud.firestore import Client

MAX_BACKOFF_SECONDS = 3600.0
SUPPORT_REQUESTS = "support_requests"


class RetrySync(Exception):
    """Raised to make the platform redeliver the task later (a 5xx for the CloudEvent)."""

    def __init__(self, task_id: str, reason: str, wait_seconds: float):
        super().__init__(f"sync task {task_id}: {reason}; retry in {wait_seconds:.1f}s")
        self.wait_seconds = wait_seconds


@dataclass(frozen=True)
class Claim:
    task: dict[str, Any]
    attempts: int


def _now() -> datetime:
    return datetime.now(UTC)


def backoff_seconds(settings: SyncSettings, attempts: int, retry_after: float | None) -> float:
    """Full-jitter exponential backoff, and never sooner than the provider's Retry-After."""
    ceiling = min(MAX_BACKOFF_SECONDS, settings.backoff_seconds * 2 ** min(max(0, attempts - 1), 32))
    return min(MAX_BACKOFF_SECONDS, max(retry_after or 0.0, random.uniform(ceiling / 2, ceiling)))


def _claim(db: Client, task_id: str, settings: SyncSettings) -> Claim | str:
    """Count an attempt and lease the task, or say why it must not run now (a final status)."""
    ref = db.collection(SYNC_TASKS).document(task_id)

    def body(txn, _attempt: int) -> Claim | str:
        snap = ref.get(transaction=txn)
        if not snap.exists:
            return "missing"
        task = snap.to_dict()
        if task.get("status") != "pending":
            return task.get("status", "unknown")
        now = _now()
        blocked_until = max(t for t in (task.get("next_attempt_at"), task.get("lease_until"), now) if t)
        if blocked_until > now:
            raise RetrySync(task_id, "not due yet", (blocked_until - now).total_seconds())
        attempts = int(task.get("attempts") or 0) + 1
        lease = now + timedelta(seconds=settings.http_timeout_seconds * 3 + 5)
        txn.update(ref, {"attempts": attempts, "lease_until": lease, "updated_at": server_timestamp()})
        return Claim(task={**task, "id": task_id}, attempts=attempts)

    return run_transaction(db, body)


def _perform(db: Client, task: dict[str, Any], settings: SyncSettings) -> Callable[[Any], None]:
    """Call the provider; return what to write on success (applied in the finishing transaction)."""
    uid = task["uid"]  # a legal uid that cannot key a document ("a/b") has no customer record
    customer = (db.collection(CUSTOMERS).document(uid).get().to_dict() or {}) if is_uid(uid) else {}
    if task["action"] != "create_ticket" and not customer.get("email"):
        raise TransientSyncError(f"customers/{task['uid']} has no email yet")
    with provider_for(task["target"], settings) as provider:
        # the outbox pairs each action with its target (outbox.CUSTOMER_ACTIONS, TICKET_ACTION), so
        # provider_for's adapter is the CRM one for upsert_contact and the support one otherwise
        if task["action"] == "upsert_contact":
            field, value = "crm_contact_id", cast(CrmProvider, provider).upsert_contact(customer)
        elif task["action"] == "upsert_user":
            field, value = "support_user_id", cast(SupportProvider, provider).upsert_user(customer)
        elif task["action"] == "create_ticket":
            request_ref = db.collection(SUPPORT_REQUESTS).document(task["source"].rpartition("/")[2])
            request = {**(request_ref.get().to_dict() or {}), "id": request_ref.id}
            if not request.get("subject"):
                raise PermanentSyncError(f"{task['source']} does not exist")
            ticket_id = cast(SupportProvider, provider).create_ticket(request, customer)
            return lambda txn: txn.update(request_ref, {"ticket_id": ticket_id, "status": "ticket_created"})
        else:
            raise PermanentSyncError(f"unknown action {task['action']!r}")
    ref = db.collection(CUSTOMERS).document(task["uid"])
    return lambda txn: txn.update(ref, {field: value, "last_synced_at": server_timestamp()})


def run_task(task_id: str, *, db: Client | None = None, settings: SyncSettings | None = None) -> str:
    """Run one task; returns its status (`done`, `dead`, or the final status it already had)."""
    db = db or client()
    settings = settings or SyncSettings.from_env()
    claim = _claim(db, task_id, settings)
    if isinstance(claim, str):
        return claim
    ref = db.collection(SYNC_TASKS).document(task_id)
    try:
        write = _perform(db, claim.task, settings)
    except (PermanentSyncError, ConfigurationError) as exc:
        return _dead(db, claim, settings, str(exc))
    except Exception as exc:  # transient, or an unexpected failure: bounded retries either way
        error = str(exc) if isinstance(exc, SyncError) else f"{type(exc).__name__}: {exc}"
        if claim.attempts >= settings.max_attempts:
            return _dead(db, claim, settings, f"{error} (after {claim.attempts} attempts)")
        wait = backoff_seconds(settings, claim.attempts, getattr(exc, "retry_after", None))
        _finish(db, ref, {"last_error": error, "next_attempt_at": _now() + timedelta(seconds=wait)})
        raise RetrySync(task_id, error, wait) from None
    done = {"status": "done", "last_error": None, "completed_at": server_timestamp(), **expire_at(SYNC_TASKS)}
    try:
        _finish(db, ref, done, write)
    except NotFound:  # the customer or request was deleted meanwhile: the provider call still happened
        _finish(db, ref, {**done, "last_error": "source record deleted before the result was stored"})
    return "done"


def _finish(db: Client, ref: Any, updates: dict[str, Any], extra: Callable[[Any], None] | None = None) -> None:
    def body(txn, _attempt: int) -> None:
        txn.update(ref, {**updates, "lease_until": None, "updated_at": server_timestamp()})
        if extra:
            extra(txn)

    run_transaction(db, body)


def _dead(db: Client, claim: Claim, settings: SyncSettings, error: str) -> str:
    ref = db.collection(SYNC_TASKS).document(claim.task["id"])
    _finish(db, ref, {"status": "dead", "last_error": error, "dead_at": server_timestamp(),
                      "max_attempts": settings.max_attempts})
    log("ERROR", SYNC_DEAD_LETTERED, task_id=claim.task["id"], target=claim.task["target"],
        action=claim.task["action"], uid=claim.task["uid"], attempts=claim.attempts, error=error)
    return "dead"


def task_id_from_event(subject: str | None, data: Any) -> str | None:
    """`documents/sync_tasks/{id}` from a Firestore CloudEvent (subject, or JSON data's value.name)."""
    names = [subject or ""]
    if isinstance(data, dict):
        names.append(str((data.get("value") or {}).get("name") or ""))
    for name in names:
        head, _, tail = name.rpartition(f"{SYNC_TASKS}/")
        if tail and "/" not in tail and (not head or head.endswith("/")):
            return tail
    return None


def drain(*, db: Client | None = None, settings: SyncSettings | None = None, timeout: float = 60.0,
          sleep: Callable[[float], None] = time.sleep) -> dict[str, int]:
    """Run every pending task until none is left, as the platform would (redelivering failures
    after their backoff). Returns task counts by status; stops waiting after `timeout` seconds."""
    from google.cloud.firestore import FieldFilter

    db = db or client()
    settings = settings or SyncSettings.from_env()
    deadline = time.monotonic() + timeout
    while True:
        pending = db.collection(SYNC_TASKS).where(filter=FieldFilter("status", "==", "pending")).get()
        if not pending:
            break
        waits = []
        for snap in pending:
            try:
                run_task(snap.id, db=db, settings=settings)
            except RetrySync as exc:
                waits.append(exc.wait_seconds)
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        if waits and len(waits) == len(pending):
            sleep(min(min(waits), remaining))
    counts: dict[str, int] = {}
    for snap in db.collection(SYNC_TASKS).get():
        status = snap.get("status")
        counts[status] = counts.get(status, 0) + 1
    return counts
