"""HTTP access to a running sandbox's parts, for the demo's journey and `smoke --sandbox`: the emulator's
documents (admin reads bypass rules, as the backend's do), signed Stripe deliveries, the Auth sign-up
event, and the stand-ins' recorded state."""
from __future__ import annotations

from typing import Any

import httpx

from launchready.sandbox.stubs import stripe_events as se
from launchready.sandbox.stubs.auth_api import deliver_user_created


def _value(v: dict[str, Any]) -> Any:
    """One Firestore REST value -> Python."""
    kind, raw = next(iter(v.items()))
    if kind == "integerValue":
        return int(raw)
    if kind == "mapValue":
        return {k: _value(x) for k, x in (raw.get("fields") or {}).items()}
    if kind == "arrayValue":
        return [_value(x) for x in raw.get("values") or []]
    return None if kind == "nullValue" else raw


class Sandbox:
    """HTTP access to the running sandbox's parts (admin reads bypass rules as the backend does)."""

    def __init__(self, state: dict[str, Any], http: httpx.Client):
        self.state, self.targets, self.http = state, state["targets"], http
        host, project = self.targets["firestore_emulator_host"], self.targets["firestore_project"]
        self.documents = f"http://{host}/v1/projects/{project}/databases/(default)/documents"

    def doc(self, path: str) -> dict[str, Any] | None:
        r = self.http.get(f"{self.documents}/{path}", headers={"Authorization": "Bearer owner"})
        if r.status_code == 404:
            return None
        r.raise_for_status()
        return {k: _value(v) for k, v in (r.json().get("fields") or {}).items()}

    def collection(self, name: str) -> list[dict[str, Any]]:
        r = self.http.get(f"{self.documents}/{name}", params={"pageSize": 1000},
                          headers={"Authorization": "Bearer owner"})
        r.raise_for_status()
        return [{k: _value(v) for k, v in (d.get("fields") or {}).items()} for d in r.json().get("documents", [])]

    def deliver(self, evt: dict[str, Any]) -> httpx.Response:
        body, headers = se.signed(evt, self.state["local"]["stripe_webhook_secret"])
        return self.http.post(self.targets["webhook_url"], content=body, headers=headers)

    def user_created(self, uid: str, email: str) -> httpx.Response:
        """The Auth `user created` CloudEvent, as Eventarc delivers it to `on_user_created`."""
        return deliver_user_created(self.http, self.targets["on_user_created_url"], self.targets["firestore_project"],
                                    uid, email)

    def stub_state(self, name: str) -> dict[str, Any]:
        return self.http.get(f"{self.targets[name + '_api_base']}/_stub/state").json()
