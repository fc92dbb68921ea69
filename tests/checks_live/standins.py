"""Small local servers the live-check tests point at: a Stripe webhook handler and the Cloud
Monitoring API subset the monitoring checks read."""
from __future__ import annotations

import json

import stripe
from werkzeug.wrappers import Request, Response

from launchready.checks.catalog.monitoring.alerts import CHANNEL_TYPE, POLICY_TYPE
from launchready.sandbox.stubs.http_stub import StubServer

SECRET = "whsec_" + "ab" * 16


class WebhookServer(StubServer):
    """Answers like a handler: `verify` checks the Stripe signature (400 when it fails), otherwise
    answers `status` to everything. Records what it received."""

    def __init__(self, *, verify: bool = True, status: int = 200):
        super().__init__()
        self.verify, self.status = verify, status
        self.received: list[dict] = []

    def wsgi(self, environ, start_response):
        request = Request(environ)
        payload, header = request.get_data(), request.headers.get("Stripe-Signature")
        try:
            stripe.Webhook.construct_event(payload, header or "", SECRET)
            signed = True
        except (stripe.SignatureVerificationError, ValueError):
            signed = False
        self.received.append({"signed": signed, "header": header, "body": json.loads(payload)})
        status = 400 if self.verify and not signed else self.status
        return Response("", status=status)(environ, start_response)


PAGE = 3  # small pages, so the checks must follow nextPageToken


class MonitoringApi(StubServer):
    """`GET /v3/projects/{project}/alertPolicies|notificationChannels`, paged by `pageToken`."""

    def __init__(self, project: str):
        super().__init__()
        self.project = project
        self.items: dict[str, list[dict]] = {"alertPolicies": [], "notificationChannels": []}

    def wsgi(self, environ, start_response):
        request = Request(environ)
        parts = request.path.strip("/").split("/")
        if len(parts) != 4 or parts[:2] != ["v3", "projects"] or parts[3] not in self.items:
            return Response("{}", status=404)(environ, start_response)
        if parts[2] != self.project:
            return Response('{"error": {"code": 403}}', status=403)(environ, start_response)
        start = int(request.args.get("pageToken") or 0)
        body = {parts[3]: self.items[parts[3]][start:start + PAGE]}
        if start + PAGE < len(self.items[parts[3]]):
            body["nextPageToken"] = str(start + PAGE)
        return Response(json.dumps(body), mimetype="application/json")(environ, start_response)

    def fill_from_plan(self, plan) -> MonitoringApi:
        """Hold exactly what the plan creates (channels named as the API names them)."""
        channel_names = {}
        for i, channel in enumerate(plan.of_type(CHANNEL_TYPE)):
            channel_names[channel.name] = f"projects/{self.project}/notificationChannels/{i}"
            self.items["notificationChannels"].append({
                "name": channel_names[channel.name], "type": channel.get("type"),
                "displayName": channel.get("display_name"), "labels": channel.get("labels"), "enabled": True})
        for i, policy in enumerate(plan.of_type(POLICY_TYPE)):
            self.items["alertPolicies"].append({
                "name": f"projects/{self.project}/alertPolicies/{i}", "displayName": policy.get("display_name"),
                "enabled": True, "notificationChannels": list(channel_names.values())})
        return self
