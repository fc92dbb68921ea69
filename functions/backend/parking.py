"""Parked events: verified, handled, but not linkable to a user yet — kept, never dropped.

A parked `stripe_events/{id}` keeps the event and the Stripe ids it can be linked through (`refs`;
each id's `stripe_links` document lists it, see `links`). The event that links one of those ids
drains them (oldest first, each in its own transaction, chains included), so they apply exactly as
in-order delivery would have. One still
parked after `STRIPE_PARK_MAX_SECONDS` (default 3 days) is dead-lettered with an ERROR the alert
policy matches; `python -m launchready.functions.backend.replay EVENT_ID [--uid UID]` replays it.
"""
from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from .log_messages import WEBHOOK_EVENT_UNMATCHED
from .logs import log
from .store import run_transaction, server_timestamp

if TYPE_CHECKING:
    from google.cloud.firestore import Client

    from .stripe_shapes import Parsed

STRIPE_EVENTS = "stripe_events"
DEFAULT_PARK_SECONDS = 3 * 24 * 3600
SWEEP_INTERVAL_SECONDS = 60.0
SWEEP_BATCH = 200


def park_seconds() -> float:
    raw = os.environ.get("STRIPE_PARK_MAX_SECONDS", "")
    try:
        return max(0.0, float(raw)) if raw else DEFAULT_PARK_SECONDS
    except ValueError:
        return DEFAULT_PARK_SECONDS


def parked_record(event: Mapping[str, Any], parsed: Parsed, ids: Iterable[str]) -> dict[str, Any]:
    now = time.time()
    ids = sorted(set(ids))
    return {"type": event["type"], "created": event["created"], "livemode": bool(event.get("livemode")),
            "api_version": event.get("api_version"), "uid": None, "status": "parked", "object_id": parsed.object_id,
            "refs": ids[:50], "event": json.dumps(event, separators=(",", ":")),
            "parked_at": now, "dead_after": now + park_seconds(), "received_at": server_timestamp()}


def unparked_fields() -> dict[str, Any]:
    return {"applied_at": server_timestamp()}


def stored_event(record: Mapping[str, Any]) -> dict[str, Any]:
    """The parked event as delivered, plus the ids it was parked under (`_ids`)."""
    event = json.loads(record["event"])
    event["_ids"] = list(record.get("refs") or [])
    return event


def drain(db: Client, waiting: Iterable[str], apply: Callable[[Client, dict[str, Any]], Any]) -> int:
    """Apply the parked events `waiting` (record ids), oldest first; the events they link drain too."""
    seen: set[str] = set()
    pending, applied = list(waiting), 0
    while pending:
        batch = [db.collection(STRIPE_EVENTS).document(i) for i in dict.fromkeys(pending) if i not in seen]
        pending = []
        seen.update(ref.id for ref in batch)
        found = [snap for snap in db.get_all(batch) if snap.exists and snap.get("status") == "parked"]
        for snap in sorted(found, key=lambda s: (s.get("created"), s.id)):
            outcome = apply(db, stored_event(snap.to_dict()))
            applied += outcome.status not in ("parked", "duplicate")
            pending.extend(outcome.waiting)
    return applied


def sweep(db: Client, now: float | None = None,
          apply: Callable[[Client, dict[str, Any]], Any] | None = None, batch: int = SWEEP_BATCH,
          max_batches: int = 1) -> list[str]:
    """Apply (with `apply`) parked events whose link exists by now — a drain that failed after its
    linking event committed — and dead-letter those past their bound (each once, alerting).

    Parked events are taken by `dead_after`, oldest expiry first (the `status, dead_after` index), so
    thousands of younger parked events never hide an expired one; paging goes on while whole pages
    are expired, up to `max_batches` pages. Returns the ids dead-lettered."""
    now = time.time() if now is None else now
    dead: list[str] = []
    for _ in range(max_batches):
        page = _oldest_parked(db, batch)  # what a page settled is no longer parked
        for snap in page:
            if _settle(db, snap, now, apply):
                dead.append(snap.id)
        if len(page) < batch or float(page[-1].get("dead_after") or 0) > now:
            break
    return dead


def _oldest_parked(db: Client, batch: int) -> list[Any]:
    from google.cloud.firestore import FieldFilter, Query

    query = (db.collection(STRIPE_EVENTS).where(filter=FieldFilter("status", "==", "parked"))
             .order_by("dead_after", direction=Query.ASCENDING).limit(batch))
    return list(query.get())


def _settle(db: Client, snap: Any, now: float,
            apply: Callable[[Client, dict[str, Any]], Any] | None) -> bool:
    """Apply one parked event if linked by now, else dead-letter it when expired; True if dead-lettered."""
    from .links import lookup

    record = snap.to_dict()
    if apply is not None and lookup(db, record.get("refs") or []):
        apply(db, stored_event(record))
        return False
    if float(record.get("dead_after") or 0) > now or not _dead_letter(db, snap.reference):
        return False
    log("ERROR", WEBHOOK_EVENT_UNMATCHED, event_id=snap.id, event_type=record.get("type"),
        refs=record.get("refs"), parked_seconds=round(now - float(record.get("parked_at") or now)))
    return True


def _dead_letter(db: Client, ref: Any) -> bool:
    def body(txn, _attempt: int) -> bool:
        current = ref.get(transaction=txn)
        if not current.exists or current.get("status") != "parked":
            return False
        txn.update(ref, {"status": "dead", "dead_at": server_timestamp()})
        return True

    return run_transaction(db, body)
