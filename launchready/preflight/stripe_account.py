"""The Stripe side of a first deploy, read-only: the key is of the stack's mode (a test key in prod
creates the endpoint where no real payment ever arrives), the account it opens, and what that
account already delivers to. Stripe sends every event of an account (per mode) to each of its
endpoints, so two environments sharing one account receive each other's customers' events."""
from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

from launchready.config.model import EnvironmentConfig
from launchready.config.stripe_keys import key_mode
from launchready.preflight.model import ApiError, Client, Endpoints, Finding, Unreachable

KEY_ENV = "STRIPE_SECRET_KEY"
MANAGED_BY = "launchready"      # metadata the infra program puts on the endpoints it creates
MAX_PAGES = 10                  # 1,000 endpoints: more than any account holds (Stripe allows 16)
OWN_ACCOUNT = ("Give each environment its own Stripe account or sandbox (Dashboard → Sandboxes) and set "
               "that account's key for this stack: `pulumi config set --secret launchready:stripeSecretKey "
               "--stack {stack}`.")


def probe(config: EnvironmentConfig, endpoints: Endpoints) -> Iterator[Finding]:
    key = os.environ.get(KEY_ENV, "")
    stack = config.stack or config.environment
    assert config.stripe is not None, "probed only for payments: stripe, which the config model requires settings for"
    wanted = "live" if config.stripe.mode == "live" else "test"
    if not key:
        yield Finding("stripe.key_mode", "warn", f"${KEY_ENV} is not set: the key's mode and account were not checked",
                      f"Export the stack's key (`pulumi config get launchready:stripeSecretKey --stack {stack}`) "
                      f"as {KEY_ENV} to check it.")
        return
    mode = key_mode(key)
    if mode != wanted:
        yield Finding("stripe.key_mode", "fail", f"the Stripe key is a {mode}-mode key but the stack runs in "
                      f"{wanted} mode", f"Use the {wanted}-mode key of this environment's Stripe account.")
        return
    yield Finding("stripe.key_mode", "pass", f"the Stripe key is a {mode}-mode key, as the stack needs")
    yield from _account(config, endpoints, key, mode)


def _account(config: EnvironmentConfig, endpoints: Endpoints, key: str, mode: str) -> Iterator[Finding]:
    try:
        with Client({"Authorization": f"Bearer {key}"}) as client:
            account = client.call("GET", f"{endpoints.stripe}/v1/account")
            yield Finding("stripe.account", "pass", f"the key opens Stripe account {_label(account)} ({mode} mode)")
            listed = webhook_endpoints(client, endpoints.stripe)
    except Unreachable as exc:
        yield Finding("stripe.account", "error", f"Stripe API: {exc}",
                      "Check network access to api.stripe.com (or --stripe-api-base).")
        return
    except ApiError as exc:
        if exc.status == 403:  # a restricted key without Account/Webhook Endpoints read
            yield Finding("stripe.account", "warn", f"the key may not read the account or its webhook endpoints "
                          f"({exc.message}), so they were not checked",
                          "Grant the restricted key read access to Account and Webhook Endpoints, or use the "
                          "secret key.")
        else:
            yield Finding("stripe.account", "fail", f"Stripe rejected the key ({exc.message})",
                          "Use a current secret key of this environment's Stripe account.")
        return
    yield _judge_endpoints(config, account, listed)


def _label(account: dict[str, Any]) -> str:
    name = ((account.get("settings") or {}).get("dashboard") or {}).get("display_name") \
        or (account.get("business_profile") or {}).get("name")
    return f"{account.get('id')} ({name})" if name else str(account.get("id"))


def webhook_endpoints(client: Client, base: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    params: dict[str, Any] = {"limit": 100}
    for _ in range(MAX_PAGES):
        page = client.call("GET", f"{base}/v1/webhook_endpoints", params=params)
        data = [e for e in page.get("data") or [] if isinstance(e, dict)]
        found += data
        if not page.get("has_more") or not data:
            break
        params = {"limit": 100, "starting_after": data[-1].get("id")}
    return found


def overlapping(endpoint: dict[str, Any]) -> list[str]:
    """The events the backend handles that an endpoint also receives (`*` is every event)."""
    from launchready.functions.backend.events import HANDLED_EVENTS

    events = endpoint.get("enabled_events") or []
    return list(HANDLED_EVENTS) if "*" in events else [e for e in HANDLED_EVENTS if e in events]


def competing(endpoints: list[dict[str, Any]], url: str) -> list[dict[str, Any]]:
    """Enabled endpoints no launchready stack made that act on the events the backend handles: with the
    stack's own endpoint enabled too, two handlers would act on every payment."""
    return [e for e in endpoints if e.get("status") != "disabled" and overlapping(e)
            and (e.get("metadata") or {}).get("managed_by") != MANAGED_BY]


def _judge_endpoints(config: EnvironmentConfig, account: dict[str, Any], listed: list[dict[str, Any]]) -> Finding:
    """Another launchready environment's endpoint in this account blocks; a foreign endpoint on our URL warns."""
    stack, url, label = config.stack or config.environment, config.webhook_url, _label(account)
    ours = [e for e in listed if (e.get("metadata") or {}).get("managed_by") == MANAGED_BY]
    others = sorted({str(e.get("url")) for e in ours if e.get("url") != url and e.get("status") != "disabled"})
    if others:
        return Finding("stripe.account.shared", "fail",
                       f"account {label} already delivers to another launchready environment ({', '.join(others)}): "
                       f"Stripe sends every event of the account to each endpoint, so stack {stack} and that "
                       "environment would receive each other's customers' events", OWN_ACCOUNT.format(stack=stack))
    cutover = set(config.adopt.stripe_cutover.from_endpoints) if config.adopt.stripe_cutover else set()
    rival = [e for e in competing(listed, url) if e.get("url") != url]
    undecided = sorted(f"{e.get('id')} -> {e.get('url')}" for e in rival if e.get("id") not in cutover)
    if undecided:
        return Finding("stripe.account.shared", "fail",
                       f"account {label} already delivers the events the backend handles to {', '.join(undecided)}: "
                       f"with stack {stack}'s endpoint enabled too, two handlers act on every payment",
                       f"Run `launchready adopt --stack {stack} --write` (records a cut-over: the new endpoint is "
                       "created disabled, `launchready adopt --cut-over` switches them), or disable the old endpoint.")
    if rival:
        return Finding("stripe.account.shared", "warn",
                       f"cut-over pending from {', '.join(sorted(str(e.get('id')) for e in rival))}: `pulumi up` creates "
                       f"stack {stack}'s endpoint disabled", f"After `pulumi up`, run `launchready adopt --stack {stack} "
                       "--cut-over`.")
    unmanaged = sorted(str(e.get("id")) for e in listed
                       if e.get("url") == url and (e.get("metadata") or {}).get("managed_by") != MANAGED_BY)
    if unmanaged:
        return Finding("stripe.account.shared", "warn",
                       f"endpoint(s) {', '.join(unmanaged)} not created by launchready already deliver to {url}: "
                       "after `pulumi up` a second endpoint delivers the same events, signed with a secret the "
                       "function does not hold, so those deliveries fail until Stripe disables that endpoint",
                       "Delete the hand-made endpoint in the Stripe Dashboard (Developers → Webhooks) once the "
                       "managed one is live.")
    return Finding("stripe.account.shared", "pass",
                   f"account {label} delivers to no other launchready environment"
                   + (" (this stack's endpoint already exists)" if any(e.get("url") == url for e in ours) else ""))
