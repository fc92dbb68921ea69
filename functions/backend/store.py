"""The Firestore client and a transaction runner that retries aborted transactions with jitter.

The client library retries an abort only at commit and without backoff; the emulator (and real
Firestore under contention) also aborts during reads. Retrying the whole transaction here means a
5xx from the webhook is a real failure, never mere contention.
"""
from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING, Any, Callable, TypeVar

from tenacity import Retrying, retry_if_exception, stop_after_attempt, stop_after_delay, wait_random_exponential

if TYPE_CHECKING:
    from google.cloud.firestore import Client, Transaction

T = TypeVar("T")
_clients: dict[tuple[str, str], "Client"] = {}
_lock = threading.Lock()

TRANSACTION_MAX_ATTEMPTS = 12
TRANSACTION_MAX_SECONDS = 40.0


def client() -> "Client":
    """The client for $GOOGLE_CLOUD_PROJECT (the emulator when $FIRESTORE_EMULATOR_HOST is set)."""
    from .settings import require

    return client_for(require("GOOGLE_CLOUD_PROJECT"), os.environ.get("FIRESTORE_EMULATOR_HOST") or None)


def client_for(project: str, emulator_host: str | None = None) -> "Client":
    """One cached client per (project, emulator host); anonymous credentials against an emulator.

    An explicit `emulator_host` pins the client to that emulator without touching the process
    environment (the readiness checks run in threads and must never reach a real project).
    """
    with _lock:
        key = (project, emulator_host or "")
        if key not in _clients:
            from google.cloud import firestore

            credentials = None
            if emulator_host:
                from google.auth.credentials import AnonymousCredentials
                credentials = AnonymousCredentials()
            db = firestore.Client(project=project, credentials=credentials)
            if emulator_host:
                db._emulator_host = emulator_host  # the library's own emulator switch (insecure channel, admin)
            _clients[key] = db
        return _clients[key]


def _retryable(exc: BaseException) -> bool:
    from google.api_core import exceptions as gexc

    transient = (gexc.Aborted, gexc.ServiceUnavailable, gexc.DeadlineExceeded, gexc.InternalServerError)
    if isinstance(exc, ValueError) and isinstance(exc.__cause__, transient):
        return True  # the library wraps a commit-time abort in ValueError
    return isinstance(exc, transient)


def run_transaction(db: "Client", body: Callable[["Transaction", int], T]) -> T:
    """Run `body(transaction, attempt)` in a fresh transaction until it commits (bounded, jittered)."""
    from google.cloud import firestore

    retrying = Retrying(retry=retry_if_exception(_retryable), reraise=True,
                        stop=stop_after_attempt(TRANSACTION_MAX_ATTEMPTS) | stop_after_delay(TRANSACTION_MAX_SECONDS),
                        wait=wait_random_exponential(multiplier=0.05, max=2.0))
    for attempt in retrying:
        with attempt:
            number = attempt.retry_state.attempt_number
            return firestore.transactional(lambda txn: body(txn, number))(db.transaction(max_attempts=1))
    raise AssertionError("unreachable")  # pragma: no cover


def server_timestamp() -> Any:
    from google.cloud import firestore
    return firestore.SERVER_TIMESTAMP
