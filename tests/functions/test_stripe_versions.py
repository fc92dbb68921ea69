"""Every handled event type and lifecycle, on Stripe-published shapes of each supported API version."""
from __future__ import annotations

import pytest

from launchready.functions.backend import stripe_shapes
from launchready.functions.backend.events import (
    HANDLED_EVENTS,
    NEWEST_SUPPORTED_API_VERSION,
    OLDEST_SUPPORTED_API_VERSION,
    STRIPE_API_VERSION,
    is_supported,
)
from launchready.functions.backend.webhook import record_event
from launchready.sandbox.stubs import stripe_events as se
from tests.functions.helpers import docs, state
from tests.functions.scenarios import T0, Builder, lifecycles

VERSIONS = se.fixture_versions()


def test_the_fixtures_cover_the_pinned_and_the_newest_supported_version():
    assert STRIPE_API_VERSION in VERSIONS and NEWEST_SUPPORTED_API_VERSION in VERSIONS
    assert all(is_supported(v) for v in VERSIONS) and not is_supported("2024-04-10") \
        and not is_supported("2027-01-01.fig") and not is_supported(None)
    assert OLDEST_SUPPORTED_API_VERSION == min(VERSIONS)


@pytest.mark.parametrize("version", VERSIONS)
def test_every_path_the_parser_reads_exists_in_the_published_shape(version):
    published = se.Shaped(version).fields
    nested = {("invoice", "parent"): "invoice.parent", ("invoice.parent", "subscription_details"):
              "invoice.parent.subscription_details", ("invoice", "subscription_details"): "invoice.subscription_details"}
    for kind in set(stripe_shapes.EVENT_KINDS.values()) | {"customer"}:
        obj_name = stripe_shapes.OBJECT_TYPES[kind]
        if obj_name not in published:       # InvoicePayment is younger than the version: never sent in it
            assert (kind, stripe_shapes.era(version)) == ("invoice_payment", "legacy"), (version, kind)
            continue
        for name, candidates in stripe_shapes.paths(kind, stripe_shapes.era(version)).items():
            for path in candidates:
                where: str | None = obj_name
                for key in path:                  # typed levels only: metadata and items are free-form
                    assert key in published[where], f"{version}: {obj_name}.{'.'.join(map(str, path))} ({name})"
                    where = nested.get((where, key))
                    if where is None:
                        break


def test_the_shapes_the_parser_relies_on_moved_in_basil():
    """The published facts behind the basil era (if Stripe's SDKs said otherwise, the table is wrong)."""
    old, new = se.Shaped(STRIPE_API_VERSION).fields, se.Shaped(NEWEST_SUPPORTED_API_VERSION).fields
    assert {"subscription", "charge", "payment_intent"} <= set(old["invoice"]) and "invoice" in old["charge"]
    assert not {"subscription", "charge", "payment_intent"} & set(new["invoice"]) and "invoice" not in new["charge"]
    assert {"subscription", "metadata"} <= set(new["invoice.parent.subscription_details"])
    assert {"invoice", "payment", "status"} <= set(new["invoice_payment"]) and "invoice_payment" not in old
    assert {"type", "payment_intent", "charge"} <= set(new["invoice_payment.payment"])


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("scenario", [s.name for s in lifecycles(STRIPE_API_VERSION)])
def test_lifecycle_ends_in_the_expected_state(db, stripe_api, version, scenario):
    sc = next(s for s in lifecycles(version) if s.name == scenario)
    for obj in sc.api_objects:
        stripe_api.add_object(obj)
    outcomes = [record_event(evt, db).status for evt in sc.events]
    assert "rejected" not in outcomes
    final = state(db, sc.uid)
    assert {k: final[k] for k in sc.expected} == sc.expected, (version, scenario, outcomes)
    assert {r["status"] for r in docs(db, "stripe_events").values()} <= {"applied", "no_change", "ignored"}


def _isolated(version: str, event_type: str) -> tuple[Builder, str]:
    b = Builder(version, event_type, "iso")
    b.checkout(0)
    b.sub_event("customer.subscription.updated", "active", 1, metadata=True)
    b.paid_invoice("invoice.paid", 2, charge="ch_iso")
    expected = {
        "checkout.session.completed": "active", "customer.subscription.created": "trialing",
        "customer.subscription.updated": "past_due", "customer.subscription.deleted": "canceled",
        "customer.subscription.trial_will_end": "trialing", "invoice.paid": "active",
        "invoice.payment_failed": "past_due", "invoice.payment_action_required": "past_due",
        "charge.refunded": "canceled", "charge.dispute.created": "unpaid",
        "invoice_payment.paid": "active"}[event_type]
    if event_type == "checkout.session.completed":
        b.checkout(10)
    elif event_type.startswith("customer.subscription."):
        b.sub_event(event_type, {"created": "trialing", "updated": "past_due", "deleted": "canceled",
                                 "trial_will_end": "trialing"}[event_type.rsplit(".", 1)[1]], 10)
    elif event_type.startswith("invoice."):
        b.paid_invoice(event_type, 10, amount=1900 if event_type == "invoice.paid" else 0)
    elif event_type == "charge.refunded":
        b.refund("ch_iso", 10, full=True)
    elif event_type == "invoice_payment.paid":
        b.invoice_payment_paid(10)
    else:
        b.dispute("ch_iso", 10)
    return b, expected


@pytest.mark.parametrize("version", [STRIPE_API_VERSION, NEWEST_SUPPORTED_API_VERSION])
@pytest.mark.parametrize("event_type", HANDLED_EVENTS)
def test_each_handled_event_type_alone_applies_to_the_linked_user(db, stripe_api, version, event_type):
    if event_type == "invoice_payment.paid" and not se.Shaped(version).basil:
        pytest.skip("InvoicePayment (and its event) exists from basil on")
    b, expected = _isolated(version, event_type)
    sc = b.done()
    for obj in sc.api_objects:
        stripe_api.add_object(obj)
    for evt in sc.events[:-1]:
        record_event(evt, db)
    outcome = record_event(sc.events[-1], db)
    changes = ("ignored",) if event_type == "invoice_payment.paid" else ("applied", "no_change")  # links only
    assert outcome.uid == sc.uid and outcome.status in changes
    final = state(db, sc.uid)
    assert final["plan_status"] == expected
    assert final["support_tier"] == ("paid" if final["has_access"] else "free")


def test_basil_dispute_is_linked_through_the_stripe_api_when_no_stored_link_names_the_charge(db, stripe_api):
    b = Builder(NEWEST_SUPPORTED_API_VERSION, "dispute", "api")
    b.sub_event("customer.subscription.updated", "active", 0, metadata=True)
    b.paid_invoice("invoice.paid", 1, charge="ch_api")
    b.dispute("ch_api", 2)
    sc = b.done()
    for obj in sc.api_objects:
        stripe_api.add_object(obj)
    record_event(sc.events[0], db)
    outcome = record_event(sc.events[2], db)        # the invoice.paid never arrived: only the API links it
    assert (outcome.status, outcome.uid) == ("applied", sc.uid)
    assert ("GET", "/v1/charges/ch_api") in stripe_api.requests
    assert state(db, sc.uid)["has_access"] is False


def test_without_a_key_a_basil_dispute_parks_until_its_charge_is_linked(db, monkeypatch):
    monkeypatch.delenv("STRIPE_SECRET_KEY", raising=False)
    b = Builder(NEWEST_SUPPORTED_API_VERSION, "dispute", "nokey")
    b.sub_event("customer.subscription.updated", "active", 0, metadata=True)
    b.dispute("ch_nokey", 2)
    record_event(b.sc.events[0], db)
    assert record_event(b.sc.events[1], db).status == "parked"
    refund = b.s.charge(b.cus, charge_id="ch_nokey", refunded=False, payment_intent="pi_ch_nokey")
    record_event(b.s.event("charge.refunded", refund, created=T0 + 1), db)   # links ch_nokey -> user
    assert docs(db, "stripe_events")[b.sc.events[1]["id"]]["status"] == "applied"
    assert state(db, b.sc.uid)["plan_status"] == "unpaid"
