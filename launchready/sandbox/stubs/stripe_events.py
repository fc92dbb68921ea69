"""Stripe-shaped webhook events, signed the way Stripe signs them — the sender side of the webhook.

Used by the functions tests, the `functions.*` checks, the benchmark and the sandbox to deliver
events to `stripe_webhook` (in-process or over HTTP). Only the fields the handler reads are filled.
"""
from __future__ import annotations

import itertools
import json
import secrets
import time
from pathlib import Path
from typing import Any

from launchready.functions.backend.events import STRIPE_API_VERSION

_seq = itertools.count(1)


def new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(8)}{next(_seq)}"


def event(event_type: str, obj: dict[str, Any], *, created: int | None = None,
          event_id: str | None = None) -> dict[str, Any]:
    return {"id": event_id or new_id("evt"), "object": "event", "type": event_type,
            "api_version": STRIPE_API_VERSION, "created": int(created if created is not None else time.time()),
            "livemode": False, "data": {"object": obj}, "pending_webhooks": 1}


def encode(evt: dict[str, Any]) -> bytes:
    return json.dumps(evt, separators=(",", ":")).encode()


def signature(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """The `Stripe-Signature` header for `payload` (the stripe SDK's own signer)."""
    import stripe

    return stripe.WebhookSignature.generate_signature_header(payload.decode(), secret, timestamp)


def signed(evt: dict[str, Any], secret: str, timestamp: int | None = None) -> tuple[bytes, dict[str, str]]:
    """(body, headers) exactly as Stripe would POST them."""
    payload = encode(evt)
    return payload, {"Stripe-Signature": signature(payload, secret, timestamp),
                     "Content-Type": "application/json; charset=utf-8"}


# -- objects


def subscription(uid: str | None, customer: str, status: str, *, sub_id: str | None = None,
                 price: str = "price_pro_monthly", support_tier: str | None = None,
                 trial_end: int | None = None) -> dict[str, Any]:
    price_obj: dict[str, Any] = {"id": price, "object": "price", "metadata": {}}
    if support_tier:
        price_obj["metadata"]["support_tier"] = support_tier
    return {"id": sub_id or new_id("sub"), "object": "subscription", "customer": customer, "status": status,
            "metadata": {"firebase_uid": uid} if uid else {}, "trial_end": trial_end,
            "items": {"object": "list", "data": [{"id": new_id("si"), "price": price_obj}]}}


def checkout_session(uid: str | None, customer: str, subscription_id: str, email: str | None = None) -> dict[str, Any]:
    return {"id": new_id("cs"), "object": "checkout.session", "client_reference_id": uid, "customer": customer,
            "subscription": subscription_id, "mode": "subscription", "payment_status": "paid",
            "customer_details": {"email": email}, "metadata": {}}


def invoice(customer: str, subscription_id: str | None, *, uid: str | None = None, amount_paid: int = 1900,
            billing_reason: str = "subscription_cycle", charge: str | None = None) -> dict[str, Any]:
    """`uid` fills `subscription_details.metadata` (Stripe copies the subscription's metadata there)."""
    return {"id": new_id("in"), "object": "invoice", "customer": customer, "subscription": subscription_id,
            "subscription_details": {"metadata": {"firebase_uid": uid} if uid else {}},
            "amount_paid": amount_paid, "billing_reason": billing_reason, "charge": charge or new_id("ch"),
            "metadata": {}}


def charge(customer: str | None, *, charge_id: str | None = None, refunded: bool = True,
           metadata: dict[str, str] | None = None) -> dict[str, Any]:
    return {"id": charge_id or new_id("ch"), "object": "charge", "customer": customer, "refunded": refunded,
            "amount": 1900, "amount_refunded": 1900 if refunded else 500, "metadata": metadata or {}}


def dispute(charge_id: str) -> dict[str, Any]:
    return {"id": new_id("dp"), "object": "dispute", "charge": charge_id, "amount": 1900,
            "reason": "fraudulent", "metadata": {}}


# -- objects in the shape of a given API version (derived from Stripe's SDKs: stripe_fixtures/shapes.json)

SHAPES_FILE = Path(__file__).with_name("stripe_fixtures") / "shapes.json"


def fixture_versions() -> tuple[str, ...]:
    """The API versions whose published shapes are committed (oldest first)."""
    return tuple(sorted(_shapes()["versions"]))


def _shapes() -> dict[str, Any]:
    if not _SHAPES:
        _SHAPES.update(json.loads(SHAPES_FILE.read_text()))
    return _SHAPES


_SHAPES: dict[str, Any] = {}


class Shaped:
    """Stripe objects exactly as `api_version` publishes them: every published field present (null
    unless the scenario sets it), and setting a field the version does not have is an error."""

    def __init__(self, api_version: str):
        self.api_version = api_version
        self.fields: dict[str, list[str]] = _shapes()["versions"][api_version]["objects"]
        self.basil = "invoice.parent" in self.fields

    def blank(self, name: str, **values: Any) -> dict[str, Any]:
        published = self.fields[name]
        unknown = sorted(set(values) - set(published) - {"object"})
        if unknown:
            raise KeyError(f"{name} has no {', '.join(unknown)} in API {self.api_version}")
        kind = name if name == "checkout.session" or "." not in name else None
        return {**dict.fromkeys(published), **({"object": kind} if kind else {}), **values}

    def event(self, event_type: str, obj: dict[str, Any], *, created: int | None = None,
              event_id: str | None = None) -> dict[str, Any]:
        evt = event(event_type, obj, created=created, event_id=event_id)
        evt["api_version"] = self.api_version
        return evt

    def customer(self, customer_id: str, uid: str | None = None) -> dict[str, Any]:
        return self.blank("customer", id=customer_id, metadata={"firebase_uid": uid} if uid else {})

    def subscription(self, uid: str | None, customer: str, status: str, *, sub_id: str, price: str = "price_pro",
                     support_tier: str | None = None, trial_end: int | None = None) -> dict[str, Any]:
        price_obj = self.blank("price", id=price, metadata={"support_tier": support_tier} if support_tier else {})
        items = {"object": "list", "data": [{"id": new_id("si"), "object": "subscription_item", "price": price_obj}]}
        return self.blank("subscription", id=sub_id, customer=customer, status=status, trial_end=trial_end,
                          metadata={"firebase_uid": uid} if uid else {}, items=items)

    def checkout_session(self, uid: str | None, customer: str, sub_id: str, email: str | None = None) -> dict[str, Any]:
        return self.blank("checkout.session", id=new_id("cs"), client_reference_id=uid, customer=customer,
                          subscription=sub_id, mode="subscription", payment_status="paid", metadata={},
                          customer_details={"email": email})

    def invoice(self, customer: str, sub_id: str | None, *, uid: str | None = None, amount_paid: int = 1900,
                billing_reason: str = "subscription_cycle", charge: str | None = None,
                payment_intent: str | None = None, invoice_id: str | None = None) -> dict[str, Any]:
        meta = {"firebase_uid": uid} if uid else {}
        common = dict(id=invoice_id or new_id("in"), customer=customer, amount_paid=amount_paid,
                      billing_reason=billing_reason, metadata={})
        if self.basil:
            details = self.blank("invoice.parent.subscription_details", subscription=sub_id, metadata=meta)
            parent = self.blank("invoice.parent", type="subscription_details", subscription_details=details) \
                if sub_id else None
            return self.blank("invoice", parent=parent, **common)
        return self.blank("invoice", subscription=sub_id, charge=charge, payment_intent=payment_intent,
                          subscription_details=self.blank("invoice.subscription_details", metadata=meta), **common)

    def charge(self, customer: str | None, *, charge_id: str, refunded: bool = True, amount_refunded: int = 1900,
               invoice: str | None = None, payment_intent: str | None = None) -> dict[str, Any]:
        links = {} if self.basil else {"invoice": invoice}
        return self.blank("charge", id=charge_id, customer=customer, refunded=refunded, amount=1900,
                          amount_refunded=amount_refunded, payment_intent=payment_intent, metadata={}, **links)

    def dispute(self, charge_id: str, payment_intent: str | None = None) -> dict[str, Any]:
        return self.blank("dispute", id=new_id("dp"), charge=charge_id, payment_intent=payment_intent,
                          amount=1900, reason="fraudulent", metadata={})

    def invoice_payment(self, invoice_id: str, payment_intent: str | None, *, charge: str | None = None,
                        amount_paid: int = 1900, invoice_payment_id: str | None = None) -> dict[str, Any]:
        """An InvoicePayment (basil+), the object of `invoice_payment.paid`: `payment.type` is
        `payment_intent` (then Stripe leaves `payment.charge` null) or, for a bare charge, `charge`."""
        payment = self.blank("invoice_payment.payment", type="payment_intent", payment_intent=payment_intent) \
            if payment_intent else self.blank("invoice_payment.payment", type="charge", charge=charge)
        return self.blank("invoice_payment", id=invoice_payment_id or new_id("inpay"), invoice=invoice_id,
                          payment=payment, status="paid", amount_paid=amount_paid, amount_requested=amount_paid,
                          currency="usd", is_default=True, livemode=False)
