"""`launchready adopt --cut-over`: the stack's Stripe endpoint takes over from the one(s) already
delivering, never with two enabled at once. The new endpoint must exist (made disabled by `pulumi
up`) and its URL must answer an unsigned delivery with 400 (the function is up and verifies
signatures); then each old endpoint is disabled and only after that the new one enabled. An event
created in the gap between the two calls is fetched by the backend's sweep (it pulls Stripe events
newer than the last one stored) or by `launchready reconcile --fix`."""
from __future__ import annotations

import httpx

from launchready.config.model import EnvironmentConfig
from launchready.errors import UsageError
from launchready.preflight.model import ApiError, Client, Unreachable
from launchready.preflight.stripe_account import MANAGED_BY, webhook_endpoints

VERIFY_TIMEOUT_S = 10.0


def cut_over(config: EnvironmentConfig, stripe_base: str, key: str, verify_url: str | None = None) -> list[str]:
    """Switches the endpoints; returns what it did, one line each. Raises UsageError when it must not."""
    cutover = config.adopt.stripe_cutover
    if cutover is None:
        raise UsageError("the stack records no Stripe cut-over (launchready:adopt.stripeCutover): nothing to switch")
    try:
        with Client({"Authorization": f"Bearer {key}"}) as client:
            listed = webhook_endpoints(client, stripe_base)
            new = next((e for e in listed if e.get("url") == config.webhook_url
                        and (e.get("metadata") or {}).get("managed_by") == MANAGED_BY), None)
            if new is None:
                raise UsageError(f"no launchready endpoint delivers to {config.webhook_url} yet: run `pulumi up` first")
            _verify(verify_url or config.webhook_url)
            done = []
            for old in cutover.from_endpoints:
                client.call("POST", f"{stripe_base}/v1/webhook_endpoints/{old}", data={"disabled": "true"})
                done.append(f"disabled {old}")
            client.call("POST", f"{stripe_base}/v1/webhook_endpoints/{new['id']}", data={"disabled": "false"})
            done.append(f"enabled {new['id']} -> {config.webhook_url}")
            return done
    except (ApiError, Unreachable) as exc:
        raise UsageError(f"Stripe API: {exc}; nothing more was changed") from None


def _verify(url: str) -> None:
    """The webhook rejects an unsigned delivery with 400: deployed, and checking signatures."""
    try:
        answer = httpx.post(url, content=b"{}", headers={"Stripe-Signature": "t=0,v1=0", "Content-Type":
                                                          "application/json"}, timeout=VERIFY_TIMEOUT_S)
    except httpx.HTTPError as exc:
        raise UsageError(f"the new webhook {url} did not answer ({type(exc).__name__}): not switching") from None
    if answer.status_code != 400:
        raise UsageError(f"the new webhook {url} answered {answer.status_code} to an unsigned delivery (expected 400, "
                         "a rejected signature): not switching")
