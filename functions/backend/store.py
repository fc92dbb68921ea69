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
    """One client per (project, emulator host); anonymous credentials against the emulator."""
    from backend.settings import require

    project = require("GOOGLE_CLOUD_PROJECT")
    emulator = os.environ.get("FIRESTORE_EMULATOR_HOST", "")
    with _lock:
        if (project, emulator) not in _clients:
            from google.cloud import firestore

            credentials = None
            if emulator:
                from google.auth.credentials import AnonymousCredentials
                credentials = AnonymousCredentials()
            _clients[(project, emulator)] = firestore.Client(project=project, credentials=credentials)
        return _clients[(project, emulator)]


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
                        wait=wait_random_exponential(multiplier=0.02, max=1.0))
    for attempt in retrying:
        with attempt:
            number = attempt.retry_state.attempt_number
            return firestore.transactional(lambda txn: body(txn, number))(db.transaction(max_attempts=1))
    raise AssertionError("unreachable")  # pragma: no cover


def server_timestamp() -> Any:
    from google.cloud import firestore
    return firestore.SERVER_TIMESTAMP
