"""The Stripe contract shared by the webhook handler and the infra program.

`HANDLED_EVENTS` becomes the webhook endpoint's `enabled_events` (infra) and is exactly what the
handler applies (functions); `STRIPE_API_VERSION` is pinned on the endpoint and the SDK client.
"""
from __future__ import annotations

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
)

STRIPE_API_VERSION = "2024-06-20"
