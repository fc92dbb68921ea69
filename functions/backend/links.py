"""`stripe_links/{stripe id}`: which user a Stripe id belongs to, or which parked events wait for it.

Every applied event links the ids it carries (customer, subscription, invoice, charge, payment
intent, its own id) to its user (`uid`). An event no link matches is parked and adds itself to the
`parked` list of each of its ids' documents. Both sides read and write the same documents in their
transaction, so Firestore serializes them: either the parked event sees the link and applies, or the
linking event sees the parked list and drains it — an event is never stranded by a race.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from .docids import safe_id
from .store import server_timestamp

if TYPE_CHECKING:
    from google.cloud.firestore import Client, DocumentReference, DocumentSnapshot, Transaction

STRIPE_LINKS = "stripe_links"


def link_refs(db: Client, ids: Iterable[str]) -> list[DocumentReference]:
    return [db.collection(STRIPE_LINKS).document(safe_id(stripe_id)) for stripe_id in sorted(set(ids))]


def _data(snap: DocumentSnapshot) -> dict[str, Any]:
    return (snap.to_dict() or {}) if snap.exists else {}


def linked_uid(snaps: Iterable[DocumentSnapshot]) -> str | None:
    """The uid the first linked document names (links are never rewritten, so any one will do)."""
    for snap in snaps:
        uid = _data(snap).get("uid")
        if uid:
            return uid
    return None


def lookup(db: Client, ids: Iterable[str]) -> str | None:
    refs = link_refs(db, ids)
    return linked_uid(db.get_all(refs)) if refs else None


def write_links(txn: Transaction, snaps: dict[str, DocumentSnapshot], uid: str) -> list[str]:
    """Link every not-yet-linked id of `snaps` (Stripe id -> its link document) to `uid`; the record
    ids of events parked under them, to drain next."""
    waiting: list[str] = []
    for stripe_id, snap in snaps.items():
        data = _data(snap)
        if data.get("uid"):
            continue
        waiting += [e for e in data.get("parked") or [] if e not in waiting]
        txn.set(snap.reference, {"uid": uid, "stripe_id": stripe_id, "linked_at": server_timestamp()})
    return waiting


def park_under(txn: Transaction, snaps: dict[str, DocumentSnapshot], record_id: str) -> None:
    """Register a parked event on each of its ids, for the event that links one of them."""
    for stripe_id, snap in snaps.items():
        parked = {*(_data(snap).get("parked") or []), record_id}
        txn.set(snap.reference, {"stripe_id": stripe_id, "parked": sorted(parked)})
