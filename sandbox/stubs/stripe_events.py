"""Stripe-shaped webhook events, signed the way Stripe signs them — the sender side of the webhook.

Used by the functions tests, the `functions.*` checks, the benchmark and the sandbox to deliver
events to `stripe_webhook` (in-process or over HTTP). Only the fields the handler reads are filled.
"""
from __future__ import annotations

import itertools
import json
import secrets
import time
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
