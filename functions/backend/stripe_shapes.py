"""Version-aware parsing of Stripe event payloads: the ONE place that knows where each field lives.

`PATHS[(kind, era)]` maps every field the handler reads to its path in that API era's object;
`parse` reads and validates those fields (wrong type, beyond 64 bits, unsafe uid -> `Unapplicable`),
so billing logic never touches a raw payload. Eras start at the Stripe release that moved a field:
basil (2025-03-31) moved `invoice.subscription` / `subscription_details` under `invoice.parent` and
removed `invoice.charge`, `invoice.payment_intent` and `charge.invoice` (those links now live on
InvoicePayment: delivered as `invoice_payment.paid`, else resolved through the Stripe API, see
`stripe_lookup`). InvoicePayment first appears in basil and has one shape, so an event of an older
version (Stripe is not expected to send one) is read with it too. Nothing relevant to
these fields changed from basil through endive (2026-10-28); fixtures derived from the published
`stripe` packages check this table (tests/functions/fixtures/stripe_shapes.json).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .docids import is_uid
from .events import OLDEST_SUPPORTED_API_VERSION, date_of, version_date

INT64 = (-(2 ** 63), 2 ** 63 - 1)
MAX_TEXT = 1024
ERAS: tuple[tuple[str, str], ...] = (("2024-06-20", "legacy"), ("2025-03-31", "basil"))
LINKS = ("customer", "subscription", "invoice", "charge", "payment_intent")

EVENT_KINDS: dict[str, str] = {
    "checkout.session.completed": "checkout",
    "customer.subscription.created": "subscription", "customer.subscription.updated": "subscription",
    "customer.subscription.deleted": "subscription", "customer.subscription.trial_will_end": "subscription",
    "invoice.paid": "invoice", "invoice.payment_failed": "invoice", "invoice.payment_action_required": "invoice",
    "charge.refunded": "charge", "charge.dispute.created": "dispute", "invoice_payment.paid": "invoice_payment",
}
OBJECT_TYPES = {"checkout": "checkout.session", "subscription": "subscription", "invoice": "invoice",
                "charge": "charge", "dispute": "dispute", "customer": "customer", "invoice_payment": "invoice_payment"}
# Kinds whose events only relate Stripe objects (they change no customer field): linked through stored
# links or parked until a later event links one of their ids — never worth a Stripe API lookup.
LINK_ONLY_KINDS = frozenset({"invoice_payment"})

Path = tuple[Any, ...]
_SUBSCRIPTION: dict[str, tuple[Path, ...]] = {
    "uid": (("metadata", "firebase_uid"),), "customer": (("customer",),), "subscription": (("id",),),
    "status": (("status",),), "price": (("items", "data", 0, "price"),),
    "support_tier": (("items", "data", 0, "price", "metadata", "support_tier"),), "trial_end": (("trial_end",),),
}
_CHARGE_BASIL: dict[str, tuple[Path, ...]] = {
    "uid": (("metadata", "firebase_uid"),), "customer": (("customer",),), "payment_intent": (("payment_intent",),),
    "refunded": (("refunded",),), "amount": (("amount",),), "amount_refunded": (("amount_refunded",),),
}
_INVOICE_COMMON: dict[str, tuple[Path, ...]] = {
    "customer": (("customer",),), "amount_paid": (("amount_paid",),), "billing_reason": (("billing_reason",),),
}
PATHS: dict[tuple[str, str], dict[str, tuple[Path, ...]]] = {
    ("checkout", "legacy"): {
        "uid": (("client_reference_id",), ("metadata", "firebase_uid")), "customer": (("customer",),),
        "subscription": (("subscription",),), "email": (("customer_details", "email"), ("customer_email",)),
    },
    ("subscription", "legacy"): _SUBSCRIPTION,
    ("invoice", "legacy"): {
        **_INVOICE_COMMON, "uid": (("subscription_details", "metadata", "firebase_uid"), ("metadata", "firebase_uid")),
        "subscription": (("subscription",),), "charge": (("charge",),), "payment_intent": (("payment_intent",),),
    },
    ("invoice", "basil"): {
        **_INVOICE_COMMON,
        "uid": (("parent", "subscription_details", "metadata", "firebase_uid"), ("metadata", "firebase_uid")),
        "subscription": (("parent", "subscription_details", "subscription"),),
    },
    ("charge", "legacy"): {**_CHARGE_BASIL, "invoice": (("invoice",),)},
    ("charge", "basil"): _CHARGE_BASIL,
    ("customer", "legacy"): {"uid": (("metadata", "firebase_uid"),)},
    ("dispute", "legacy"): {"uid": (("metadata", "firebase_uid"),), "charge": (("charge",),),
                            "payment_intent": (("payment_intent",),), "amount": (("amount",),)},
    # `payment.charge` is set only for a charge without a payment intent (`payment.type` = charge).
    ("invoice_payment", "basil"): {"invoice": (("invoice",),), "payment_intent": (("payment", "payment_intent"),),
                                   "charge": (("payment", "charge"),), "status": (("status",),)},
}
KINDS_OF = {"uid": "uid", "customer": "id", "subscription": "id", "invoice": "id", "charge": "id",
            "payment_intent": "id", "price": "id", "status": "text", "support_tier": "text", "email": "text",
            "billing_reason": "text", "trial_end": "int", "amount_paid": "int", "amount": "int",
            "amount_refunded": "int", "refunded": "bool"}


class Unapplicable(ValueError):
    """A verified event whose payload does not have the shape the handler needs (recorded `rejected`)."""


@dataclass(frozen=True)
class Parsed:
    """The fields of one event's object, validated; links are Stripe ids or None."""

    kind: str
    era: str
    object_id: str
    fields: dict[str, Any] = field(default_factory=dict)

    def get(self, name: str) -> Any:
        return self.fields.get(name)

    @property
    def refs(self) -> list[str]:
        """Ids of this object and every object it links to (how later events find the user)."""
        return sorted({self.object_id, *(self.fields[k] for k in LINKS if self.fields.get(k))})


def era(api_version: object) -> str:
    """The shape era of `api_version`; an unknown or malformed version reads as the oldest one."""
    date = version_date(api_version) or date_of(OLDEST_SUPPORTED_API_VERSION)
    return [name for start, name in ERAS if start <= date][-1] if date >= ERAS[0][0] else ERAS[0][1]


def paths(kind: str, era_name: str) -> dict[str, tuple[Path, ...]]:
    """The field paths for (kind, era): the newest era at or before `era_name` that defines `kind`, else
    (an object younger than the era, e.g. InvoicePayment before basil) the oldest that does."""
    names = [name for _, name in ERAS]
    for candidate in [*reversed(names[: names.index(era_name) + 1]), *names[names.index(era_name) + 1:]]:
        if (kind, candidate) in PATHS:
            return PATHS[(kind, candidate)]
    raise KeyError(kind)


def _at(obj: Any, path: Path) -> tuple[bool, Any]:
    for key in path:
        if isinstance(key, int):
            if not isinstance(obj, list) or len(obj) <= key:
                return False, None
            obj = obj[key]
        elif isinstance(obj, Mapping) and key in obj:
            obj = obj[key]
        else:
            return False, None
    return True, obj


def _check(name: str, kind: str, value: Any, where: str) -> Any:
    """`value` as the handler needs it, None when absent; Unapplicable when present but wrong."""
    if value is None or (kind != "bool" and value == ""):
        return None
    if kind == "id":
        value = value.get("id") if isinstance(value, Mapping) else value  # expanded objects carry their id
        if isinstance(value, str) and 0 < len(value) <= 255 and value.isprintable() and "/" not in value:
            return value
    elif kind == "uid":
        if is_uid(value.strip() if isinstance(value, str) else value):
            return value.strip()
    elif kind == "text":
        if isinstance(value, str) and len(value) <= MAX_TEXT:
            return value
    elif kind == "int":
        if isinstance(value, int) and not isinstance(value, bool) and INT64[0] <= value <= INT64[1]:
            return value
    elif kind == "bool" and isinstance(value, bool):
        return value
    raise Unapplicable(f"{where}: expected {kind}, got {type(value).__name__} {_preview(value)}")


def _preview(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def parse(event_type: str, obj: Mapping[str, Any], api_version: object) -> Parsed:
    """Every field of `obj` the handler reads for `event_type`, validated for the event's API era."""
    return parse_object(EVENT_KINDS[event_type], obj, api_version)


def parse_object(kind: str, obj: Mapping[str, Any], api_version: object) -> Parsed:
    """The fields of a Stripe object of `kind` (an event's or one retrieved from the API)."""
    era_name = era(api_version)
    object_id = _check("id", "id", obj.get("id"), "data.object.id")
    if object_id is None:
        raise Unapplicable("data.object.id: missing")
    if obj.get("object") not in (None, OBJECT_TYPES[kind]):
        raise Unapplicable(f"data.object.object: expected {OBJECT_TYPES[kind]}, got {_preview(obj.get('object'))}")
    fields: dict[str, Any] = {}
    for name, candidates in paths(kind, era_name).items():
        for path in candidates:
            found, raw = _at(obj, path)
            value = _check(name, KINDS_OF[name], raw, "data.object." + ".".join(map(str, path))) if found else None
            if value is not None:
                fields[name] = value
                break
    return Parsed(kind, era_name, object_id, fields)
