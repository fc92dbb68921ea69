"""The Stripe side: never two enabled handlers for the same events in one account.

Stripe sends every event of an account (per mode) to each enabled endpoint that lists it, and shows
an endpoint's signing secret only when it is created — so an existing endpoint cannot be imported
with a secret the function could verify. An enabled endpoint the stack did not make that receives
any of the handled events is a `cutover`: the stack's endpoint is created *disabled*, and after it
is verified `launchready adopt --cut-over` disables the old one and enables the new one (docs/adopt.md)."""
from __future__ import annotations

from typing import Any

from launchready.adopt.decide import OWN, Decision, StackChanges, exists_or_unknown
from launchready.adopt.discovery import Live
from launchready.config.model import EnvironmentConfig
from launchready.infra.plan import PlannedResource
from launchready.preflight.stripe_account import MANAGED_BY, competing, overlapping


def endpoint(config: EnvironmentConfig, resource: PlannedResource, live: Live, changes: StackChanges) -> Decision:
    if resource.get("enabled_events") is None:   # another dynamic resource: not a webhook endpoint
        return Decision(resource.name, resource.type, "create", OWN)
    unknown = exists_or_unknown(live.stripe_endpoints, resource)
    if unknown:
        return unknown
    url = str(resource.get("url"))
    listed: list[dict[str, Any]] = live.stripe_endpoints   # type: ignore[assignment]
    others = sorted({str(e.get("url")) for e in listed if (e.get("metadata") or {}).get("managed_by") == MANAGED_BY
                     and e.get("url") != url and e.get("status") != "disabled"})
    if others:
        return Decision(resource.name, resource.type, "conflict", f"the account already delivers to another launchready "
                        f"environment ({', '.join(others)})", remediation="Give each environment its own Stripe "
                        "account or sandbox (stripe.account.shared).")
    old = competing(listed, url)
    if not old:
        return Decision(resource.name, resource.type, "create", "no other enabled endpoint receives these events")
    ids = [str(e["id"]) for e in old]
    changes.values["adopt.stripeCutover"] = {"from": ids}
    described = "; ".join(f"{e['id']} -> {e.get('url')} ({len(overlapping(e))} of the handled events)" for e in old)
    return Decision(resource.name, resource.type, "cutover", f"enabled already: {described}",
                    remediation="`pulumi up` creates the stack's endpoint disabled; once the webhook answers, run "
                                f"`launchready adopt --stack {config.stack or config.environment} --cut-over` "
                                "(disables the old endpoint, then enables the new one).")


DECIDERS = {"pulumi-python:dynamic:Resource": endpoint}
