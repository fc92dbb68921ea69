"""Stripe scenarios built from Stripe-published shapes (sandbox/stubs/stripe_fixtures/shapes.json).

`Scenario.events` are the deliveries in Stripe's order; `api_objects` are what the Stripe API
stand-in must answer for links the payload of that version does not carry (basil+ InvoicePayment).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from launchready.sandbox.stubs import stripe_events as se

T0 = 1_760_000_000


@dataclass
class Scenario:
    name: str
    uid: str
    events: list[dict[str, Any]] = field(default_factory=list)
    api_objects: list[dict[str, Any]] = field(default_factory=list)
    expected: dict[str, Any] = field(default_factory=dict)


class Builder:
    """One customer's objects in one API version; `add` appends an event at T0 + offset."""

    def __init__(self, version: str, name: str, tag: str):
        self.s, self.sc = se.Shaped(version), Scenario(name, f"uid_{tag}")
        self.cus, self.sub = f"cus_{tag}", f"sub_{tag}"

    def add(self, event_type: str, obj: dict[str, Any], offset: int) -> None:
        self.sc.events.append(self.s.event(event_type, obj, created=T0 + offset))

    def checkout(self, offset: int, uid: str | None = None) -> None:
        self.add("checkout.session.completed",
                 self.s.checkout_session(uid or self.sc.uid, self.cus, self.sub, "ada@example.com"), offset)

    def sub_event(self, event_type: str, status: str, offset: int, *, metadata: bool = False, **kw: Any) -> None:
        obj = self.s.subscription(self.sc.uid if metadata else None, self.cus, status, sub_id=self.sub, **kw)
        self.add(event_type, obj, offset)

    def paid_invoice(self, event_type: str, offset: int, *, amount: int = 1900, reason: str = "subscription_cycle",
                     charge: str | None = None) -> None:
        """An invoice event; with `charge`, its payment (legacy: on the invoice; basil+: an InvoicePayment)."""
        pi = f"pi_{charge}" if charge else None
        invoice = self.s.invoice(self.cus, self.sub, amount_paid=amount, billing_reason=reason,
                                 charge=charge, payment_intent=pi)
        self.add(event_type, invoice, offset)
        if charge:
            self.sc.api_objects += [invoice, self.s.charge(self.cus, charge_id=charge, refunded=False,
                                                           invoice=invoice["id"], payment_intent=pi)]
            if self.s.basil:
                self.sc.api_objects.append(self.s.invoice_payment(invoice["id"], pi))

    def invoice_payment_paid(self, offset: int) -> None:
        """basil+: the `invoice_payment.paid` of the last paid invoice with a charge (the same
        InvoicePayment the API stand-in lists)."""
        payment = next(o for o in reversed(self.sc.api_objects) if o.get("object") == "invoice_payment")
        self.add("invoice_payment.paid", payment, offset)

    def refund(self, charge: str, offset: int, *, full: bool) -> None:
        obj = self.s.charge(self.cus, charge_id=charge, refunded=full, amount_refunded=1900 if full else 500,
                            payment_intent=f"pi_{charge}")
        self.add("charge.refunded", obj, offset)

    def dispute(self, charge: str, offset: int) -> None:
        self.add("charge.dispute.created", self.s.dispute(charge, f"pi_{charge}"), offset)

    def paying(self, charge: str) -> Builder:
        """Checkout, an active subscription and its first paid invoice (charge `charge`), at T0..T0+2."""
        self.checkout(0)
        self.sub_event("customer.subscription.created", "active", 1)
        self.paid_invoice("invoice.paid", 2, charge=charge)
        return self

    def done(self, **expected: Any) -> Scenario:
        self.sc.api_objects += [self.s.customer(self.cus), self.s.subscription(None, self.cus, "active", sub_id=self.sub)]
        self.sc.expected = expected
        return self.sc


def everything(version: str, tag: str) -> Scenario:
    """Every handled event type in one customer's life (`invoice_payment.paid` from basil on); checkout
    without subscription metadata, so nothing but the checkout names the user. The full refund is
    last: losing it leaves access."""
    b = Builder(version, "everything", tag)
    b.checkout(0)
    b.sub_event("customer.subscription.created", "trialing", 1, trial_end=T0 + 900)
    b.sub_event("customer.subscription.trial_will_end", "trialing", 2, trial_end=T0 + 900)
    b.paid_invoice("invoice.paid", 3, amount=0, reason="subscription_create")
    b.sub_event("customer.subscription.updated", "active", 10)
    b.paid_invoice("invoice.paid", 11, charge=f"ch_a{tag}")
    if b.s.basil:                                  # basil+ names each invoice's payment in its own event
        b.invoice_payment_paid(12)
    b.paid_invoice("invoice.payment_failed", 20, amount=0)
    b.paid_invoice("invoice.payment_action_required", 21, amount=0)
    b.paid_invoice("invoice.paid", 30, charge=f"ch_b{tag}")
    if b.s.basil:
        b.invoice_payment_paid(30)
    b.refund(f"ch_b{tag}", 31, full=False)
    b.dispute(f"ch_a{tag}", 40)
    b.sub_event("customer.subscription.updated", "active", 50, price="price_team", support_tier="priority")
    b.refund(f"ch_b{tag}", 60, full=True)
    return b.done(plan_status="canceled", has_access=False, support_tier="free", plan_id="price_team",
                  billing_provider_id=b.cus, stripe_subscription_id=b.sub, email="ada@example.com")


def lifecycles(version: str) -> list[Scenario]:
    """The lifecycles a Stripe engineer would check, each with the state it must end in."""
    out = []
    b = Builder(version, "trial", "trial")        # trial start: a $0 invoice grants nothing by itself
    b.checkout(0)
    b.sub_event("customer.subscription.created", "trialing", 1, trial_end=T0 + 900)
    b.paid_invoice("invoice.paid", 2, amount=0, reason="subscription_create")
    out.append(b.done(plan_status="trialing", has_access=True, support_tier="paid", trial_ends_at=T0 + 900))
    b = Builder(version, "trial_converts", "conv")
    b.checkout(0)
    b.sub_event("customer.subscription.created", "trialing", 1, trial_end=T0 + 900)
    b.sub_event("customer.subscription.trial_will_end", "trialing", 2, trial_end=T0 + 900)
    b.sub_event("customer.subscription.updated", "active", 3, support_tier="priority")
    b.paid_invoice("invoice.paid", 4, charge="ch_conv")
    out.append(b.done(plan_status="active", has_access=True, support_tier="priority"))
    b = Builder(version, "dunning_recovers", "dun")
    b.paying("ch_dun1")
    b.paid_invoice("invoice.payment_failed", 3, amount=0)
    out.append(b.done(plan_status="past_due", has_access=True, support_tier="paid"))
    b = Builder(version, "dunning_exhausted", "dunx")
    b.checkout(0)
    b.sub_event("customer.subscription.created", "active", 1)
    b.paid_invoice("invoice.payment_failed", 2, amount=0)
    b.sub_event("customer.subscription.updated", "unpaid", 3)
    out.append(b.done(plan_status="unpaid", has_access=False, support_tier="free"))
    b = Builder(version, "refund_full", "rf")
    b.paying("ch_rf")
    b.refund("ch_rf", 3, full=True)
    out.append(b.done(plan_status="canceled", has_access=False, support_tier="free"))
    b = Builder(version, "refund_partial", "rp")
    b.paying("ch_rp")
    b.refund("ch_rp", 3, full=False)
    out.append(b.done(plan_status="active", has_access=True, support_tier="paid"))
    b = Builder(version, "dispute", "dp")         # the charge is linked only through the invoice / its payment
    b.paying("ch_dp")
    b.dispute("ch_dp", 3)
    out.append(b.done(plan_status="unpaid", has_access=False, support_tier="free"))
    b = Builder(version, "sca", "sca")            # first payment needs authentication, never given
    b.checkout(0)
    b.paid_invoice("invoice.payment_action_required", 1, amount=0, reason="subscription_create")
    b.sub_event("customer.subscription.created", "incomplete", 2)
    out.append(b.done(plan_status="incomplete", has_access=False, support_tier="free"))
    b = Builder(version, "sca_authenticated", "scaok")
    b.checkout(0)
    b.paid_invoice("invoice.payment_action_required", 1, amount=0, reason="subscription_create")
    b.paid_invoice("invoice.paid", 2, charge="ch_scaok", reason="subscription_create")
    b.sub_event("customer.subscription.updated", "active", 3)
    out.append(b.done(plan_status="active", has_access=True, support_tier="paid"))
    b = Builder(version, "cancellation", "cx")
    b.checkout(0)
    b.sub_event("customer.subscription.created", "active", 1, metadata=True)
    b.sub_event("customer.subscription.deleted", "canceled", 2, metadata=True)
    out.append(b.done(plan_status="canceled", has_access=False, support_tier="free"))
    return out
