"""The Stripe webhook endpoint for this environment, as Stripe has it (read with the stack's key).

Uses the `stripe` SDK against `--stripe-api-base` (api.stripe.com by default) with a short timeout and
one retry (the SDK backs off with jitter). Without a key the checks skip and say how to provide one.
"""
from __future__ import annotations

from typing import Any

import stripe

from launchready.checks.framework.base import Check, Severity
from launchready.checks.framework.network import network_reason
from launchready.checks.framework.registry import register
from launchready.config import stripe_keys
from launchready.config.stripe_keys import key_mode
from launchready.functions.backend.events import endpoint_events, is_supported, supported_range

TIMEOUT_S = 3.0
NO_KEY = ("no Stripe key: set STRIPE_SECRET_KEY to a key of this environment (a restricted key with read access "
          "to webhook endpoints is enough), or run with --sandbox")


def expected_mode(ctx) -> str:
    return stripe_keys.expected_mode(ctx.config.environment)


def find_endpoints(ctx) -> tuple[list[dict[str, Any]], list[str]]:
    """(the endpoints whose url is the webhook URL — two while an API upgrade overlaps — and the URLs
    of all endpoints seen)."""
    client = stripe.StripeClient(ctx.targets.stripe_api_key, base_addresses={"api": ctx.targets.stripe_api_base},
                                 max_network_retries=1, http_client=stripe.RequestsClient(timeout=TIMEOUT_S))
    seen, matches = [], []
    for endpoint in client.v1.webhook_endpoints.list({"limit": 100}).auto_paging_iter():
        seen.append(endpoint.url)
        if endpoint.url == ctx.targets.webhook_url:
            matches.append(endpoint.to_dict())
    return matches, seen


class _EndpointCheck(Check):
    applies_to = ("stripe", "launchready_backend")
    live = True
    severity = Severity.HIGH

    def judge(self, ctx, endpoint: dict[str, Any], evidence: dict[str, Any]):
        raise NotImplementedError

    def run(self, ctx):
        if not ctx.targets.stripe_api_key:
            return self.skipped(NO_KEY)
        evidence: dict[str, Any] = {"webhook_url": ctx.targets.webhook_url, "api_base": ctx.targets.stripe_api_base,
                                    "key_mode": key_mode(ctx.targets.stripe_api_key)}
        try:
            matches, seen = ctx.shared("stripe.webhook_endpoints", lambda: find_endpoints(ctx))
        except stripe.AuthenticationError as exc:
            return self.failed(f"Stripe rejected the key: {exc.user_message or exc}", evidence,
                               remediation="Use a current key of this environment's Stripe account.")
        except stripe.APIConnectionError as exc:
            unreachable = f"Stripe API at {ctx.targets.stripe_api_base} unreachable ({network_reason(exc)})"
            if self.id != EndpointExists.id:  # said once, by stripe.endpoint.exists
                return self.skipped(f"{unreachable}: not checked (see stripe.endpoint.exists)")
            return self.failed(unreachable, evidence,
                               remediation="Check network access to the Stripe API, or point --stripe-api-base at it.")
        except stripe.StripeError as exc:
            return self.errored(f"Stripe API error: {exc.user_message or exc}", evidence)
        evidence["endpoint_urls"] = seen
        if not matches:
            return self.missing(ctx, evidence)
        endpoint = matches[0]
        evidence["endpoint_id"] = endpoint["id"]
        if len(matches) > 1:
            evidence["overlapping_endpoints"] = {e["id"]: e.get("api_version") for e in matches}
        return self.judge(ctx, endpoint, evidence)

    def missing(self, ctx, evidence):
        return self.skipped(f"no Stripe webhook endpoint for {ctx.targets.webhook_url} (see stripe.endpoint.exists)")


@register
class EndpointExists(_EndpointCheck):
    id = "stripe.endpoint.exists"
    title = "A Stripe webhook endpoint exists for the environment's webhook URL"
    severity = Severity.CRITICAL
    remediation = ("Run `pulumi up --stack <stack>`: it creates the endpoint for the deployed webhook URL and "
                   "stores its signing secret in Secret Manager.")

    def missing(self, ctx, evidence):
        return self.failed(f"no Stripe webhook endpoint for {ctx.targets.webhook_url} "
                           f"({len(evidence['endpoint_urls'])} endpoint(s) for other URLs)", evidence)

    def judge(self, ctx, endpoint, evidence):
        return self.passed(f"endpoint {endpoint['id']} delivers to {ctx.targets.webhook_url}", evidence)


@register
class EndpointEnabled(_EndpointCheck):
    id = "stripe.endpoint.enabled"
    title = "The Stripe webhook endpoint is enabled"
    severity = Severity.CRITICAL
    remediation = ("Enable the endpoint in the Stripe dashboard (Developers > Webhooks) after fixing why it was "
                   "disabled; Stripe disables endpoints that keep failing.")

    def judge(self, ctx, endpoint, evidence):
        evidence["status"] = endpoint.get("status")
        if endpoint.get("status") != "enabled":
            return self.failed(f"endpoint {endpoint['id']} is {endpoint.get('status')}", evidence)
        return self.passed(f"endpoint {endpoint['id']} is enabled", evidence)


@register
class EndpointEvents(_EndpointCheck):
    id = "stripe.endpoint.events"
    title = "The endpoint subscribes to exactly the handled events"
    severity = Severity.HIGH
    remediation = ("Run `pulumi up`: the endpoint's `enabled_events` come from `backend.events.HANDLED_EVENTS`, the "
                   "same list the handler uses. Missing events are never delivered; extra ones cost retries.")

    def judge(self, ctx, endpoint, evidence):
        subscribed = set(endpoint.get("enabled_events") or [])
        handled = set(endpoint_events(endpoint.get("api_version")))   # what exists in the endpoint's version
        missing, extra = sorted(handled - subscribed), sorted(subscribed - handled)
        evidence.update(missing=missing, extra=extra)
        if missing or extra:
            parts = [f"missing {', '.join(missing)}" if missing else "", f"extra {', '.join(extra)}" if extra else ""]
            return self.failed(f"endpoint events differ from the handled events: {'; '.join(p for p in parts if p)}",
                               evidence)
        return self.passed(f"endpoint subscribes to the {len(handled)} handled events", evidence)


@register
class EndpointApiVersion(_EndpointCheck):
    id = "stripe.endpoint.api_version"
    title = "The endpoint pins a Stripe API version the functions parse"
    severity = Severity.CRITICAL
    remediation = ("Pin the endpoint to a version inside functions/backend/events.py's supported range (`pulumi up` "
                   "does, from `launchready:stripe.apiVersion`); to move past the range, teach "
                   "backend/stripe_shapes.py the new shapes first and follow the README's upgrade procedure.")

    def judge(self, ctx, endpoint, evidence):
        versions = evidence.get("overlapping_endpoints") or {endpoint["id"]: endpoint.get("api_version")}
        evidence.update(api_version=endpoint.get("api_version"), supported=supported_range())
        bad = {eid: v for eid, v in versions.items() if not is_supported(v)}
        if bad:
            listed = ", ".join(f"{eid} {v or 'unpinned (the account default)'}" for eid, v in bad.items())
            return self.failed(f"endpoint api_version outside the versions the functions parse "
                               f"({supported_range()}): {listed}", evidence)
        return self.passed(f"endpoint(s) pin api_version {', '.join(sorted(set(map(str, versions.values()))))} "
                           f"(supported: {supported_range()})", evidence)


@register
class KeyMode(Check):
    id = "stripe.endpoint.key_mode"
    applies_to = ("stripe",)
    title = "The Stripe key's mode fits the environment (prod live, others test)"
    severity = Severity.CRITICAL
    live = True
    remediation = ("Use a live key (`sk_live_`/`rk_live_`) only for prod and test keys everywhere else "
                   "(`pulumi config set --secret stripeSecretKey ... --stack <stack>`).")

    def run(self, ctx):
        if not ctx.targets.stripe_api_key:
            return self.skipped(NO_KEY)
        mode, wanted = key_mode(ctx.targets.stripe_api_key), expected_mode(ctx)
        evidence = {"environment": ctx.config.environment, "key_mode": mode, "expected": wanted}
        if mode != wanted:
            return self.failed(f"{ctx.config.environment} uses a {mode}-mode Stripe key, expected {wanted}", evidence)
        return self.passed(f"{ctx.config.environment} uses a {mode}-mode key", evidence)
