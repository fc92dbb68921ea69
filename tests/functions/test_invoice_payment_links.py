"""basil+ `invoice_payment.paid`: it links the payment intent (or bare charge) an invoice was paid with
to the invoice's user, so a later refund or dispute of that payment links from stored links with no
Stripe API call — in any delivery order, duplicates included (real Firestore emulator)."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from launchready.functions.backend.events import NEWEST_SUPPORTED_API_VERSION
from launchready.functions.backend.stripe_shapes import parse
from launchready.functions.backend.webhook import record_event
from launchready.sandbox.stubs import stripe_events as se
from tests.functions.helpers import docs, state
from tests.functions.scenarios import T0, Builder

BASIL_VERSIONS = [v for v in se.fixture_versions() if se.Shaped(v).basil]
# In-order end state: active (invoice.paid), unpaid (dispute at +3), canceled (full refund at +4).
EXPECTED = {"plan_status": "canceled", "has_access": False, "support_tier": "free"}


def _scenario(version: str, tag: str) -> tuple[Builder, dict[str, dict]]:
    """An active subscriber's paid invoice, its InvoicePayment, then a dispute and a full refund of
    that payment. Neither names the customer (a refund whose charge has none), so only the payment
    intent links them: from `invoice_payment.paid`, or else through the Stripe API."""
    b = Builder(version, "inpay", tag)
    charge, pi = f"ch_{tag}", f"pi_ch_{tag}"
    b.sub_event("customer.subscription.updated", "active", 0, metadata=True)   # links sub + customer
    b.paid_invoice("invoice.paid", 1, charge=charge)
    b.invoice_payment_paid(2)
    b.dispute(charge, 3)
    b.add("charge.refunded", b.s.charge(None, charge_id=charge, refunded=True, payment_intent=pi), 4)
    b.done()
    names = ("subscription", "invoice", "invoice_payment", "dispute", "refund")
    return b, dict(zip(names, b.sc.events, strict=True))


def _deliver(db, events: list[dict]) -> list:
    return [record_event(evt, db) for evt in events]


def _linked(db, uid: str, *stripe_ids: str) -> bool:
    links = docs(db, "stripe_links")
    return all((links.get(i) or {}).get("uid") == uid for i in stripe_ids)


@pytest.mark.parametrize("version", BASIL_VERSIONS)
def test_refund_and_dispute_link_through_invoice_payment_paid_with_zero_api_calls(db, stripe_api, version):
    b, ev = _scenario(version, "zero")
    for obj in b.sc.api_objects:                     # the API could answer; it must not be asked
        stripe_api.add_object(obj)
    outcomes = _deliver(db, list(ev.values()))
    uid = b.sc.uid
    assert [(o.status, o.uid) for o in outcomes] == [
        ("applied", uid), ("no_change", uid), ("ignored", uid), ("applied", uid), ("applied", uid)]
    assert stripe_api.requests == []
    assert _linked(db, uid, "pi_ch_zero", "ch_zero", ev["invoice_payment"]["data"]["object"]["id"])
    assert {k: state(db, uid)[k] for k in EXPECTED} == EXPECTED
    record = docs(db, "stripe_events")[ev["invoice_payment"]["id"]]
    assert (record["status"], record["changed"], record["tasks"]) == ("ignored", [], [])


ORDERS = {
    "invoice_payment_last": ("subscription", "invoice", "dispute", "refund", "invoice_payment"),
    "invoice_payment_before_invoice": ("subscription", "invoice_payment", "dispute", "refund", "invoice"),
    "reversed": ("refund", "dispute", "invoice_payment", "invoice", "subscription"),
}


@pytest.mark.parametrize("order", sorted(ORDERS))
def test_out_of_order_deliveries_end_in_the_in_order_state_from_stored_links(db, order):
    """No API key: what cannot be linked yet parks, and the event that links it drains it (chains:
    the invoice links the InvoicePayment, which links the dispute and refund)."""
    b, ev = _scenario(NEWEST_SUPPORTED_API_VERSION, f"o{len(order)}{order[:3]}")
    _deliver(db, [ev[name] for name in ORDERS[order]])
    assert {k: state(db, b.sc.uid)[k] for k in EXPECTED} == EXPECTED
    records = docs(db, "stripe_events")
    assert {(r["status"], r["uid"]) for r in records.values()} <= {
        ("applied", b.sc.uid), ("no_change", b.sc.uid), ("ignored", b.sc.uid)}, records
    assert records[ev["invoice_payment"]["id"]]["status"] == "ignored"
    assert records[ev["dispute"]["id"]]["uid"] == records[ev["refund"]["id"]]["uid"] == b.sc.uid


def test_invoice_payment_before_its_invoice_parks_without_an_api_call_and_links_when_the_invoice_does(
        db, stripe_api):
    b, ev = _scenario(NEWEST_SUPPORTED_API_VERSION, "early")
    for obj in b.sc.api_objects:
        stripe_api.add_object(obj)
    assert record_event(ev["subscription"], db).status == "applied"
    assert record_event(ev["invoice_payment"], db).status == "parked"     # link-only: never worth a lookup
    assert record_event(ev["invoice"], db).waiting == (ev["invoice_payment"]["id"],)
    assert [o.status for o in _deliver(db, [ev["dispute"], ev["refund"]])] == ["applied", "applied"]
    assert stripe_api.requests == []
    assert docs(db, "stripe_events")[ev["invoice_payment"]["id"]]["status"] == "ignored"
    assert {k: state(db, b.sc.uid)[k] for k in EXPECTED} == EXPECTED


def test_without_invoice_payment_paid_the_refund_still_links_through_the_stripe_api(db, stripe_api):
    b, ev = _scenario(NEWEST_SUPPORTED_API_VERSION, "api")
    for obj in b.sc.api_objects:
        stripe_api.add_object(obj)
    _deliver(db, [ev["subscription"], ev["invoice"]])
    outcome = record_event(ev["refund"], db)
    assert (outcome.status, outcome.uid) == ("applied", b.sc.uid)
    assert ("GET", "/v1/invoice_payments") in stripe_api.requests      # charge -> InvoicePayment -> invoice
    assert state(db, b.sc.uid)["plan_status"] == "canceled"


def test_duplicate_invoice_payment_paid_changes_nothing(db, stripe_api):
    b, ev = _scenario(NEWEST_SUPPORTED_API_VERSION, "dup")
    _deliver(db, [ev["subscription"], ev["invoice"], ev["invoice_payment"]])
    before = {name: docs(db, name) for name in ("stripe_links", "customers", "stripe_events", "sync_tasks")}
    with ThreadPoolExecutor(3) as pool:                        # redeliveries, sequential and concurrent
        replays = list(pool.map(lambda _: record_event(ev["invoice_payment"], db), range(3)))
    replays.append(record_event(ev["invoice_payment"], db))
    assert {o.status for o in replays} == {"duplicate"}
    assert {name: docs(db, name) for name in before} == before
    # The same InvoicePayment under another event id (e.g. a resend) only adds its own record.
    again = se.Shaped(NEWEST_SUPPORTED_API_VERSION).event(
        "invoice_payment.paid", ev["invoice_payment"]["data"]["object"], created=T0 + 5)
    assert record_event(again, db).status == "ignored"
    assert docs(db, "stripe_links") == before["stripe_links"] and docs(db, "customers") == before["customers"]
    assert stripe_api.requests == []


def test_a_bare_charge_payment_links_the_charge():
    """`payment.type` = charge (no payment intent): the charge id is the link; `payment.charge` is
    left null by Stripe when a payment intent is named."""
    shaped = se.Shaped(NEWEST_SUPPORTED_API_VERSION)
    bare = parse("invoice_payment.paid", shaped.invoice_payment("in_1", None, charge="ch_bare"),
                 NEWEST_SUPPORTED_API_VERSION)
    assert (bare.get("invoice"), bare.get("charge"), bare.get("payment_intent")) == ("in_1", "ch_bare", None)
    payment = shaped.invoice_payment("in_1", "pi_1")
    via_pi = parse("invoice_payment.paid", payment, NEWEST_SUPPORTED_API_VERSION)
    assert via_pi.refs == sorted({payment["id"], "in_1", "pi_1"})
    # InvoicePayment has one shape: an event of an older version would be read the same way
    assert parse("invoice_payment.paid", payment, "2024-06-20").fields == via_pi.fields
