"""What a Stripe event means for `customers/{uid}` — pure functions, no I/O.

Every field an event sets is versioned by `(event.created, event.id)` and only a newer version
overwrites it (a last-writer-wins register per field). So duplicates, parallel deliveries and any
reordering converge on the state in-order delivery produces, and an older event never overwrites
a field a newer event wrote.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .events import HANDLED_EVENTS
from .stripe_shapes import Parsed

PLAN_STATUSES = ("none", "trialing", "active", "past_due", "canceled", "unpaid", "incomplete")
# past_due keeps access while Stripe retries the payment; everything else without payment loses it.
ACCESS_STATUSES = frozenset({"trialing", "active", "past_due"})
_STRIPE_STATUS = {"incomplete_expired": "canceled", "paused": "unpaid"}
FREE_TIER = "free"
PAID_TIER = "paid"


@dataclass(frozen=True)
class Effect:
    """Fields an event sets (`versioned`) and fields it only fills when empty (`fill`)."""

    versioned: dict[str, Any] = field(default_factory=dict)
    fill: dict[str, Any] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.versioned or self.fill)


def version(created: int, event_id: str) -> str:
    """A string that sorts like (created, event_id): the total order every field is merged by."""
    return f"{int(created):012d}:{event_id}"


def _status(value: Any) -> str:
    status = _STRIPE_STATUS.get(value, value)
    return status if status in PLAN_STATUSES else "incomplete"


def _access(status: str) -> dict[str, Any]:
    return {"plan_status": status, "has_access": status in ACCESS_STATUSES}


def _subscription(sub: Parsed, status: str) -> Effect:
    versioned = {"stripe_subscription_id": sub.object_id, "billing_provider_id": sub.get("customer"),
                 "plan_id": sub.get("price"), "trial_ends_at": sub.get("trial_end"),
                 "plan_support_tier": sub.get("support_tier") or PAID_TIER, **_access(status)}
    return Effect(versioned={k: v for k, v in versioned.items() if v is not None or k == "trial_ends_at"})


def effect(event_type: str, obj: Parsed) -> Effect:
    """The change `event_type` makes; an empty Effect for unhandled types and no-op variants."""
    if event_type not in HANDLED_EVENTS:
        return Effect()
    if event_type == "checkout.session.completed":
        links = {"billing_provider_id": obj.get("customer"), "stripe_subscription_id": obj.get("subscription")}
        email = obj.get("email")
        return Effect(versioned={k: v for k, v in links.items() if v}, fill={"email": email} if email else {})
    if event_type in ("customer.subscription.created", "customer.subscription.updated",
                      "customer.subscription.trial_will_end"):
        return _subscription(obj, _status(obj.get("status")))
    if event_type == "customer.subscription.deleted":
        return _subscription(obj, "canceled")
    if event_type.startswith("invoice."):
        return _invoice(event_type, obj)
    if event_type == "charge.refunded":
        # A full refund revokes access at once; a partial refund is recorded only.
        return Effect(versioned=_access("canceled")) if obj.get("refunded") else Effect()
    if event_type == "charge.dispute.created":
        return Effect(versioned=_access("unpaid"))
    if event_type == "invoice_payment.paid":
        return Effect()  # links its payment intent / charge to the invoice's user; the invoice events pay
    return Effect()  # pragma: no cover - every handled type is covered above


def _invoice(event_type: str, invoice: Parsed) -> Effect:
    if not invoice.get("subscription"):
        return Effect()  # one-off invoices do not change the plan
    if event_type == "invoice.paid":
        # A $0 invoice (trial start) says nothing about payment; the subscription events do.
        return Effect(versioned=_access("active")) if (invoice.get("amount_paid") or 0) > 0 else Effect()
    if event_type == "invoice.payment_failed":
        return Effect(versioned=_access("past_due"))
    first = invoice.get("billing_reason") == "subscription_create"
    return Effect(versioned=_access("incomplete" if first else "past_due"))


def support_tier(state: Mapping[str, Any]) -> str:
    """The tier that goes with the access `state` grants: the plan's tier while it has access, else free.

    Derived from merged fields (never versioned itself), so it is consistent whatever the order."""
    if state.get("has_access"):
        return state.get("plan_support_tier") or PAID_TIER
    return FREE_TIER


def merge(current: Mapping[str, Any], eff: Effect, created: int, event_id: str) -> dict[str, Any]:
    """The field updates `eff` makes on `current` (a customer document), versions included."""
    ours = version(created, event_id)
    versions = dict(current.get("versions") or {})
    updates: dict[str, Any] = {}
    for name, value in eff.versioned.items():
        if versions.get(name, "") >= ours:
            continue  # a newer (or this same) event already wrote this field
        versions[name] = ours
        if current.get(name) != value:
            updates[name] = value
    for name, value in eff.fill.items():
        if not current.get(name) and value:
            updates[name] = value
    tier = support_tier({**current, **updates})
    if current.get("support_tier") != tier:
        updates["support_tier"] = tier
    if updates or versions != (current.get("versions") or {}):
        updates["versions"] = versions
        updates["last_event_at"] = max(int(current.get("last_event_at") or 0), int(created))
    return updates
