"""The Stripe webhook: verify, then record + apply + enqueue in one Firestore transaction.

Nothing is written for a request that fails verification. A verified event is recorded exactly once
(`stripe_events/{event.id}` is created in the same transaction that applies it), so a replay —
sequential or concurrent — returns 200 and changes nothing. The CRM and support desk are never called
here: the transaction enqueues `sync_tasks`, and `sync_worker` does the rest.
"""
from __future__ import annotations

import json
import re
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterator, Mapping

from . import billing
from .customers import CUSTOMERS, customer_ref, new_customer
from .events import HANDLED_EVENTS
from .log_messages import WEBHOOK_EVENT_UNMATCHED
from .logs import log
from .store import client, run_transaction, server_timestamp
from .sync.outbox import enqueue_customer_sync

if TYPE_CHECKING:
    from google.cloud.firestore import Client

STRIPE_EVENTS = "stripe_events"
MAX_BODY_BYTES = 1024 * 1024
SIGNATURE_TOLERANCE_SECONDS = 300
LOCK_WAIT_SECONDS = 10.0
_LOCKS = tuple(threading.Lock() for _ in range(64))
_EVENT_ID = re.compile(r"^[A-Za-z0-9_-]{1,255}$")  # also a safe Firestore document id


class BadRequest(ValueError):
    """The request is not a verified, well-formed Stripe event (answered with 400)."""


@dataclass(frozen=True)
class Outcome:
    status: str          # applied | no_change | ignored | unmatched | duplicate
    uid: str | None
    tasks: tuple[str, ...] = ()
    attempts: int = 1


def verify(payload: bytes, signature: str | None, secret: str) -> dict[str, Any]:
    """The event, if `signature` is Stripe's valid, unexpired signature of exactly `payload`."""
    import stripe

    if not signature:
        raise BadRequest("missing Stripe-Signature header")
    try:
        text = payload.decode("utf-8")
        stripe.WebhookSignature.verify_header(text, signature, secret, SIGNATURE_TOLERANCE_SECONDS)
    except UnicodeDecodeError:
        raise BadRequest("payload is not UTF-8") from None
    except stripe.SignatureVerificationError as exc:
        raise BadRequest(f"signature verification failed: {exc.user_message or 'invalid signature'}") from None
    try:
        event = json.loads(text)
    except ValueError:
        raise BadRequest("payload is not valid JSON") from None
    data = event.get("data") if isinstance(event, dict) else None
    if not (isinstance(data, dict) and isinstance(data.get("object"), dict) and isinstance(event.get("id"), str)
            and _EVENT_ID.match(event["id"]) and isinstance(event.get("type"), str) and isinstance(event.get("created"), int)):
        raise BadRequest("payload is not a Stripe event (needs id, type, created, data.object)")
    return event


def resolve_uid(db: "Client", obj: Mapping[str, Any]) -> str | None:
    """The Firebase uid an object belongs to: its metadata, else its Stripe customer's record, else
    an earlier event about a linked object. These links never change, so reading them outside the
    transaction is safe."""
    from google.cloud.firestore import FieldFilter

    hint = billing.uid_hint(obj)
    if hint:
        return hint
    stripe_customer = billing.stripe_customer(obj)
    if stripe_customer:
        query = db.collection(CUSTOMERS).where(filter=FieldFilter("billing_provider_id", "==", stripe_customer))
        for snap in query.limit(1).get():
            return snap.id
    refs = billing.refs(obj)
    if refs:
        query = db.collection(STRIPE_EVENTS).where(filter=FieldFilter("refs", "array_contains_any", refs[:30]))
        for snap in query.limit(10).get():
            if snap.get("uid"):
                return snap.get("uid")
    return None


@contextmanager
def _customer_lock(uid: str | None) -> Iterator[None]:
    """Serialize this instance's concurrent deliveries for one customer (striped locks, bounded wait).

    Without it, parallel deliveries for one customer conflict inside one instance; the transaction
    retry still covers conflicts between instances (and a wait that times out)."""
    if uid is None:
        yield
        return
    lock = _LOCKS[hash(uid) % len(_LOCKS)]
    acquired = lock.acquire(timeout=LOCK_WAIT_SECONDS)
    try:
        yield
    finally:
        if acquired:
            lock.release()


def record_event(event: Mapping[str, Any], db: "Client | None" = None, *, serialize: bool = True) -> Outcome:
    """Record, apply and enqueue `event` exactly once (retrying aborted transactions).

    `serialize=False` skips the per-instance customer lock, as separate instances would."""
    db = db or client()
    obj = event["data"]["object"]
    handled = event["type"] in HANDLED_EVENTS
    uid = resolve_uid(db, obj) if handled else billing.uid_hint(obj)
    effect = billing.effect(event["type"], obj)
    event_ref = db.collection(STRIPE_EVENTS).document(event["id"])

    ref = customer_ref(db, uid) if handled and uid else None

    def body(txn, attempt: int) -> Outcome:
        # One read round trip for both documents (latency is the point of this handler).
        snaps = {snap.reference.path: snap for snap in txn.get_all([r for r in (event_ref, ref) if r])}
        if snaps[event_ref.path].exists:
            return Outcome("duplicate", uid, attempts=attempt)
        tasks: list[str] = []
        changed: list[str] = []
        if not handled:
            status = "ignored"
        elif ref is None:
            status = "unmatched"
        else:
            snap = snaps[ref.path]
            current = snap.to_dict() if snap.exists else new_customer(uid)
            updates = billing.merge(current, effect, event["created"], event["id"])
            changed = sorted(set(updates) - {"versions", "last_event_at"})
            if updates and snap.exists:
                txn.update(ref, updates)
            elif updates:  # the event arrived before the sign-up trigger: create the record now
                txn.set(ref, {**current, **updates})
            if changed:
                tasks = enqueue_customer_sync(txn, db, source_id=event["id"],
                                              source=f"{STRIPE_EVENTS}/{event['id']}", uid=uid)
            status = "applied" if changed else ("no_change" if effect else "ignored")
        txn.create(event_ref, {
            "type": event["type"], "created": event["created"], "livemode": bool(event.get("livemode")),
            "api_version": event.get("api_version"), "uid": uid, "status": status, "changed": changed,
            "refs": billing.refs(obj), "object_id": obj.get("id"), "tasks": tasks,
            "transaction_attempts": attempt, "received_at": server_timestamp(),
        })
        return Outcome(status, uid, tuple(tasks), attempt)

    with _customer_lock(uid if serialize else None):
        outcome = run_transaction(db, body)
    if outcome.status == "unmatched":
        log("ERROR", WEBHOOK_EVENT_UNMATCHED, event_id=event["id"], event_type=event["type"],
            stripe_customer=billing.stripe_customer(obj), object_id=obj.get("id"))
    return outcome


def handle(request: Any, secret: str, db: "Client | None" = None) -> tuple[dict[str, Any], int, dict[str, str]]:
    """The HTTP contract: 405 / 413 / 400 without writing anything, else 200 with the outcome."""
    if request.method != "POST":
        return {"error": "method not allowed"}, 405, {"Allow": "POST"}
    if (request.content_length or 0) > MAX_BODY_BYTES:
        return {"error": "payload too large"}, 413, {}
    payload = request.stream.read(MAX_BODY_BYTES + 1)
    if len(payload) > MAX_BODY_BYTES:
        return {"error": "payload too large"}, 413, {}
    try:
        event = verify(payload, request.headers.get("Stripe-Signature"), secret)
    except BadRequest as exc:
        return {"error": str(exc)}, 400, {}
    outcome = record_event(event, db)
    return {"received": True, "id": event["id"], "status": outcome.status}, 200, {}
