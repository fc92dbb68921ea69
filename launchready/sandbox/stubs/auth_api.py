"""A local stand-in for the Identity Toolkit (Firebase Auth) account lookup that firebase-admin calls
from `verify_id_token(..., check_revoked=True)` when FIREBASE_AUTH_EMULATOR_HOST points here.

It answers `POST /identitytoolkit.googleapis.com/v1/projects/{project}/accounts:lookup` with the user's
`disabled` flag and `validSince` (tokens issued before it are revoked), as the Auth emulator does.
Users register on sign-up; in `open` mode (the sandbox, whose local clients mint emulator-style
tokens) an unknown uid is an enabled user. `POST /_stub/users {"uid", "disabled", "revoke"}` changes one.
Run standalone: `python -m sandbox.stubs.auth_api --port P [--open]`.
"""
from __future__ import annotations

import argparse
import threading
import time
from typing import Any

from werkzeug.wrappers import Request

from launchready.sandbox.stubs.http_stub import StubServer, json_response


class AuthApiStub(StubServer):
    def __init__(self, port: int = 0, open_signup: bool = False):
        super().__init__(port)
        self.open_signup = open_signup
        self.users: dict[str, dict[str, Any]] = {}
        self.lookups = 0
        self._lock = threading.Lock()

    def add_user(self, uid: str, email: str | None = None) -> None:
        with self._lock:
            self.users[uid] = {"localId": uid, "email": email, "disabled": False, "validSince": "0"}

    def update_user(self, uid: str, disabled: bool | None = None, revoke: bool = False) -> None:
        """Disable/enable a user, or revoke its refresh tokens (every token issued until now)."""
        with self._lock:
            user = self.users.setdefault(uid, {"localId": uid, "disabled": False, "validSince": "0"})
            if disabled is not None:
                user["disabled"] = disabled
            if revoke:
                user["validSince"] = str(int(time.time()) + 1)

    def _lookup(self, request: Request) -> dict[str, Any]:
        wanted = (request.get_json(silent=True) or {}).get("localId") or []
        with self._lock:
            self.lookups += 1
            found = [self.users.get(uid) or ({"localId": uid, "disabled": False, "validSince": "0"}
                                             if self.open_signup else None) for uid in wanted]
        users = [dict(u) for u in found if u]
        return {"kind": "identitytoolkit#GetAccountInfoResponse", **({"users": users} if users else {})}

    def wsgi(self, environ, start_response):
        request = Request(environ)
        if request.method == "POST" and request.path.endswith("/accounts:lookup"):
            return json_response(self._lookup(request))(environ, start_response)
        if request.method == "POST" and request.path == "/_stub/users":
            spec = request.get_json(silent=True) or {}
            if not isinstance(spec.get("uid"), str):
                return json_response({"error": "uid required"}, 400)(environ, start_response)
            self.update_user(spec["uid"], spec.get("disabled"), bool(spec.get("revoke")))
            return json_response({"ok": True})(environ, start_response)
        return json_response({"error": {"code": 404, "message": "not found"}}, 404)(environ, start_response)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--open", action="store_true", help="every unknown uid is an enabled user")
    args = parser.parse_args(argv)
    AuthApiStub(port=args.port, open_signup=args.open).serve_forever()


if __name__ == "__main__":
    main()
