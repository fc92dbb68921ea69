"""`customers/{uid}`: the one canonical record per user, written only by backend code."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .billing import FREE_TIER
from .store import client, run_transaction, server_timestamp

if TYPE_CHECKING:
    from google.cloud.firestore import Client, DocumentReference

CUSTOMERS = "customers"


def new_customer(uid: str, email: str | None = None) -> dict[str, Any]:
    """Every field of the data model, at its sign-up value."""
    return {
        "uid": uid, "email": email, "plan_status": "none", "plan_id": None, "has_access": False,
        "billing_provider_id": None, "stripe_subscription_id": None, "crm_contact_id": None,
        "support_user_id": None, "support_tier": FREE_TIER, "plan_support_tier": None, "trial_ends_at": None, "last_event_at": None,
        "last_synced_at": None, "versions": {}, "created_at": server_timestamp(),
    }


def customer_ref(db: Client, uid: str) -> DocumentReference:
    return db.collection(CUSTOMERS).document(uid)


def ensure_customer(uid: str, email: str | None, db: Client | None = None) -> bool:
    """Create `customers/{uid}` unless it exists (then only fill a missing email). True if created."""
    db = db or client()
    ref = customer_ref(db, uid)

    def body(txn, _attempt: int) -> bool:
        snap = ref.get(transaction=txn)
        if not snap.exists:
            txn.create(ref, new_customer(uid, email))
            return True
        if email and not (snap.to_dict() or {}).get("email"):
            txn.update(ref, {"email": email})
        return False

    return run_transaction(db, body)


def new_user(data: Any) -> tuple[str, str | None] | None:
    """(uid, email) from a user-created event: a Firebase Auth user record (`uid`, `email`), or the
    Identity Platform `SignUp` audit-log entry Eventarc delivers (`protoPayload.response.localId`)."""
    if not isinstance(data, dict):
        return None
    payload = data.get("protoPayload")
    if isinstance(payload, dict):
        response, request = _mapping(payload.get("response")), _mapping(payload.get("request"))
        uid, email = response.get("localId"), response.get("email") or request.get("email")
    else:
        uid, email = data.get("uid"), data.get("email")
    if not isinstance(uid, str) or not uid.strip():
        return None
    return uid.strip(), email if isinstance(email, str) and email else None


def _mapping(value: object) -> dict:
    """`value` when it is a JSON object, else an empty one (audit-log payloads vary by event)."""
    return value if isinstance(value, dict) else {}
