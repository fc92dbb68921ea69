"""Per-user sliding-window rate limit kept in Firestore (`rate_limits/{scope}-{user hash}`).

Kept in the database, not in memory, because Cloud Run scales to many instances and restarts them:
a limit held per instance would not be a limit. The count is read and written inside the caller's
transaction, so it commits (or not) together with the work it limits.
"""
from __future__ import annotations

import hashlib
import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from google.cloud.firestore import Client, DocumentReference, Transaction

RATE_LIMITS = "rate_limits"


def user_key(uid: str) -> str:
    """A Firestore-safe, fixed-length id for any uid (uids may hold `/`, `__` or be 128 chars)."""
    return hashlib.sha256(uid.encode("utf-8")).hexdigest()[:32]


def limiter(db: Client, scope: str, uid: str) -> DocumentReference:
    return db.collection(RATE_LIMITS).document(f"{scope}-{user_key(uid)}")


def window_wait(times: list[float], now: float, limit: int, window_seconds: float) -> tuple[float, list[float]]:
    """(seconds to wait, 0 when allowed; the counted times including this one when allowed)."""
    recent = sorted(t for t in times if isinstance(t, (int, float)) and t > now - window_seconds)
    if len(recent) >= limit:
        return max(1.0, math.ceil(recent[-limit] + window_seconds - now)), recent
    return 0.0, (recent + [now])[-limit:]


def count(txn: Transaction, ref: DocumentReference, now: float, limit: int, window_seconds: float) -> float:
    """Read and, when allowed, record one request in `txn`: 0, or the seconds until a slot frees."""
    stored = (ref.get(transaction=txn).to_dict() or {}).get("times") or []
    wait, times = window_wait(list(stored), now, limit, window_seconds)
    if not wait:
        txn.set(ref, {"times": times, "expires_at": now + window_seconds})
    return wait
