"""The Stripe contract shared by the webhook handler, the infra program and the readiness checks.

`HANDLED_EVENTS` becomes the webhook endpoint's `enabled_events` (infra) and is exactly what the
handler applies (functions). `STRIPE_API_VERSION` is the version new endpoints are pinned to; the
handler parses every version from `OLDEST_SUPPORTED_API_VERSION` to `NEWEST_SUPPORTED_API_VERSION`
(see `stripe_shapes`), and `stripe.endpoint.api_version` (live) and the `stripe-api-version` plan
policy (offline) refuse an endpoint outside that range — bumping a version is a code change first.
"""
from __future__ import annotations

import re

HANDLED_EVENTS: tuple[str, ...] = (
    "checkout.session.completed",
    "customer.subscription.created",
    "customer.subscription.updated",
    "customer.subscription.deleted",
    "customer.subscription.trial_will_end",
    "invoice.paid",
    "invoice.payment_failed",
    "invoice.payment_action_required",
    "charge.refunded",
    "charge.dispute.created",
    "invoice_payment.paid",   # basil+: links a payment intent / charge to its invoice (no entitlement change)
)

STRIPE_API_VERSION = "2024-06-20"
OLDEST_SUPPORTED_API_VERSION = "2024-06-20"
NEWEST_SUPPORTED_API_VERSION = "2026-10-28.endive"
_VERSION = re.compile(r"^(\d{4}-\d{2}-\d{2})(\.[a-z]+)?$")


def version_date(api_version: object) -> str | None:
    """The release date of a Stripe API version (`2025-03-31.basil` -> `2025-03-31`), None if malformed."""
    match = _VERSION.match(api_version) if isinstance(api_version, str) else None
    return match.group(1) if match else None


def date_of(api_version: str) -> str:
    """The date of one of the versions declared here (well-formed by construction)."""
    date = version_date(api_version)
    if date is None:
        raise ValueError(f"malformed Stripe API version constant {api_version!r}")
    return date


# Event types that exist only from an API version on: an endpoint pinned to an earlier version is neither
# sent them nor, for all we can verify offline, allowed to list them, so its `enabled_events` leaves them out.
INTRODUCED: dict[str, str] = {"invoice_payment.paid": "2025-03-31"}


def endpoint_events(api_version: object) -> list[str]:
    """The handled events an endpoint pinned to `api_version` subscribes to."""
    date = version_date(api_version) or ""
    return [event for event in HANDLED_EVENTS if date >= INTRODUCED.get(event, "")]


def is_supported(api_version: object) -> bool:
    """True when the handler parses `api_version`'s payload shapes (the declared range, inclusive)."""
    date = version_date(api_version)
    return date is not None and date_of(OLDEST_SUPPORTED_API_VERSION) <= date <= \
        date_of(NEWEST_SUPPORTED_API_VERSION)


def supported_range() -> str:
    return f"{OLDEST_SUPPORTED_API_VERSION} .. {NEWEST_SUPPORTED_API_VERSION}"
