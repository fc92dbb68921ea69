"""Unsigned (`alg: none`) Firebase Auth ID tokens: the emulator accepts them and evaluates rules
with `request.auth` built from the payload, exactly as production does for a verified token."""
from __future__ import annotations

import base64
import json
import time
from collections.abc import Mapping
from typing import Any

RESERVED_CLAIMS = frozenset({"iss", "aud", "sub", "iat", "exp", "auth_time", "user_id"})


def _b64(data: Mapping[str, Any]) -> str:
    raw = json.dumps(data, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def unsigned_id_token(project_id: str, uid: str, claims: Mapping[str, Any] | None = None) -> str:
    """An ID token for `uid` with extra custom `claims` (e.g. `{"admin": True}`)."""
    if not uid:
        raise ValueError("uid must be a non-empty string")
    clash = RESERVED_CLAIMS & set(claims or {})
    if clash:
        raise ValueError(f"custom claims may not override {sorted(clash)}")
    now = int(time.time())
    payload = {
        "iss": f"https://securetoken.google.com/{project_id}", "aud": project_id,
        "sub": uid, "user_id": uid, "iat": now, "auth_time": now, "exp": now + 3600,
        "firebase": {"sign_in_provider": "custom", "identities": {}},
        **dict(claims or {}),
    }
    return f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(payload)}."


def token_claims(token: str) -> dict[str, Any]:
    """The payload of an ID token (unverified: for the stand-ins and tests that made it)."""
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
