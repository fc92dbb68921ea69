"""Preflight findings and the small HTTP client the live probes share.

A probe never raises: every outcome, an unreachable API included, is one Finding with one line of
message and, when something must change, one line of remediation.
"""
from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from typing import Any, Literal

import httpx
from tenacity import retry, retry_if_exception_type, stop_after_attempt, wait_random_exponential

Status = Literal["pass", "warn", "fail", "error"]
BLOCKING: frozenset[str] = frozenset({"fail", "error"})
TIMEOUT_S = 5.0


@dataclass(frozen=True)
class Finding:
    id: str
    status: Status
    message: str
    remediation: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Endpoints:
    """API base URLs; each comes from its flag, else its environment variable, else the real API."""

    resource_manager: str = "https://cloudresourcemanager.googleapis.com"
    org_policy: str = "https://orgpolicy.googleapis.com"
    billing: str = "https://cloudbilling.googleapis.com"
    service_usage: str = "https://serviceusage.googleapis.com"
    oauth: str = "https://oauth2.googleapis.com"
    firebase: str = "https://firebase.googleapis.com"              # Firebase Management (adopt)
    firestore: str = "https://firestore.googleapis.com"            # Firestore Admin (adopt)
    firebase_rules: str = "https://firebaserules.googleapis.com"   # Firebase Rules (adopt)
    hosting: str = "https://firebasehosting.googleapis.com"        # Firebase Hosting (adopt)
    identity_toolkit: str = "https://identitytoolkit.googleapis.com"   # Identity Platform (adopt, smoke)
    secret_manager: str = "https://secretmanager.googleapis.com"       # the webhook signing secret (smoke)
    cloudflare: str = "https://api.cloudflare.com"
    stripe: str = "https://api.stripe.com"

    @classmethod
    def resolve(cls, **flags: str | None) -> Endpoints:
        values = {}
        for name, default in asdict(cls()).items():
            env = os.environ.get(f"LAUNCHREADY_{name.upper()}_API_BASE")
            values[name] = (flags.get(name) or env or default).rstrip("/")
        return cls(**values)


class ApiError(Exception):
    """The API answered with an error status."""

    def __init__(self, status: int, message: str, permission: str | None = None):
        super().__init__(f"HTTP {status}: {message}")
        self.status, self.message, self.permission = status, message, permission


class Unreachable(Exception):
    """The API could not be reached at all (DNS, refused connection, timeout, TLS)."""


def _denied_permission(response: httpx.Response) -> str | None:
    """The IAM permission a Google 403 names (`google.rpc.ErrorInfo` metadata), if any."""
    try:
        error = response.json().get("error")
        details = error.get("details") if isinstance(error, dict) else None
    except (ValueError, AttributeError):
        return None
    for detail in details if isinstance(details, list) else []:
        metadata = detail.get("metadata") if isinstance(detail, dict) else None
        if isinstance(metadata, dict) and isinstance(metadata.get("permission"), str):
            return metadata["permission"]
    return None


def _error_message(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    if isinstance(body, dict) and body.get("error_description"):  # OAuth endpoints
        return str(body["error_description"])
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        return str(error.get("message", ""))
    if isinstance(body, dict) and body.get("errors"):
        return "; ".join(str(e.get("message")) for e in body["errors"] if isinstance(e, dict))
    return str(error or body)[:200]


class Client:
    """JSON over HTTPS with a timeout and one bounded retry on transport errors."""

    def __init__(self, headers: dict[str, str] | None = None):
        self._http = httpx.Client(timeout=TIMEOUT_S, headers=headers or {}, trust_env=False)

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self._http.close()

    @retry(retry=retry_if_exception_type(httpx.TransportError), stop=stop_after_attempt(2),
           wait=wait_random_exponential(max=0.5), reraise=True)
    def _send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        return self._http.request(method, url, **kwargs)

    def call(self, method: str, url: str, **kwargs: Any) -> dict[str, Any]:
        try:
            response = self._send(method, url, **kwargs)
        except httpx.HTTPError as exc:
            host = httpx.URL(url).host or url
            raise Unreachable(f"{host} unreachable ({type(exc).__name__})") from None
        if response.status_code >= 400:
            raise ApiError(response.status_code, _error_message(response), _denied_permission(response))
        try:
            body = response.json()
        except ValueError:
            raise ApiError(response.status_code, "answer is not JSON") from None
        return body if isinstance(body, dict) else {}
