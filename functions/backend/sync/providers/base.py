"""The one small interface every CRM / support-desk adapter implements, and its HTTP plumbing.

An adapter says what to send; this module says how a response or transport failure is classified:
timeouts, 429 and 5xx are transient (the platform retries, honouring Retry-After); other 4xx are
permanent (retrying cannot help, the task is dead-lettered).
"""
from __future__ import annotations

import email.utils
import time
from collections.abc import Mapping
from typing import Any, Protocol

import httpx


class SyncError(Exception):
    """A provider call failed; the message never contains credentials."""


class TransientSyncError(SyncError):
    def __init__(self, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class PermanentSyncError(SyncError):
    pass


class CrmProvider(Protocol):
    def upsert_contact(self, customer: Mapping[str, Any]) -> str:
        """Create or update the contact for `customer` (keyed by email); return its id."""


class SupportProvider(Protocol):
    def upsert_user(self, customer: Mapping[str, Any]) -> str:
        """Create or update the end user for `customer`, tagged by plan tier; return its id."""

    def create_ticket(self, request: Mapping[str, Any], customer: Mapping[str, Any]) -> str:
        """Open a ticket for a routed support request, at most once per request id; return its id."""


MAX_RETRY_AFTER_SECONDS = 3600.0


def retry_after_seconds(value: str | None) -> float | None:
    """Retry-After as seconds (delta-seconds or an HTTP date), capped at MAX_RETRY_AFTER_SECONDS:
    a provider asking for days (or a garbled huge number) must not park a task until 2058; past the
    cap the task takes the normal retry path and, after max_attempts, the dead-letter path."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return min(float(value), MAX_RETRY_AFTER_SECONDS)
    try:
        seconds = email.utils.parsedate_to_datetime(value).timestamp() - time.time()
    except (TypeError, ValueError, OverflowError):
        return None
    return min(max(0.0, seconds), MAX_RETRY_AFTER_SECONDS)


class HttpProvider:
    """An httpx client with a bearer token, explicit timeouts and the error classification above."""

    name = "provider"

    def __init__(self, base_url: str, token: str, timeout: float):
        self._client = httpx.Client(base_url=base_url.rstrip("/"), timeout=httpx.Timeout(timeout),
                                    headers={"Authorization": f"Bearer {token}",
                                             "Accept": "application/json"})

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> HttpProvider:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def call(self, method: str, path: str, *, json: Any = None,
             headers: Mapping[str, str] | None = None) -> dict[str, Any]:
        try:
            response = self._client.request(method, path, json=json, headers=headers)
        except httpx.TimeoutException as exc:
            raise TransientSyncError(f"{self.name} {method} {path}: timed out ({type(exc).__name__})") from None
        except httpx.TransportError as exc:
            raise TransientSyncError(f"{self.name} {method} {path}: {type(exc).__name__}") from None
        status = response.status_code
        if status == 429 or status >= 500:
            raise TransientSyncError(f"{self.name} {method} {path}: HTTP {status}",
                                     retry_after_seconds(response.headers.get("Retry-After")))
        if status >= 400:
            raise PermanentSyncError(f"{self.name} {method} {path}: HTTP {status} {_reason(response)}")
        try:
            body = response.json() if response.content else {}
        except ValueError:
            raise TransientSyncError(f"{self.name} {method} {path}: response is not JSON") from None
        return body if isinstance(body, dict) else {}


def _reason(response: httpx.Response) -> str:
    """A short provider message (never the request, which carries the token)."""
    try:
        body = response.json()
    except ValueError:
        return ""
    if isinstance(body, dict):
        for key in ("message", "error", "description"):
            if isinstance(body.get(key), str):
                return body[key][:200]
    return ""
