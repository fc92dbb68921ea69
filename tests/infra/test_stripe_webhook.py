"""The Stripe webhook endpoint dynamic provider against the local Stripe API stand-in."""
from __future__ import annotations

import pytest
import stripe

from launchready.functions.backend.events import HANDLED_EVENTS
from launchready.infra.components.stripe_webhook import WebhookEndpointProvider
from launchready.sandbox.stubs.stripe_api import StripeApiStub


@pytest.fixture
def stub():
    with StripeApiStub() as server:
        yield server


@pytest.fixture
def props(stub):
    return {"api_key": "sk_test_launchready", "api_base": stub.base_url, "url": "https://api.dev.acmenotes.com/stripe_webhook",
            "enabled_events": list(HANDLED_EVENTS), "api_version": "2024-06-20", "description": "Acme Notes: dev",
            "metadata": {"managed_by": "launchready"}, "secret": None, "status": None, "livemode": None}


def test_create_registers_endpoint_and_returns_signing_secret(stub, props):
    result = WebhookEndpointProvider().create(props)
    endpoint = stub.endpoints[result.id]
    assert endpoint["url"] == props["url"]
    assert endpoint["enabled_events"] == list(HANDLED_EVENTS)
    assert endpoint["api_version"] == "2024-06-20" and endpoint["livemode"] is False
    assert endpoint["metadata"] == {"managed_by": "launchready"}
    assert result.outs["secret"] == endpoint["secret"] and result.outs["secret"].startswith("whsec_")
    assert result.outs["status"] == "enabled"


def test_diff_distinguishes_no_change_update_and_replace(props):
    provider = WebhookEndpointProvider()
    olds = {**props, "secret": "whsec_x", "status": "enabled", "livemode": False}
    assert provider.diff("we_1", olds, dict(props)).changes is False
    reordered = {**props, "enabled_events": list(reversed(HANDLED_EVENTS))}
    assert provider.diff("we_1", olds, reordered).changes is False
    moved = provider.diff("we_1", olds, {**props, "url": "https://api.acmenotes.com/stripe_webhook"})
    assert moved.changes is True and moved.replaces == []
    fewer = provider.diff("we_1", olds, {**props, "enabled_events": list(HANDLED_EVENTS[:-1])})
    assert fewer.changes is True and fewer.replaces == []
    pinned = provider.diff("we_1", olds, {**props, "api_version": "2025-01-27.acacia"})
    assert pinned.changes is True and pinned.replaces == ["api_version"]
    live = provider.diff("we_1", olds, {**props, "api_key": "sk_live_launchready"})
    assert live.replaces == ["api_key"]
    rotated = provider.diff("we_1", olds, {**props, "api_key": "sk_test_rotated"})
    assert rotated.changes is True and rotated.replaces == []


def test_update_changes_endpoint_in_place_and_keeps_the_secret(stub, props):
    provider = WebhookEndpointProvider()
    created = provider.create(props)
    news = {**props, "url": "https://api.acmenotes.com/stripe_webhook", "enabled_events": ["invoice.paid"]}
    updated = provider.update(created.id, created.outs, news)
    endpoint = stub.endpoints[created.id]
    assert (endpoint["url"], endpoint["enabled_events"]) == (news["url"], ["invoice.paid"])
    assert updated.outs["secret"] == created.outs["secret"] == endpoint["secret"]
    assert updated.outs["enabled_events"] == ["invoice.paid"]
    assert len(stub.endpoints) == 1


def test_delete_removes_endpoint_and_tolerates_already_gone(stub, props):
    provider = WebhookEndpointProvider()
    created = provider.create(props)
    provider.delete(created.id, created.outs)
    assert created.id not in stub.endpoints
    provider.delete(created.id, created.outs)  # a second delete (endpoint removed by hand) is not an error
    assert provider.read(created.id, created.outs).id is None


def test_read_refreshes_from_stripe(stub, props):
    provider = WebhookEndpointProvider()
    created = provider.create(props)
    stub.endpoints[created.id]["enabled_events"] = ["charge.refunded"]
    read = provider.read(created.id, created.outs)
    assert read.id == created.id and read.outs["enabled_events"] == ["charge.refunded"]
    assert read.outs["secret"] == created.outs["secret"]


def test_mode_follows_the_key_and_bad_keys_fail_clearly(stub, props):
    provider = WebhookEndpointProvider()
    live = provider.create({**props, "api_key": "sk_live_launchready"})
    assert stub.endpoints[live.id]["livemode"] is True and live.outs["livemode"] is True
    with pytest.raises(stripe.AuthenticationError):
        provider.create({**props, "api_key": "pk_test_publishable"})


def test_a_disabled_endpoint_is_enabled_again_on_the_next_up(stub, props):
    provider = WebhookEndpointProvider()
    created = provider.create(props)
    stub.endpoints[created.id]["status"] = "disabled"      # Stripe disables endpoints that keep failing
    refreshed = provider.read(created.id, created.outs)
    assert refreshed.outs["status"] == "disabled"
    diff = provider.diff(created.id, refreshed.outs, dict(props))
    assert diff.changes is True and diff.replaces == []
    updated = provider.update(created.id, refreshed.outs, dict(props))
    assert updated.outs["status"] == "enabled" and stub.endpoints[created.id]["status"] == "enabled"
    assert provider.diff(created.id, updated.outs, dict(props)).changes is False


def test_a_pending_cut_over_creates_the_endpoint_disabled_and_a_later_update_enables_it(stub, props):
    """launchready adopt recorded a cut-over: the old endpoint still delivers, so the new one must not."""
    provider = WebhookEndpointProvider()
    created = provider.create({**props, "disabled": True})
    assert stub.endpoints[created.id]["status"] == "disabled" and created.outs["status"] == "disabled"
    after = {k: v for k, v in props.items() if k != "disabled"}   # the cut-over done: the stack drops it
    diff = provider.diff(created.id, created.outs, after)
    assert diff.changes is True and diff.replaces == []
    provider.update(created.id, created.outs, after)
    assert stub.endpoints[created.id]["status"] == "enabled"
    still = provider.diff(created.id, {**created.outs, "status": "disabled"}, {**props, "disabled": True})
    assert still.changes is False   # disabled on purpose while the cut-over is pending: no "re-enable" diff
