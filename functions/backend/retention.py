"""How long finished records are kept: Firestore's TTL policy (infra: `expire_at` on `stripe_events` and
`sync_tasks`) deletes a document once its `expire_at` has passed. Only finished records get one: parked,
rejected and dead-lettered ones stay until someone looks at them (replay needs them)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

TTL_FIELD = "expire_at"
# Stripe retries a delivery for up to 3 days; 90 days keeps every redelivery deduplicated with room to spare.
KEEP_DAYS = {"stripe_events": 90, "sync_tasks": 30}


def expire_at(collection: str) -> dict[str, datetime]:
    """The TTL field for a record of `collection` finished now."""
    return {TTL_FIELD: datetime.now(UTC) + timedelta(days=KEEP_DAYS[collection])}
