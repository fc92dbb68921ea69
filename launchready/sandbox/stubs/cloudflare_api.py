"""A local stand-in for the Cloudflare API calls `launchready preflight` makes with the deploy token:
`GET /client/v4/user/tokens/verify` and `GET /client/v4/user/tokens/{id}` (the token's policies; the
real API lets a token read itself only with the "API Tokens Read" permission) — under
`/client/v4/accounts/{account}/tokens` for an account-owned token, whose account `GET /zones/{id}` names — in Cloudflare's
envelope `{"success", "errors", "messages", "result"}`.

For `launchready adopt`'s discovery, a zone's DNS records (`records`, seeded per zone id with
`add_record`): `GET /zones/{zone}/dns_records` paged (`page`, `per_page` default 100, max 5,000,000) and
filtered (`type`, `name`, `content`), with `result_info`; `POST` creates, or 400s as Cloudflare does:
81058 "An identical record already exists." (same type, name and content), 81053 for a CNAME whose host
has an A/AAAA/CNAME, 81054 for an A/AAAA whose host has a CNAME; `PATCH`/`DELETE` `/dns_records/{id}`
exist so a test can see they were not called. TXT content is kept exactly as given: records made in
the dashboard come back quoted (`"v=spf1 ..."`, Cloudflare's documented form since late 2024), while
the API stores unquoted content unquoted (go-acme/lego#2521); "identical" compares TXT content without
its quotes. `GET /zones/{zone}/rulesets` lists the zone's entry points (kind "zone") and any seeded
managed rulesets, without their rules, as the real list does. Every request is in `requests` as
(method, path). A token needs "DNS Read" or "DNS Write" to list records, "DNS Write" to change them
(403, code 10000 "Authentication error", otherwise).
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

from werkzeug.wrappers import Request, Response

from launchready.sandbox.stubs.http_stub import StubServer, json_response

READ_TOKENS = "API Tokens Read"
DNS_READ, DNS_WRITE = "DNS Read", "DNS Write"
STAMP = "2024-03-01T09:30:00.000000Z"
MAX_PER_PAGE = 5_000_000


def envelope(result: Any = None, errors: list[dict[str, Any]] | None = None, status: int = 200) -> Response:
    return json_response({"success": not errors, "errors": errors or [], "messages": [], "result": result}, status)


@dataclass
class CloudflareToken:
    id: str
    permissions: list[str]                     # permission group names, e.g. "DNS Write"
    zones: list[str] = field(default_factory=list)   # zone ids the policy covers; empty = every zone
    status: str = "active"
    account: str | None = None                 # an account-owned token (verified under /accounts/{id}/tokens)

    def policy(self) -> dict[str, Any]:
        scope = {f"com.cloudflare.api.account.zone.{z}": "*" for z in self.zones} or \
            {"com.cloudflare.api.account.zone.*": "*"}
        return {"id": f"{self.id}-policy", "effect": "allow", "resources": scope,
                "permission_groups": [{"id": f"pg-{i}", "name": n} for i, n in enumerate(self.permissions)]}


class CloudflareApiStub(StubServer):
    def __init__(self, tokens: dict[str, CloudflareToken], port: int = 0):
        super().__init__(port)
        self.tokens = tokens
        self.entrypoints: dict[tuple[str, str], dict[str, Any]] = {}   # (zone id, phase) -> entry point ruleset
        self.managed_rulesets: dict[str, list[dict[str, Any]]] = {}   # zone id -> managed rulesets listed there
        self.zones: dict[str, str] = {}                                # zone id -> zone name (example.com)
        self.records: dict[str, list[dict[str, Any]]] = {}            # zone id -> DNS records, as the API returns them
        self.requests: list[tuple[str, str]] = []                      # (method, path) of every request

    def add_record(self, zone_id: str, type: str, name: str, content: str, **fields: Any) -> dict[str, Any]:
        """Seed a record as Cloudflare lists it; `name` may be relative ("@", "www") to the zone's name."""
        zone_name = self.zones.get(zone_id, "")
        full = zone_name if name in ("@", "") else name if not zone_name or name == zone_name or \
            name.endswith("." + zone_name) else f"{name}.{zone_name}"
        record: dict[str, Any] = {
            "id": secrets.token_hex(16), "zone_id": zone_id, "zone_name": zone_name, "name": full, "type": type,
            "content": content, "proxiable": type in ("A", "AAAA", "CNAME"), "proxied": False, "ttl": 1,
            "settings": {}, "meta": {}, "comment": None, "tags": [], "created_on": STAMP, "modified_on": STAMP}
        record.update(fields)
        self.records.setdefault(zone_id, []).append(record)
        return record

    def wsgi(self, environ, start_response):
        request = Request(environ)
        self.requests.append((request.method, request.path))
        return self._answer(request)(environ, start_response)

    def _answer(self, request: Request) -> Response:
        header = request.headers.get("Authorization", "")
        token = self.tokens.get(header[7:]) if header.startswith("Bearer ") else None
        if token is None:
            return envelope(errors=[{"code": 1000, "message": "Invalid API Token"}], status=401)
        path = request.path.rstrip("/")
        owner = f"/client/v4/accounts/{token.account}/tokens" if token.account else "/client/v4/user/tokens"
        parts = path.split("/")
        if path.startswith("/client/v4/zones/") and len(parts) > 5 and parts[5] in ("dns_records", "rulesets") \
                and "/rulesets/phases/" not in path:
            if token.zones and parts[4] not in token.zones:
                return envelope(errors=[{"code": 9109, "message": "Unauthorized to access requested resource"}],
                                status=403)
            if parts[5] == "rulesets" and len(parts) == 6 and request.method == "GET":
                return self._rulesets(parts[4])
            if parts[5] == "dns_records":
                return self._dns(request, token, parts[4], parts[6] if len(parts) > 6 else None)
        if path.startswith("/client/v4/zones/") and "/rulesets/phases/" in path:
            zone, phase = path.split("/")[4], path.split("/")[7]
            ruleset = self.entrypoints.get((zone, phase))
            if ruleset is None:
                return envelope(errors=[{"code": 10003, "message": "could not find entrypoint ruleset in the "
                                                                   f"{phase} phase"}], status=404)
            return envelope(ruleset)
        if path.startswith("/client/v4/zones/"):
            zone = path.rsplit("/", 1)[-1]
            if token.zones and zone not in token.zones:
                return envelope(errors=[{"code": 9109, "message": "Unauthorized to access requested resource"}],
                                status=403)
            body = {"id": zone, "account": {"id": token.account or "0" * 32, "name": "stand-in"}}
            return envelope({**body, "name": self.zones[zone]} if zone in self.zones else body)
        if path.endswith("/tokens/verify") and path != f"{owner}/verify":
            return envelope(errors=[{"code": 1000, "message": "Invalid API Token"}], status=401)
        if path == f"{owner}/verify":
            return envelope({"id": token.id, "status": token.status, "expires_on": None, "not_before": None})
        if path == f"{owner}/{token.id}":
            if READ_TOKENS not in token.permissions:
                return envelope(errors=[{"code": 9109, "message": "Unauthorized to access requested resource"}],
                                status=403)
            return envelope({"id": token.id, "name": "launchready deploy", "status": token.status,
                             "policies": [token.policy()]})
        return envelope(errors=[{"code": 7003, "message": "Could not route to " + path}], status=404)

    # -- DNS records
    def _dns(self, request: Request, token: CloudflareToken, zone: str, record_id: str | None) -> Response:
        write = request.method != "GET"
        if not (DNS_WRITE in token.permissions or (not write and DNS_READ in token.permissions)):
            return envelope(errors=[{"code": 10000, "message": "Authentication error"}], status=403)
        records = self.records.setdefault(zone, [])
        if record_id is None and request.method == "GET":
            return self._list(request, records)
        if record_id is None and request.method == "POST":
            return self._create(zone, request.get_json(silent=True) or {})
        found = next((r for r in records if r["id"] == record_id), None)
        if found is None:
            return envelope(errors=[{"code": 81044, "message": "Record does not exist."}], status=404)
        if request.method == "GET":
            return envelope(found)
        if request.method == "DELETE":
            records.remove(found)
            return envelope({"id": record_id})
        if request.method in ("PATCH", "PUT"):
            found.update({k: v for k, v in (request.get_json(silent=True) or {}).items()
                          if k in ("type", "name", "content", "ttl", "proxied", "priority", "data", "comment")})
            found["modified_on"] = STAMP
            return envelope(found)
        return envelope(errors=[{"code": 10405, "message": f"Method {request.method} not allowed"}], status=405)

    @staticmethod
    def _list(request: Request, records: list[dict[str, Any]]) -> Response:
        args = request.args
        try:
            page, per_page = int(args.get("page", 1)), int(args.get("per_page", 100))
        except ValueError:
            page = per_page = 0
        if page < 1 or not 1 <= per_page <= MAX_PER_PAGE:
            return envelope(errors=[{"code": 9004, "message": "This API request is invalid: page or per_page"}],
                            status=400)
        name = (args.get("name") or args.get("name.exact") or "").lower()
        found = [r for r in records if (not args.get("type") or r["type"] == args["type"])
                 and (not name or r["name"].lower() == name)
                 and (not args.get("content") or r["content"] == args["content"])]
        chunk = found[(page - 1) * per_page: page * per_page]
        body = {"success": True, "errors": [], "messages": [], "result": chunk,
                "result_info": {"page": page, "per_page": per_page, "count": len(chunk), "total_count": len(found),
                                "total_pages": -(-len(found) // per_page)}}
        return json_response(body)

    def _create(self, zone: str, body: dict[str, Any]) -> Response:
        kind, name, content = str(body.get("type", "")).upper(), str(body.get("name", "")), body.get("content")
        if not kind or not name or (content is None and "data" not in body):
            return envelope(errors=[{"code": 9005 if not content else 9000, "message": "DNS Validation Error"}],
                            status=400)
        zone_name = self.zones.get(zone, "")
        full = (zone_name if name == "@" else name if not zone_name or name == zone_name
                or name.endswith("." + zone_name) else f"{name}.{zone_name}").lower()
        same_host = [r for r in self.records.get(zone, []) if r["name"].lower() == full]

        def bare(value: Any) -> Any:
            return value.strip('"') if kind == "TXT" and isinstance(value, str) else value
        if any(r["type"] == kind and bare(r["content"]) == bare(content) for r in same_host):
            return envelope(errors=[{"code": 81058, "message": "An identical record already exists."}], status=400)
        if kind == "CNAME" and any(r["type"] in ("A", "AAAA", "CNAME") for r in same_host):
            return envelope(errors=[{"code": 81053, "message": "An A, AAAA, or CNAME record with that host "
                                                               "already exists."}], status=400)
        if kind in ("A", "AAAA") and any(r["type"] == "CNAME" for r in same_host):
            return envelope(errors=[{"code": 81054, "message": "A CNAME record with that host already exists."}],
                            status=400)
        extra = {k: body[k] for k in ("ttl", "proxied", "priority", "data", "comment", "tags") if k in body}
        return envelope(self.add_record(zone, kind, full, content if content is not None else "", **extra))

    # -- rulesets
    def _rulesets(self, zone: str) -> Response:
        def summary(ruleset: dict[str, Any], kind: str) -> dict[str, Any]:
            base = {"description": "", "kind": kind, "version": "1", "last_updated": STAMP}
            return {**base, **{k: v for k, v in ruleset.items() if k != "rules"}}
        listed = [summary(r, "zone") for (z, _), r in sorted(self.entrypoints.items()) if z == zone]
        return envelope(listed + [summary(r, "managed") for r in self.managed_rulesets.get(zone, [])])
