"""The scheduled sweep: the backend's safety nets run on a clock, not only inside webhook traffic.

Cloud Scheduler calls the `sweep` entry point every few minutes (OIDC, invoker IAM only; the sandbox
calls the same function on a timer). One run:
1. parked events: applied if linked by now, dead-lettered with an alert past their bound — oldest
   expiry first (indexed), so no backlog of younger parked events hides an expired one;
2. stuck sync tasks: a `pending` task due for longer than `SWEEP_STUCK_SECONDS` (Eventarc gave up
   retrying, or its trigger was lost) is run once more here: done, retried later, or dead-lettered
   at its attempt limit, exactly as the worker would;
3. missed deliveries: Stripe events created since the newest stored one (less a look-back, as
   deliveries arrive out of order) that were never stored are recorded through the webhook's own
   path (`record_event`), so a lost delivery becomes a stored, applied event.
A part whose credentials are missing is skipped with the reason; the others still run.
"""
from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from . import parking, stripe_lookup
from .docids import safe_id
from .logs import log
from .settings import ConfigurationError, SyncSettings
from .store import client
from .sync.outbox import SYNC_TASKS

if TYPE_CHECKING:
    from google.cloud.firestore import Client

DEFAULT_STUCK_SECONDS = 15 * 60
DEFAULT_LOOKBACK_SECONDS = 3 * 24 * 3600   # Stripe retries a failed delivery for up to 3 days
SYNC_BATCH = 100
PARKED_BATCHES = 10
MAX_PULLED_EVENTS = 1000


def _seconds(name: str, default: float) -> float:
    try:
        return max(0.0, float(os.environ.get(name) or default))
    except ValueError:
        return default


def run(db: Client | None = None, now: float | None = None) -> dict[str, Any]:
    """One sweep; a summary of what each part did (or why it was skipped)."""
    from .webhook import apply_parked

    db = db or client()
    now = time.time() if now is None else now
    dead = parking.sweep(db, now, apply_parked, max_batches=PARKED_BATCHES)
    summary: dict[str, Any] = {"parked_dead_lettered": dead, "sync": sweep_sync_tasks(db, now),
                               "stripe": pull_missed_events(db, now)}
    log("INFO", "sweep finished", parked_dead_lettered=len(dead), sync=summary["sync"], stripe=summary["stripe"])
    return summary


def stuck_tasks(db: Client, now: float, stuck_seconds: float, limit: int = SYNC_BATCH) -> list[Any]:
    """`pending` tasks due for longer than `stuck_seconds`, oldest first (the status/next_attempt_at index)."""
    from google.cloud.firestore import FieldFilter, Query

    due = datetime.fromtimestamp(now, UTC) - timedelta(seconds=stuck_seconds)
    query = (db.collection(SYNC_TASKS).where(filter=FieldFilter("status", "==", "pending"))
             .where(filter=FieldFilter("next_attempt_at", "<=", due))
             .order_by("next_attempt_at", direction=Query.ASCENDING).limit(limit))
    return list(query.get())


def sweep_sync_tasks(db: Client, now: float) -> dict[str, Any]:
    """Run each stuck task once, as a redelivery would: counts by outcome."""
    from .sync.worker import RetrySync, run_task

    try:
        settings = SyncSettings.from_env()
    except ConfigurationError as exc:
        return {"skipped": str(exc)}
    counts: dict[str, Any] = {}
    for snap in stuck_tasks(db, now, _seconds("SWEEP_STUCK_SECONDS", DEFAULT_STUCK_SECONDS)):
        try:
            outcome = run_task(snap.id, db=db, settings=settings)
        except RetrySync:
            outcome = "retry_later"
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts


def newest_stored_created(db: Client) -> int | None:
    from google.cloud.firestore import Query

    newest = db.collection(parking.STRIPE_EVENTS).order_by("created", direction=Query.DESCENDING).limit(1).get()
    return int(newest[0].get("created")) if newest else None


def pull_missed_events(db: Client, now: float) -> dict[str, Any]:
    """Record the Stripe events of the look-back window that were never stored."""
    from .stripe_listing import ListingError, events_since

    if not stripe_lookup.configured():
        return {"skipped": "STRIPE_SECRET_KEY is not set: missed deliveries are not pulled"}
    newest = newest_stored_created(db)
    since = int((newest if newest is not None else now) - _seconds("SWEEP_LOOKBACK_SECONDS", DEFAULT_LOOKBACK_SECONDS))
    try:
        listing = events_since(since, max_items=MAX_PULLED_EVENTS, now=now)
    except ListingError as exc:
        return {"error": str(exc)}
    recorded = record_missing(db, listing.items)
    return {"listed": len(listing.items), "recorded": recorded, "truncated": listing.truncated}


def record_missing(db: Client, events: list[dict[str, Any]]) -> list[str]:
    """Record (through the webhook's path) those of `events` with no `stripe_events` record; their ids."""
    from .webhook import record_event

    refs = [db.collection(parking.STRIPE_EVENTS).document(safe_id(e["id"])) for e in events]
    stored = {snap.id for snap in db.get_all(refs) if snap.exists}
    recorded = []
    for event in events:
        if safe_id(event["id"]) not in stored:
            outcome = record_event(event, db)
            if outcome.status != "duplicate":
                recorded.append(event["id"])
    return recorded


def handle(request: Any, db: Client | None = None) -> tuple[dict[str, Any], int, dict[str, str]]:
    """The HTTP contract: POST runs one sweep (200 with its summary). The function is private: only
    the scheduler's service account holds `run.invoker`, so Cloud Run authenticates the caller."""
    if request.method != "POST":
        return {"error": "method not allowed"}, 405, {"Allow": "POST"}
    return run(db), 200, {}
