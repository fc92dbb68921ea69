"""Replay a dead-lettered (or still parked) Stripe event: a person's way out of the dead letter.

    python -m launchready.functions.backend.replay EVENT_ID [--uid FIREBASE_UID]

Without `--uid` the links are resolved again (stored links, then the Stripe API when
STRIPE_SECRET_KEY is set); with it, the event is applied to that user and its ids are linked to
them, so the customer's later events match on their own.
"""
from __future__ import annotations

import argparse
import sys
import time
from typing import TYPE_CHECKING

from .docids import is_uid, safe_id
from .parking import STRIPE_EVENTS, drain, park_seconds, stored_event
from .store import client, run_transaction
from .stripe_shapes import parse

if TYPE_CHECKING:
    from google.cloud.firestore import Client

    from .webhook import Outcome


class ReplayError(ValueError):
    """The event cannot be replayed (unknown id, not dead or parked, bad uid)."""


def replay(event_id: str, uid: str | None = None, db: Client | None = None) -> Outcome:
    from .webhook import _resolve, apply_parked

    db = db or client()
    if uid is not None and not is_uid(uid):
        raise ReplayError(f"{uid!r} is not a Firebase uid")
    ref = db.collection(STRIPE_EVENTS).document(safe_id(event_id))

    def reopen(txn, _attempt: int) -> dict:
        snap = ref.get(transaction=txn)
        record = snap.to_dict() if snap.exists else None
        if record is None or record.get("status") not in ("dead", "parked") or "event" not in record:
            raise ReplayError(f"stripe_events/{event_id} is {record.get('status') if record else 'missing'}; "
                              "only dead or parked events can be replayed")
        txn.update(ref, {"status": "parked", "dead_after": time.time() + park_seconds()})
        return record

    event = stored_event(run_transaction(db, reopen))
    if uid is None:
        uid, ids = _resolve(db, parse(event["type"], event["data"]["object"], event.get("api_version")),
                            event.get("api_version"))
        event["_ids"] = sorted(set(event["_ids"]) | ids)
    outcome = apply_parked(db, event, uid)
    if outcome.waiting:
        drain(db, outcome.waiting, apply_parked)
    return outcome


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("event_id")
    parser.add_argument("--uid", help="apply the event to this Firebase user")
    args = parser.parse_args(argv)
    try:
        outcome = replay(args.event_id, args.uid)
    except ReplayError as exc:
        print(f"replay: {exc}", file=sys.stderr)
        return 2
    print(f"{args.event_id}: {outcome.status}" + (f" (uid {outcome.uid})" if outcome.uid else ""))
    return 0 if outcome.status != "parked" else 1


if __name__ == "__main__":
    sys.exit(main())
