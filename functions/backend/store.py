"""The Firestore client and a transaction runner that retries aborted transactions with jitter.

The client library retries an abort only at commit and without backoff; the emulator (and real
Firestore under contention) also aborts during reads. Retrying the whole transaction here means a
5xx from the webhook is a real failure, never mere contention.
"""
from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import TYPE_CHECKING, Any, TypeVar

from tenacity import Retrying, retry_if_exception, stop_after_attempt, stop_after_delay, wait_random_exponential

if TYPE_CHECKING:
    from google.cloud.firestore import Client, Transaction

T = TypeVar("T")
_clients: dict[tuple[str, str], Client] = {}
_lock = threading.Lock()

TRANSACTION_MAX_ATTEMPTS = 12
# A stuck database must become a fast 5xx (Stripe and the platform retry), not a request that hangs
# for the client library's 60 s default: each attempt gets FIRESTORE_CALL_TIMEOUT_SECONDS, all of them
# together FIRESTORE_TRANSACTION_SECONDS, both well inside the function's own timeout.
CALL_TIMEOUT_SECONDS = 8.0
TRANSACTION_MAX_SECONDS = 20.0
_attempts = ThreadPoolExecutor(max_workers=32, thread_name_prefix="firestore-attempt")


class StoreTimeout(Exception):
    """A Firestore attempt outlived its budget; retried within the transaction budget, then raised (a 5xx)."""


def client() -> Client:
    """The client for $GOOGLE_CLOUD_PROJECT (the emulator when $FIRESTORE_EMULATOR_HOST is set)."""
    from .settings import require

    return client_for(require("GOOGLE_CLOUD_PROJECT"), os.environ.get("FIRESTORE_EMULATOR_HOST") or None)


def client_for(project: str, emulator_host: str | None = None) -> Client:
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


def is_transient(exc: BaseException) -> bool:
    from google.api_core import exceptions as gexc

    transient = (gexc.Aborted, gexc.ServiceUnavailable, gexc.DeadlineExceeded, gexc.InternalServerError, StoreTimeout)
    if isinstance(exc, ValueError) and isinstance(exc.__cause__, transient):
        return True  # the library wraps a commit-time abort in ValueError
    return isinstance(exc, transient)


def _seconds(name: str, default: float) -> float:
    try:
        return max(0.1, float(os.environ.get(name) or default))
    except ValueError:
        return default


def run_transaction(db: Client, body: Callable[[Transaction, int], T]) -> T:
    """Run `body(transaction, attempt)` in a fresh transaction until it commits (bounded, jittered),
    each attempt within its own deadline and all of them within the transaction budget."""
    from google.cloud import firestore

    call_timeout = _seconds("FIRESTORE_CALL_TIMEOUT_SECONDS", CALL_TIMEOUT_SECONDS)
    budget = _seconds("FIRESTORE_TRANSACTION_SECONDS", TRANSACTION_MAX_SECONDS)
    deadline = time.monotonic() + budget
    retrying = Retrying(retry=retry_if_exception(is_transient), reraise=True,
                        stop=stop_after_attempt(TRANSACTION_MAX_ATTEMPTS) | stop_after_delay(budget),
                        wait=wait_random_exponential(multiplier=0.05, max=2.0))
    for attempt in retrying:
        with attempt:
            number = attempt.retry_state.attempt_number
            run = firestore.transactional(lambda txn: body(txn, number))  # noqa: B023 - called in this iteration
            return _within(lambda: run(db.transaction(max_attempts=1)),  # noqa: B023 - called in this iteration
                           max(0.1, min(call_timeout, deadline - time.monotonic())))
    raise AssertionError("unreachable")  # pragma: no cover


def _within(call: Callable[[], T], seconds: float) -> T:
    """`call()` on a worker thread, given up on after `seconds` (a hung RPC cannot be interrupted, but
    the request no longer waits for it; an attempt that still commits later is deduplicated by design)."""
    future = _attempts.submit(call)
    try:
        return future.result(timeout=seconds)
    except FutureTimeout:
        raise StoreTimeout(f"Firestore did not answer within {seconds:.1f} s") from None


def server_timestamp() -> Any:
    from google.cloud import firestore
    return firestore.SERVER_TIMESTAMP
