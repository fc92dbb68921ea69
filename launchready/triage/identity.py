"""Throw-away Firebase Auth users for `smoke`, made the way the app makes them: the Identity Toolkit REST
API with the project's Web API key (`accounts:signUp`, `accounts:signInWithPassword`, `accounts:delete`),
so the deployed sign-up trigger fires as it does for a real user. Marking the email verified is an admin
call (`projects/{p}/accounts:update`, permission `firebaseauth.users.update`) with the operator's token.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from typing import Any

import httpx

TEST_EMAIL_DOMAIN = "smoke-test.example"   # RFC 2606: no mail is ever delivered there


class AuthError(Exception):
    """The Identity Toolkit refused a call; the message is its reason (e.g. OPERATION_NOT_ALLOWED)."""


@dataclass(frozen=True)
class User:
    uid: str
    email: str
    password: str
    id_token: str


@dataclass(frozen=True)
class IdentityToolkit:
    http: httpx.Client
    base: str                 # https://identitytoolkit.googleapis.com, or the stand-in's URL
    api_key: str              # the Firebase Web API key (public: it ships inside the app)
    project: str
    admin_token: str | None   # OAuth access token for the admin update; None: emails stay unverified
    referer: str | None = None  # the app's origin: a key restricted to HTTP referrers refuses calls without it

    def _post(self, path: str, body: dict[str, Any], *, admin: bool = False) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {self.admin_token}"} if admin else \
            ({"Referer": self.referer} if self.referer else {})
        params = {} if admin else {"key": self.api_key}
        try:
            answer = self.http.post(f"{self.base}/v1/{path}", params=params, json=body, headers=headers)
        except httpx.HTTPError as exc:
            raise AuthError(f"{httpx.URL(self.base).host} unreachable ({type(exc).__name__})") from None
        try:
            data = answer.json()
        except ValueError:
            data = {}
        if answer.status_code != 200:
            error = data.get("error") if isinstance(data, dict) else None
            message = error.get("message") if isinstance(error, dict) else answer.text[:200]
            raise AuthError(f"{path.rsplit('/', 1)[-1]}: HTTP {answer.status_code} {message}")
        return data

    def sign_up(self, label: str = "smoke") -> User:
        email = f"{label}-{secrets.token_hex(6)}@{TEST_EMAIL_DOMAIN}"
        password = secrets.token_urlsafe(18)
        data = self._post("accounts:signUp", {"email": email, "password": password, "returnSecureToken": True})
        return User(data["localId"], email, password, data["idToken"])

    def verify_email(self, user: User) -> User:
        """Mark the email verified (admin), then sign in again: only a new ID token carries the claim."""
        if not self.admin_token:
            raise AuthError("no Google credentials to mark the test user's email verified "
                            "(`gcloud auth application-default login`)")
        self._post(f"projects/{self.project}/accounts:update", {"localId": user.uid, "emailVerified": True}, admin=True)
        data = self._post("accounts:signInWithPassword",
                          {"email": user.email, "password": user.password, "returnSecureToken": True})
        return replace(user, id_token=data["idToken"])

    def delete(self, user: User) -> None:
        """The user deletes itself with its own ID token (no admin permission needed)."""
        self._post("accounts:delete", {"idToken": user.id_token})
