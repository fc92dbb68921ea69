"""`stripe_links/{stripe id}` -> uid: how an event that names no user finds one.

Every applied event links the ids it carries (customer, subscription, invoice, charge, payment
intent, its own id) to its user. A later event is matched by reading the link documents of its ids
in one round trip; the transaction that applies or parks it reads them again, so an event is never
parked after the link that would match it committed (Firestore serializes the two).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

from .docids import safe_id
from .store import server_timestamp

if TYPE_CHECKING:
    from google.cloud.firestore import Client, DocumentReference, DocumentSnapshot, Transaction

STRIPE_LINKS = "stripe_links"


def link_refs(db: "Client", ids: Iterable[str]) -> list["DocumentReference"]:
    return [db.collection(STRIPE_LINKS).document(safe_id(stripe_id)) for stripe_id in sorted(set(ids))]


def linked_uid(snaps: Iterable["DocumentSnapshot"]) -> str | None:
    """The uid the first existing link names (links are never rewritten, so any one will do)."""
    for snap in snaps:
        if snap.exists and snap.get("uid"):
            return snap.get("uid")
    return None


def lookup(db: "Client", ids: Iterable[str]) -> str | None:
    refs = link_refs(db, ids)
    return linked_uid(db.get_all(refs)) if refs else None


def write_links(txn: "Transaction", snaps: Iterable["DocumentSnapshot"], ids: Iterable[str], uid: str) -> list[str]:
    """Create the links `ids` -> `uid` that do not exist yet; the ids newly linked."""
    existing = {snap.reference.id for snap in snaps if snap.exists}
    created = []
    for stripe_id in sorted(set(ids)):
        doc_id = safe_id(stripe_id)
        if doc_id in existing:
            continue
        snap_ref = next((s.reference for s in snaps if s.reference.id == doc_id), None)
        if snap_ref is None:
            continue
        txn.set(snap_ref, {"uid": uid, "stripe_id": stripe_id, "linked_at": server_timestamp()})
        created.append(stripe_id)
    return created
