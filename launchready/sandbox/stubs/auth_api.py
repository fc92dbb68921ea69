"""A local stand-in for the Identity Toolkit (Firebase Auth) REST API, as the Auth emulator serves it.

- `POST /v1/projects/{project}/accounts:lookup`: the user's `disabled` flag and `validSince` (tokens
  issued before it are revoked), which firebase-admin asks from `verify_id_token(..., check_revoked=True)`
  when FIREBASE_AUTH_EMULATOR_HOST points here.
- The end-user calls a client SDK makes with the project's Web API key (`?key=`): `accounts:signUp`,
  `accounts:signInWithPassword` and `accounts:delete` (by ID token). A wrong key gets the real API's 400
  `API key not valid`; a key restricted to HTTP referrers, a request without one of them 403 `Requests from
  referer <empty> are blocked.`; a taken email `EMAIL_EXISTS`. ID tokens are unsigned (`alg: none`), as the Auth
  emulator's are, so the Firestore emulator and firebase-admin (emulator mode) accept them.
- The admin call `POST /v1/projects/{project}/accounts:update` (`emailVerified`, `disableUser`), with any
  bearer token (the Auth emulator accepts `Bearer owner`).
- A sign-up fires the Auth `user created` event to `--on-user-created URL` after answering, as Eventarc
  delivers it to the deployed `on_user_created` function.

In `open` mode (the functions' tests, whose clients mint their own tokens) an unknown uid is an enabled
user. `POST /_stub/users {"uid", "disabled", "revoke"}` changes one; `GET /_stub/state` lists them.
Run standalone: `python -m launchready.sandbox.stubs.auth_api --port P [--open] [--project ID]
[--api-key KEY] [--on-user-created URL]`.
"""
from __future__ import annotations

import argparse
import secrets
import threading
import time
from typing import Any

import httpx
from werkzeug.wrappers import Request, Response

from launchready.rules.testing.tokens import token_claims, unsigned_id_token
from launchready.sandbox.stubs.http_stub import StubServer, json_response

TOKEN_SECONDS = 3600


def auth_error(message: str, status: int = 400) -> Response:
    """The Identity Toolkit's error shape: the reason code is the message (`EMAIL_EXISTS`, ...)."""
    return json_response({"error": {"code": status, "message": message, "errors": [
        {"message": message, "domain": "global", "reason": "invalid"}]}}, status)


def deliver_user_created(http: Any, url: str, project: str, uid: str, email: str) -> httpx.Response:
    """POST the Auth `user created` CloudEvent (structured mode) as Eventarc delivers it."""
    event = {"specversion": "1.0", "id": secrets.token_hex(8), "type": "google.firebase.auth.user.v1.created",
             "source": f"//identitytoolkit.googleapis.com/projects/{project}", "subject": f"users/{uid}",
             "datacontenttype": "application/json", "data": {"uid": uid, "email": email}}
    return http.post(url, json=event, timeout=30, headers={"Content-Type": "application/cloudevents+json"})


class AuthApiStub(StubServer):
    def __init__(self, port: int = 0, open_signup: bool = False, *, project: str = "demo-test",
                 api_key: str | None = None, on_user_created: str | None = None, referrers: tuple[str, ...] = ()):
        super().__init__(port)
        self.open_signup, self.project, self.api_key = open_signup, project, api_key
        self.referrers = referrers     # the key's HTTP-referrer restriction (Google Cloud console), if any
        self.on_user_created = on_user_created
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
        users = [{k: v for k, v in u.items() if k != "password"} for u in found if u]
        return {"kind": "identitytoolkit#GetAccountInfoResponse", **({"users": users} if users else {})}

    # ------------------------------------------------------------ end-user calls (Web API key)

    def _token(self, user: dict[str, Any]) -> dict[str, Any]:
        claims = {"email": user["email"], "email_verified": bool(user.get("emailVerified")),
                  "firebase": {"sign_in_provider": "password", "identities": {"email": [user["email"]]}}}
        return {"idToken": unsigned_id_token(self.project, user["localId"], claims), "email": user["email"],
                "refreshToken": secrets.token_urlsafe(24), "expiresIn": str(TOKEN_SECONDS), "localId": user["localId"]}

    def _sign_up(self, body: dict[str, Any]) -> Response:
        email, password = str(body.get("email") or ""), str(body.get("password") or "")
        if "@" not in email:
            return auth_error("INVALID_EMAIL")
        if len(password) < 6:
            return auth_error("WEAK_PASSWORD : Password should be at least 6 characters")
        with self._lock:
            if any(u.get("email") == email for u in self.users.values()):
                return auth_error("EMAIL_EXISTS")
            uid = secrets.token_urlsafe(21).replace("-", "a").replace("_", "b")[:28]
            user = self.users[uid] = {"localId": uid, "email": email, "password": password, "emailVerified": False,
                                      "disabled": False, "validSince": "0"}
        if self.on_user_created:
            threading.Thread(target=self._fire_created, args=(uid, email), daemon=True).start()
        return json_response({"kind": "identitytoolkit#SignupNewUserResponse", **self._token(user)})

    def _fire_created(self, uid: str, email: str) -> None:
        """Eventarc's delivery of the sign-up to `on_user_created`, retried briefly on failure."""
        assert self.on_user_created is not None
        for delay in (0.0, 0.5, 1.0, 2.0):
            time.sleep(delay)
            try:
                answer = deliver_user_created(httpx, self.on_user_created, self.project, uid, email)
            except httpx.HTTPError:
                continue
            if answer.status_code < 500:
                return

    def _sign_in(self, body: dict[str, Any]) -> Response:
        with self._lock:
            user = next((u for u in self.users.values() if u.get("email") == body.get("email")), None)
        if user is None or user.get("password") != body.get("password"):
            return auth_error("INVALID_LOGIN_CREDENTIALS")
        if user.get("disabled"):
            return auth_error("USER_DISABLED")
        return json_response({"kind": "identitytoolkit#VerifyPasswordResponse", "registered": True,
                              **self._token(user)})

    def _uid_of(self, id_token: str) -> str | None:
        try:
            return token_claims(id_token)["sub"]
        except (IndexError, ValueError, KeyError, TypeError):
            return None

    def _delete(self, body: dict[str, Any]) -> Response:
        uid = self._uid_of(str(body.get("idToken") or ""))
        with self._lock:
            if uid is None or self.users.pop(uid, None) is None:
                return auth_error("USER_NOT_FOUND" if uid else "INVALID_ID_TOKEN")
        return json_response({"kind": "identitytoolkit#DeleteAccountResponse"})

    def _update(self, body: dict[str, Any]) -> Response:
        with self._lock:
            user = self.users.get(str(body.get("localId") or ""))
            if user is None:
                return auth_error("USER_NOT_FOUND")
            if "emailVerified" in body:
                user["emailVerified"] = bool(body["emailVerified"])
            if "disableUser" in body:
                user["disabled"] = bool(body["disableUser"])
        return json_response({"kind": "identitytoolkit#SetAccountInfoResponse", "localId": user["localId"],
                              "email": user["email"], "emailVerified": bool(user.get("emailVerified"))})

    def _client_call(self, request: Request, verb: str) -> Response:
        if self.api_key is not None and request.args.get("key") != self.api_key:
            return json_response({"error": {"code": 400, "message": "API key not valid. Please pass a valid API key.",
                                            "status": "INVALID_ARGUMENT"}}, 400)
        referer = request.headers.get("Referer") or ""
        if self.referrers and not any(referer.startswith(allowed) for allowed in self.referrers):
            return json_response({"error": {"code": 403, "message": f"Requests from referer {referer or '<empty>'} "
                                            "are blocked.", "status": "PERMISSION_DENIED"}}, 403)
        handler = {"signUp": self._sign_up, "signInWithPassword": self._sign_in, "delete": self._delete}[verb]
        return handler(request.get_json(silent=True) or {})

    def _answer(self, request: Request) -> Response:
        path = request.path
        if request.method == "POST" and path.endswith("/accounts:lookup"):
            return json_response(self._lookup(request))
        if request.method == "POST" and path.rsplit(":", 1)[-1] in ("signUp", "signInWithPassword", "delete") \
                and path.startswith("/v1/accounts:"):
            return self._client_call(request, path.rsplit(":", 1)[-1])
        if request.method == "POST" and path == f"/v1/projects/{self.project}/accounts:update":
            if not request.headers.get("Authorization", "").startswith("Bearer "):
                return auth_error("CREDENTIAL_MISSING", 401)
            return self._update(request.get_json(silent=True) or {})
        if request.method == "POST" and path == "/_stub/users":
            spec = request.get_json(silent=True) or {}
            if not isinstance(spec.get("uid"), str):
                return json_response({"error": "uid required"}, 400)
            self.update_user(spec["uid"], spec.get("disabled"), bool(spec.get("revoke")))
            return json_response({"ok": True})
        if request.method == "GET" and path == "/_stub/state":
            with self._lock:
                return json_response({"users": sorted(self.users)})
        return json_response({"error": {"code": 404, "message": "not found"}}, 404)

    def wsgi(self, environ, start_response):
        return self._answer(Request(environ))(environ, start_response)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--open", action="store_true", help="every unknown uid is an enabled user")
    parser.add_argument("--project", default="demo-test", help="the project the ID tokens are for")
    parser.add_argument("--api-key", help="the only Web API key accepted (default: any)")
    parser.add_argument("--on-user-created", help="where a sign-up's `user created` CloudEvent is delivered")
    args = parser.parse_args(argv)
    AuthApiStub(port=args.port, open_signup=args.open, project=args.project, api_key=args.api_key,
                on_user_created=args.on_user_created).serve_forever()


if __name__ == "__main__":
    main()
