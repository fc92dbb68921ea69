"""Probe the deployed Stripe webhook: it must reject what Stripe did not sign.

Only unsigned and wrongly signed requests are sent, never a validly signed event (we do not hold the
signing secret, and a prod endpoint must not process a test event). The body is a harmless
`launchready.probe` event that no handler acts on.
"""
from __future__ import annotations

import json
import secrets
import time

import httpx

from launchready.checks.catalog.tls._base import TIMEOUT_S, trust_context
from launchready.checks.framework.base import Check, Severity
from launchready.checks.framework.registry import register

PROBE_EVENT = {"id": "evt_launchready_probe", "object": "event", "type": "launchready.probe",
               "livemode": False, "created": 0, "data": {"object": {}}}


class _WebhookProbe(Check):
    applies_to = ("stripe", "launchready_backend")
    severity = Severity.CRITICAL
    live = True
    remediation = ("Verify every request with `stripe.Webhook.construct_event(payload, Stripe-Signature header, "
                   "signing secret)` before doing anything and answer 400 when it raises; the signing secret "
                   "comes from Secret Manager (created with the endpoint by `pulumi up`).")
    sends: str = ""

    def signature_header(self) -> dict[str, str]:
        raise NotImplementedError

    def run(self, ctx):
        url = ctx.targets.webhook_url
        headers = {"Content-Type": "application/json", "User-Agent": "launchready-webhook-probe",
                   **self.signature_header()}
        evidence = {"url": url, "sent": self.sends}
        try:
            with httpx.Client(verify=trust_context(ctx.targets), timeout=TIMEOUT_S, trust_env=False) as client:
                response = client.post(url, content=json.dumps(PROBE_EVENT), headers=headers)
        except httpx.HTTPError as exc:
            return self.failed(f"webhook {url} unreachable: {type(exc).__name__}: {exc}", evidence,
                               remediation="Deploy the functions (`pulumi up`) and check the URL, or pass "
                                           "--webhook-url.")
        status = response.status_code
        evidence["status"] = status
        if status == 400:
            return self.passed(f"{self.sends} request rejected with 400", evidence)
        if response.is_success:
            return self.failed(f"{self.sends} request accepted with {status}: anyone can forge Stripe events",
                               evidence)
        if 400 < status < 500:
            return self.warned(f"{self.sends} request rejected with {status} (Stripe's contract is 400)", evidence,
                               remediation="Answer 400 for signature failures so Stripe's dashboard shows them "
                                           "as such.")
        return self.failed(f"{self.sends} request answered {status}, expected 400", evidence)


@register
class RejectsUnsigned(_WebhookProbe):
    id = "webhook.probe.unsigned"
    title = "Webhook rejects unsigned requests with 400"
    sends = "unsigned"

    def signature_header(self) -> dict[str, str]:
        return {}


@register
class RejectsBadSignature(_WebhookProbe):
    id = "webhook.probe.bad_signature"
    title = "Webhook rejects a wrong signature with 400"
    sends = "wrongly signed"

    def signature_header(self) -> dict[str, str]:
        return {"Stripe-Signature": f"t={int(time.time())},v1={secrets.token_hex(32)}"}
