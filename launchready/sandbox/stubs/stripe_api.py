"""A local stand-in for the few Stripe API endpoints launchready uses: the key's account, webhook
endpoints CRUD, and retrieval of the objects the webhook follows links through (charges, customers,
subscriptions, invoices, payment intents; invoice payments listed by payment intent or invoice);
events listed (`GET /v1/events`, newest first, `created[gt]`, `types[]`, paginated) and retrieved, and
subscriptions/customers listed — what the sweep and `reconcile` read. `rate_limit()` answers the next
calls 429 with Retry-After. Admin (no key): `POST /_stub/events`, `/_stub/objects`, `/_stub/rate_limit`.

Keys decide the mode as on api.stripe.com: `sk_test_...` sees test-mode objects, `sk_live_...`
live-mode ones (`livemode` on every object). The signing secret is returned only on create.
Run standalone: `python -m sandbox.stubs.stripe_api --port P`.
"""
from __future__ import annotations

import argparse
import itertools
import secrets
import threading
import time
from typing import Any

from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Request, Response

from launchready.sandbox.stubs.http_stub import StubServer, json_response

FIELDS = ("url", "description", "api_version", "disabled")
RETRIEVABLE = {"charges": "charge", "customers": "customer", "subscriptions": "subscription",
               "invoices": "invoice", "payment_intents": "payment_intent", "events": "event"}
LISTABLE = {"subscriptions": "subscription", "customers": "customer"}


def _error(status: int, message: str, code: str = "resource_missing") -> Response:
    body = {"error": {"type": "invalid_request_error", "message": message, "code": code}}
    return json_response(body, status)


def _listish(form: MultiDict, name: str) -> list[str] | None:
    """Stripe's form encoding of arrays: `name[0]=a&name[1]=b` (or `name[]=a`)."""
    items = sorted(((k, v) for k, v in form.items(multi=True) if k.startswith(f"{name}[")),
                   key=lambda kv: int(kv[0][len(name) + 1:-1] or 0) if kv[0][len(name) + 1:-1].isdigit() else 0)
    return [v for _, v in items] if items else None


def _mapping(form: MultiDict, name: str) -> dict[str, str] | None:
    found = {k[len(name) + 1:-1]: v for k, v in form.items() if k.startswith(f"{name}[") and k.endswith("]")}
    return found or None


class StripeApiStub(StubServer):
    """Webhook endpoints in memory, per mode. Tests may edit `endpoints` directly."""

    def __init__(self, port: int = 0, account_id: str = "acct_1LaunchreadyLocal", display_name: str = "Local sandbox"):
        super().__init__(port)
        # GET /v1/account: the account the key belongs to (one account per stand-in, as one key has one)
        self.account: dict[str, Any] = {"id": account_id, "object": "account", "type": "standard",
                                         "settings": {"dashboard": {"display_name": display_name}},
                                         "business_profile": {"name": display_name}}
        self.restricted_denied: set[str] = set()   # paths a restricted key (rk_...) is refused (403)
        self.endpoints: dict[str, dict[str, Any]] = {}
        self.requests: list[tuple[str, str]] = []
        self.objects: dict[str, dict[str, Any]] = {}      # id -> object, as the API returns it
        self.invoice_payments: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []              # as sent, oldest first
        self._rate_limited: list[str] = []                  # Retry-After of the next calls to refuse
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    # -- helpers tests use
    def add_object(self, obj: dict[str, Any]) -> dict[str, Any]:
        """Make `obj` retrievable by id (an `invoice_payment` is listed instead)."""
        with self._lock:
            if obj.get("object") == "invoice_payment":
                self.invoice_payments.append(obj)
            else:
                self.objects[obj["id"]] = obj
        return obj

    def add_event(self, evt: dict[str, Any]) -> dict[str, Any]:
        """Record `evt` as sent by Stripe (listed by `GET /v1/events`, retrievable by id)."""
        with self._lock:
            self.events.append(evt)
            self.objects[evt["id"]] = evt
        return evt

    def rate_limit(self, times: int = 1, retry_after: int = 1) -> None:
        """Answer the next `times` API calls 429 with `Retry-After: retry_after`."""
        with self._lock:
            self._rate_limited.extend([str(retry_after)] * times)

    def add_endpoint(self, *, url: str, enabled_events: list[str], livemode: bool = False,
                     status: str = "enabled", api_version: str | None = None, description: str | None = None,
                     metadata: dict[str, str] | None = None) -> dict[str, Any]:
        """Seed an endpoint as if made elsewhere (the dashboard, another tool). Stripe allows several
        endpoints at the same URL (up to 16 per account and mode): nothing here refuses a duplicate."""
        with self._lock:
            endpoint = self._new(url=url, enabled_events=enabled_events, livemode=livemode,
                                 api_version=api_version, description=description, metadata=metadata)
            endpoint["status"] = status
            return endpoint

    def _new(self, *, url: str, enabled_events: list[str], livemode: bool, api_version: str | None,
             description: str | None = None, metadata: dict | None = None) -> dict[str, Any]:
        endpoint_id = f"we_{next(self._ids):04d}{secrets.token_hex(6)}"
        endpoint = {
            "id": endpoint_id, "object": "webhook_endpoint", "url": url, "enabled_events": list(enabled_events),
            "api_version": api_version, "status": "enabled", "livemode": livemode, "created": int(time.time()),
            "description": description, "metadata": metadata or {}, "application": None,
            "secret": "whsec_" + secrets.token_hex(16),
        }
        self.endpoints[endpoint_id] = endpoint
        return endpoint

    @staticmethod
    def _public(endpoint: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in endpoint.items() if k != "secret"}

    # -- HTTP
    def wsgi(self, environ, start_response):
        request = Request(environ)
        self.requests.append((request.method, request.path))
        return self._route(request)(environ, start_response)

    def _route(self, request: Request) -> Response:
        if request.path.startswith("/_stub/"):
            return self._admin(request)
        auth = request.headers.get("Authorization", "")
        key = auth.removeprefix("Bearer ").strip()
        if not key.startswith(("sk_test_", "sk_live_", "rk_test_", "rk_live_")):
            return _error(401, "Invalid API Key provided", "api_key_invalid")
        livemode = "_live_" in key
        parts = [p for p in request.path.split("/") if p]
        if key.startswith("rk_") and request.path in self.restricted_denied:
            return _error(403, f"The provided key '{key[:8]}***' does not have the required permissions for this "
                               f"endpoint on account '{self.account['id']}'.", "secret_key_required")
        with self._lock:
            retry_after = self._rate_limited.pop(0) if self._rate_limited else None
        if retry_after is not None:
            return json_response({"error": {"type": "invalid_request_error", "code": "rate_limit",
                                            "message": "Too many requests"}}, 429, {"Retry-After": retry_after})
        if parts == ["v1", "events"] and request.method == "GET":
            return self._list_events(request)
        if len(parts) == 2 and parts[1] in LISTABLE and request.method == "GET":
            return self._list_objects(parts[1], request)
        if parts == ["v1", "account"] and request.method == "GET":
            return json_response(self.account)
        if len(parts) == 3 and parts[1] in RETRIEVABLE and request.method == "GET":
            return self._retrieve(parts[1], parts[2])
        if parts == ["v1", "invoice_payments"] and request.method == "GET":
            return self._invoice_payments(request)
        if parts[:2] != ["v1", "webhook_endpoints"]:
            return _error(404, f"Unrecognized request URL ({request.method}: {request.path})")
        with self._lock:
            if len(parts) == 2:
                if request.method == "GET":
                    return self._list(livemode, request)
                if request.method == "POST":
                    return self._create(livemode, request.form)
            elif len(parts) == 3:
                endpoint = self.endpoints.get(parts[2])
                if endpoint is None or endpoint["livemode"] != livemode:
                    return _error(404, f"No such webhook endpoint: '{parts[2]}'")
                if request.method == "GET":
                    return json_response(self._public(endpoint))
                if request.method == "POST":
                    return self._update(endpoint, request.form)
                if request.method == "DELETE":
                    del self.endpoints[parts[2]]
                    return json_response({"id": parts[2], "object": "webhook_endpoint", "deleted": True})
        return _error(405, f"Method {request.method} not allowed", "method_not_allowed")

    def _retrieve(self, collection: str, object_id: str) -> Response:
        with self._lock:
            obj = self.objects.get(object_id)
        if obj is None or obj.get("object") != RETRIEVABLE[collection]:
            return _error(404, f"No such {RETRIEVABLE[collection]}: '{object_id}'")
        return json_response(obj)

    def _invoice_payments(self, request: Request) -> Response:
        pi, invoice = request.args.get("payment[payment_intent]"), request.args.get("invoice")
        with self._lock:
            found = [p for p in self.invoice_payments if (pi and (p.get("payment") or {}).get("payment_intent") == pi)
                     or (invoice and p.get("invoice") == invoice)]
        return json_response({"object": "list", "url": "/v1/invoice_payments", "has_more": False, "data": found})

    def _list_events(self, request: Request) -> Response:
        args = request.args
        types = set(_listish(args, "types") or ([args["type"]] if args.get("type") else []))
        bounds = {op: int(args[f"created[{op}]"]) for op in ("gt", "gte", "lt", "lte") if args.get(f"created[{op}]")}
        tests = {"gt": lambda c, b: c > b, "gte": lambda c, b: c >= b, "lt": lambda c, b: c < b,
                 "lte": lambda c, b: c <= b}
        with self._lock:
            found = [e for e in reversed(self.events) if (not types or e["type"] in types)
                     and all(tests[op](e["created"], bound) for op, bound in bounds.items())]
        return self._page(found, request, "/v1/events")

    def _list_objects(self, collection: str, request: Request) -> Response:
        with self._lock:
            found = [o for o in reversed(list(self.objects.values())) if o.get("object") == LISTABLE[collection]]
        return self._page(found, request, f"/v1/{collection}")

    @staticmethod
    def _page(found: list[dict[str, Any]], request: Request, url: str) -> Response:
        """One page of a newest-first list, as Stripe pages (`limit` ≤ 100, `starting_after`)."""
        limit = max(1, min(int(request.args.get("limit", 10)), 100))
        after = request.args.get("starting_after")
        if after:
            ids = [o["id"] for o in found]
            found = found[ids.index(after) + 1:] if after in ids else []
        return json_response({"object": "list", "url": url, "has_more": len(found) > limit, "data": found[:limit]})

    def _admin(self, request: Request) -> Response:
        body = request.get_json(silent=True)
        if request.method != "POST" or not isinstance(body, dict):
            return _error(400, "POST a JSON object")
        if request.path == "/_stub/events" and isinstance(body.get("id"), str):
            return json_response(self.add_event(body))
        if request.path == "/_stub/objects" and isinstance(body.get("id"), str):
            return json_response(self.add_object(body))
        if request.path == "/_stub/rate_limit":
            self.rate_limit(int(body.get("times", 1)), int(body.get("retry_after", 1)))
            return json_response({"ok": True})
        return _error(404, f"Unrecognized stub request ({request.path})")

    def _list(self, livemode: bool, request: Request) -> Response:
        limit = min(int(request.args.get("limit", 10)), 100)
        mine = [self._public(e) for e in self.endpoints.values() if e["livemode"] == livemode]
        after = request.args.get("starting_after")
        if after:
            ids = [e["id"] for e in mine]
            mine = mine[ids.index(after) + 1:] if after in ids else []
        page = mine[:limit]
        return json_response({"object": "list", "url": "/v1/webhook_endpoints", "has_more": len(mine) > limit,
                           "data": page})

    def _create(self, livemode: bool, form: MultiDict) -> Response:
        url, events = form.get("url"), _listish(form, "enabled_events")
        if not url or not events:
            return _error(400, "Missing required param: url and enabled_events.", "parameter_missing")
        endpoint = self._new(url=url, enabled_events=events, livemode=livemode,
                             api_version=form.get("api_version"), description=form.get("description"),
                             metadata=_mapping(form, "metadata"))
        return json_response(dict(endpoint))

    def _update(self, endpoint: dict[str, Any], form: MultiDict) -> Response:
        events = _listish(form, "enabled_events")
        if events is not None:
            endpoint["enabled_events"] = events
        if "url" in form:
            endpoint["url"] = form["url"]
        if "description" in form:
            endpoint["description"] = form["description"]
        if "disabled" in form:
            endpoint["status"] = "disabled" if form["disabled"] == "true" else "enabled"
        metadata = _mapping(form, "metadata")
        if metadata is not None:
            endpoint["metadata"].update(metadata)
        return json_response(self._public(endpoint))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=0)
    StripeApiStub(parser.parse_args().port).serve_forever()


if __name__ == "__main__":
    main()
