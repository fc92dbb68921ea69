"""Links the payload does not carry, read from the Stripe API with the key the webhook is granted.

Used only for an event no stored link matches (from basil on, `invoice_payment.paid` usually has
linked a refund's or dispute's payment intent already): dispute -> charge -> customer / payment intent;
payment intent -> invoice through InvoicePayment (basil+ removed `charge.invoice`,
`invoice.charge` and `invoice.payment_intent`); invoice -> subscription; subscription and customer
-> `metadata.firebase_uid`. Objects are requested in the event's API version, so the same
`stripe_shapes` table reads them. Any API failure means "no more links": the event is parked, never
lost, and a bounded number of short calls keeps the delivery well inside Stripe's timeout.
"""
from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .events import STRIPE_API_VERSION, is_supported
from .logs import log
from .stripe_shapes import Parsed, Unapplicable, parse_object

DEFAULT_API_BASE = "https://api.stripe.com"
TIMEOUT_SECONDS = 3.0
MAX_CALLS = 6


@dataclass
class Resolution:
    uid: str | None = None
    ids: set[str] = field(default_factory=set)
    calls: int = 0


def configured() -> bool:
    return bool(os.environ.get("STRIPE_SECRET_KEY"))


def api_client(api_version: str):
    import stripe

    return stripe.StripeClient(
        os.environ["STRIPE_SECRET_KEY"], stripe_version=api_version,
        base_addresses={"api": os.environ.get("STRIPE_API_BASE") or DEFAULT_API_BASE},
        max_network_retries=1, http_client=stripe.RequestsClient(timeout=TIMEOUT_SECONDS))


def resolve(parsed: Parsed, api_version: object) -> Resolution:
    """Follow the links of `parsed` through the Stripe API until a uid is found (bounded)."""
    version = api_version if is_supported(api_version) else STRIPE_API_VERSION
    client, result = api_client(str(version)), Resolution(ids=set(parsed.refs))
    known = dict(parsed.fields)
    fetchers: list[tuple[str, str, Callable[[str], Any]]] = [
        ("charge", "charge", client.v1.charges.retrieve),
        ("payment_intent", "invoice", lambda pi: _invoice_of_payment(client, pi)),
        ("invoice", "invoice", client.v1.invoices.retrieve),
        ("subscription", "subscription", client.v1.subscriptions.retrieve),
        ("customer", "customer", client.v1.customers.retrieve),
    ]
    for link, kind, fetch in fetchers:
        if result.uid or result.calls >= MAX_CALLS or not known.get(link):
            continue
        if link == "payment_intent" and known.get("invoice"):
            continue
        obj = _fetch(fetch, known[link], result)
        if obj is None:
            continue
        try:
            found = parse_object(kind, obj, version)
        except Unapplicable:
            continue
        result.ids.update(found.refs)
        result.uid = found.get("uid")
        for name, value in found.fields.items():
            known.setdefault(name, value)
        if kind == "subscription":
            known.setdefault("customer", found.get("customer"))
    return result


def _fetch(fetch: Callable[[str], Any], stripe_id: str, result: Resolution) -> dict[str, Any] | None:
    import stripe

    result.calls += 1
    try:
        obj = fetch(stripe_id)
    except (stripe.StripeError, ValueError, TypeError, AttributeError) as exc:
        log("WARNING", "stripe lookup failed", stripe_id=stripe_id, error=type(exc).__name__,
            status=getattr(exc, "http_status", None))
        return None
    return obj.to_dict() if obj is not None and hasattr(obj, "to_dict") else obj


def _invoice_of_payment(client: Any, payment_intent: str) -> dict[str, Any] | None:
    """The invoice a payment intent paid, from its InvoicePayment (basil+); None when there is none."""
    page = client.v1.invoice_payments.list(
        {"payment": {"type": "payment_intent", "payment_intent": payment_intent}, "limit": 1})
    for item in page.data:
        invoice = item.to_dict().get("invoice")
        invoice_id = invoice.get("id") if isinstance(invoice, dict) else invoice
        return client.v1.invoices.retrieve(invoice_id) if isinstance(invoice_id, str) else None
    return None
