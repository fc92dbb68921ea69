"""A local stand-in for the Cloudflare API calls `launchready preflight` makes with the deploy token:
`GET /client/v4/user/tokens/verify` and `GET /client/v4/user/tokens/{id}` (the token's policies; the
real API lets a token read itself only with the "API Tokens Read" permission) — under
`/client/v4/accounts/{account}/tokens` for an account-owned token, whose account `GET /zones/{id}` names — in Cloudflare's
envelope `{"success", "errors", "messages", "result"}`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from werkzeug.wrappers import Request, Response

from launchready.sandbox.stubs.http_stub import StubServer, json_response

READ_TOKENS = "API Tokens Read"


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

    def wsgi(self, environ, start_response):
        return self._answer(Request(environ))(environ, start_response)

    def _answer(self, request: Request) -> Response:
        header = request.headers.get("Authorization", "")
        token = self.tokens.get(header[7:]) if header.startswith("Bearer ") else None
        if token is None:
            return envelope(errors=[{"code": 1000, "message": "Invalid API Token"}], status=401)
        path = request.path.rstrip("/")
        owner = f"/client/v4/accounts/{token.account}/tokens" if token.account else "/client/v4/user/tokens"
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
            return envelope({"id": zone, "account": {"id": token.account or "0" * 32, "name": "stand-in"}})
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
