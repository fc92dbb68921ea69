"""A local stand-in for the Cloud Monitoring API's read side: alert policies and notification
channels of one project, paged as the real API pages them (`pageSize`, `nextPageToken`).

The sandbox fills it from the offline plan — what `pulumi up` would have created — so the live
`monitoring.alerts.*` checks read a replica of the environment.
Run standalone: `python -m sandbox.stubs.monitoring_api --port P --project ID --items FILE.json`.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from werkzeug.wrappers import Request

from launchready.sandbox.stubs.http_stub import StubServer, json_response

POLICY_TYPE = "gcp:monitoring/alertPolicy:AlertPolicy"
CHANNEL_TYPE = "gcp:monitoring/notificationChannel:NotificationChannel"
COLLECTIONS = ("alertPolicies", "notificationChannels")


def items_from_plan(plan: Any, project: str) -> dict[str, list[dict[str, Any]]]:
    """The API's view of the planned policies and channels (channels referenced by API name)."""
    names: dict[str, str] = {}
    channels = []
    for i, channel in enumerate(plan.of_type(CHANNEL_TYPE)):
        names[channel.name] = f"projects/{project}/notificationChannels/{i + 1}"
        channels.append({"name": names[channel.name], "type": channel.get("type"),
                         "displayName": channel.get("display_name"), "labels": channel.get("labels"),
                         "enabled": True})
    policies = []
    for i, policy in enumerate(plan.of_type(POLICY_TYPE)):
        wanted = policy.get("notification_channels") or []
        policies.append({"name": f"projects/{project}/alertPolicies/{i + 1}",
                         "displayName": policy.get("display_name"), "enabled": True,
                         "notificationChannels": [names[c] for c in wanted if c in names] or list(names.values())})
    return {"alertPolicies": policies, "notificationChannels": channels}


class MonitoringApiStub(StubServer):
    def __init__(self, project: str, items: dict[str, list[dict[str, Any]]], port: int = 0):
        super().__init__(port)
        self.project, self.items = project, items

    def wsgi(self, environ, start_response):
        request = Request(environ)
        parts = request.path.strip("/").split("/")
        if request.method != "GET" or len(parts) != 4 or parts[:2] != ["v3", "projects"] or parts[3] not in COLLECTIONS:
            return json_response({"error": {"code": 404, "message": "not found"}}, 404)(environ, start_response)
        if parts[2] != self.project:
            return json_response({"error": {"code": 403, "message": "permission denied"}}, 403)(environ, start_response)
        size = max(1, min(int(request.args.get("pageSize") or 100), 1000))
        start = int(request.args.get("pageToken") or 0)
        items = self.items.get(parts[3], [])
        body: dict[str, Any] = {parts[3]: items[start:start + size]}
        if start + size < len(items):
            body["nextPageToken"] = str(start + size)
        return json_response(body)(environ, start_response)




def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--project", required=True)
    parser.add_argument("--items", type=Path, required=True, help="JSON: {alertPolicies: [...], notificationChannels: [...]}")
    args = parser.parse_args()
    MonitoringApiStub(args.project, json.loads(args.items.read_text()), args.port).serve_forever()


if __name__ == "__main__":
    main()
