"""A local stand-in for the HubSpot and Zendesk API subset the sync adapters use, with fault injection.

HubSpot: `POST /crm/v3/objects/contacts/batch/upsert` (idProperty=email). Zendesk:
`POST /api/v2/users/create_or_update`, `PUT /api/v2/users/{id}/tags`, `POST /api/v2/tickets`
(honours `Idempotency-Key`), `GET /api/v2/tickets/show_many?ids=`; HubSpot `contacts/batch/read` (by
email) too — what `reconcile` reads. Every call needs `Authorization: Bearer <token>` (else 401).

Faults are queued per path prefix: an HTTP status (with Retry-After for 429), or a delay longer
than the client's timeout (the request is still applied afterwards, as a slow real server would).
Tests call `fail()` directly; the sandbox uses `POST /_stub/faults` with the same fields, and
`GET /_stub/state` to see what the providers hold.
Run standalone: `python -m sandbox.stubs.crm_support --port P --token T`.
"""
from __future__ import annotations

import argparse
import itertools
import re
import threading
import time
from dataclasses import dataclass
from typing import Any

from werkzeug.wrappers import Request, Response

from launchready.sandbox.stubs.http_stub import StubServer, json_response

_USER_TAGS = re.compile(r"^/api/v2/users/(\d+)/tags/?$")


@dataclass
class Fault:
    path: str                      # applies to requests whose path starts with this
    status: int = 500
    retry_after: str | None = None
    delay: float = 0.0             # > 0: sleep this long, then serve normally (a timeout for the client)
    times: int | None = 1          # None: forever




class CrmSupportStub(StubServer):
    """HubSpot contacts and Zendesk users/tickets in memory; `requests` logs (method, path, status)."""

    def __init__(self, port: int = 0, token: str = "stub-token"):
        super().__init__(port)
        self.token = token
        self.contacts: dict[str, dict[str, Any]] = {}     # by email
        self.users: dict[str, dict[str, Any]] = {}        # by email
        self.tickets: dict[int, dict[str, Any]] = {}
        self.requests: list[tuple[str, str, int]] = []
        self._faults: list[Fault] = []
        self._idempotency: dict[str, int] = {}
        self._ids = itertools.count(1001)
        self._lock = threading.Lock()

    # -- used by tests and the admin endpoint
    def fail(self, path: str, status: int = 500, *, retry_after: str | int | None = None,
             delay: float = 0.0, times: int | None = 1) -> None:
        with self._lock:
            self._faults.append(Fault(path, status, None if retry_after is None else str(retry_after),
                                      delay, times))

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def calls(self, prefix: str) -> list[tuple[str, str, int]]:
        with self._lock:
            return [r for r in self.requests if r[1].startswith(prefix)]

    def state(self) -> dict[str, Any]:
        with self._lock:
            return {"contacts": list(self.contacts.values()), "users": list(self.users.values()),
                    "tickets": list(self.tickets.values())}

    # -- WSGI
    def wsgi(self, environ, start_response):
        request = Request(environ)
        response = self._dispatch(request)
        with self._lock:
            self.requests.append((request.method, request.path, response.status_code))
        return response(environ, start_response)

    def _take_fault(self, path: str) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if path.startswith(fault.path):
                    if fault.times is not None:
                        fault.times -= 1
                        if fault.times <= 0:
                            self._faults.remove(fault)
                    return fault
        return None

    def _dispatch(self, request: Request) -> Response:
        if request.path.startswith("/_stub/"):
            return self._admin(request)
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return json_response({"status": "error", "message": "Authentication credentials not found"}, 401)
        fault = self._take_fault(request.path)
        if fault and fault.delay > 0:
            time.sleep(fault.delay)
        elif fault:
            headers = {"Retry-After": fault.retry_after} if fault.retry_after else None
            return json_response({"status": "error", "message": f"injected HTTP {fault.status}"}, fault.status, headers)
        if request.method == "DELETE":
            return self._delete(request.path)
        body = request.get_json(silent=True) if request.method != "GET" else {}
        if not isinstance(body, dict):
            return json_response({"status": "error", "message": "invalid JSON body"}, 400)
        if request.method == "POST" and request.path == "/crm/v3/objects/contacts/batch/upsert":
            return self._upsert_contacts(body)
        if request.method == "GET" and request.path.rstrip("/") in ("/api/v2/tickets/show_many",
                                                                    "/api/v2/tickets/show_many.json"):
            return self._show_tickets(request.args.get("ids", ""))
        if request.method == "POST" and request.path == "/crm/v3/objects/contacts/batch/read":
            return self._read_contacts(body)
        if request.method == "POST" and request.path.rstrip("/") in ("/api/v2/users/create_or_update",
                                                                     "/api/v2/users/create_or_update.json"):
            return self._upsert_user(body)
        match = _USER_TAGS.match(request.path)
        if request.method == "PUT" and match:
            return self._set_tags(int(match.group(1)), body)
        if request.method == "POST" and request.path.rstrip("/") in ("/api/v2/tickets", "/api/v2/tickets.json"):
            return self._create_ticket(body, request.headers.get("Idempotency-Key"))
        return json_response({"status": "error", "message": f"no such endpoint {request.method} {request.path}"}, 404)

    def _upsert_contacts(self, body: dict[str, Any]) -> Response:
        inputs = body.get("inputs")
        if not isinstance(inputs, list) or not inputs:
            return json_response({"status": "error", "message": "inputs: required"}, 400)
        results = []
        with self._lock:
            for item in inputs:
                if item.get("idProperty") != "email" or not item.get("id"):
                    return json_response({"status": "error", "message": "idProperty must be email"}, 400)
                email = str(item["id"]).lower()
                contact = self.contacts.get(email)
                new = contact is None
                if contact is None:
                    contact = self.contacts[email] = {"id": str(next(self._ids)), "properties": {"email": email}}
                contact["properties"].update(item.get("properties") or {})
                results.append({**contact, "new": new})
        return json_response({"status": "COMPLETE", "results": results})

    def _delete(self, path: str) -> Response:
        """HubSpot `DELETE /crm/v3/objects/contacts/{id}`, Zendesk `DELETE /api/v2/tickets|users/{id}`."""
        kind, _, object_id = path.rstrip("/").removesuffix(".json").rpartition("/")
        with self._lock:
            if kind == "/crm/v3/objects/contacts":
                email = next((e for e, c in self.contacts.items() if c["id"] == object_id), None)
                removed = self.contacts.pop(email, None) if email else None
            elif kind == "/api/v2/tickets" and object_id.isdigit():
                removed = self.tickets.pop(int(object_id), None)
            elif kind == "/api/v2/users" and object_id.isdigit():
                email = next((e for e, u in self.users.items() if u["id"] == int(object_id)), None)
                removed = self.users.pop(email, None) if email else None
            else:
                return json_response({"status": "error", "message": f"no such endpoint DELETE {path}"}, 404)
        if removed is None:
            return json_response({"status": "error", "message": "not found"}, 404)
        return Response(status=204)

    def _read_contacts(self, body: dict[str, Any]) -> Response:
        """HubSpot answers 207 with `errors` for ids it does not know, 200 when all were found."""
        wanted = [str(i.get("id", "")).lower() for i in body.get("inputs") or [] if isinstance(i, dict)]
        with self._lock:
            found = [self.contacts[e] for e in wanted if e in self.contacts]
        missing = [e for e in wanted if e not in self.contacts]
        errors = [{"status": "error", "category": "OBJECT_NOT_FOUND", "context": {"ids": missing}}] if missing else []
        return json_response({"status": "COMPLETE", "results": found, **({"errors": errors} if errors else {})},
                             207 if missing else 200)

    def _show_tickets(self, ids: str) -> Response:
        with self._lock:
            found = [self.tickets[int(i)] for i in ids.split(",") if i.strip().isdigit() and int(i) in self.tickets]
        return json_response({"tickets": found})

    def _upsert_user(self, body: dict[str, Any]) -> Response:
        user = body.get("user")
        if not isinstance(user, dict) or not user.get("email"):
            return json_response({"error": "RecordInvalid", "description": "user.email: required"}, 422)
        with self._lock:
            email = str(user["email"]).lower()
            existing = self.users.get(email)
            record = existing or {"id": next(self._ids), "tags": []}
            record.update({k: v for k, v in user.items() if k != "tags"}, email=email)
            self.users[email] = record
        return json_response({"user": record}, 200 if existing else 201)

    def _set_tags(self, user_id: int, body: dict[str, Any]) -> Response:
        with self._lock:
            user = next((u for u in self.users.values() if u["id"] == user_id), None)
            if user is None:
                return json_response({"error": "RecordNotFound"}, 404)
            user["tags"] = sorted(set(body.get("tags") or []))
            return json_response({"tags": user["tags"]})

    def _create_ticket(self, body: dict[str, Any], key: str | None) -> Response:
        ticket = body.get("ticket")
        if not isinstance(ticket, dict) or not ticket.get("subject"):
            return json_response({"error": "RecordInvalid", "description": "ticket.subject: required"}, 422)
        with self._lock:
            if key and key in self._idempotency:
                return json_response({"ticket": self.tickets[self._idempotency[key]]}, 201,
                             {"x-idempotency-lookup": "hit"})
            record = {**ticket, "id": next(self._ids), "status": "new"}
            self.tickets[record["id"]] = record
            if key:
                self._idempotency[key] = record["id"]
        return json_response({"ticket": record}, 201)

    def _admin(self, request: Request) -> Response:
        if request.path == "/_stub/state" and request.method == "GET":
            return json_response(self.state())
        if request.path == "/_stub/faults" and request.method == "POST":
            spec = request.get_json(silent=True) or {}
            try:
                self.fail(str(spec["path"]), int(spec.get("status", 500)), retry_after=spec.get("retry_after"),
                          delay=float(spec.get("delay", 0)), times=spec.get("times", 1))
            except (KeyError, TypeError, ValueError) as exc:
                return json_response({"error": f"bad fault spec: {exc}"}, 400)
            return json_response({"ok": True})
        if request.path == "/_stub/faults" and request.method == "DELETE":
            self.clear_faults()
            return json_response({"ok": True})
        return json_response({"error": "not found"}, 404)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--token", default="stub-token", help="the bearer token clients must send")
    args = parser.parse_args(argv)
    CrmSupportStub(port=args.port, token=args.token).serve_forever()


if __name__ == "__main__":
    main()
