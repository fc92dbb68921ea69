"""Stuck or hostile dependencies: a CRM asking to wait for decades, a Firestore that never answers.

The frozen database is a real TCP listener on 127.0.0.1 that accepts connections and never speaks
(what a hung emulator or backend looks like to gRPC); the webhook is served over real HTTP.
"""
from __future__ import annotations

import json
import socket
import threading
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from launchready.functions.backend.store import StoreTimeout, client_for, run_transaction
from launchready.functions.backend.sync.providers.base import MAX_RETRY_AFTER_SECONDS, retry_after_seconds
from launchready.functions.backend.sync.worker import RetrySync, run_task
from launchready.runtime.processes import stop_pid
from launchready.sandbox.stubs import stripe_events as se
from tests.functions.conftest import _serve
from tests.functions.helpers import deliver, docs
from tests.functions.test_sync_worker import CONTACTS, tasks  # noqa: F401 - the fixture


@pytest.mark.parametrize("header", ["999999999999", "Fri, 01 Jan 2100 00:00:00 GMT", "1" * 400])
def test_retry_after_is_capped_at_an_hour(header):
    assert retry_after_seconds(header) == MAX_RETRY_AFTER_SECONDS


def test_huge_retry_after_parks_a_task_at_most_an_hour_then_dead_letters(db, crm_stub, tasks):  # noqa: F811
    crm_stub.fail(CONTACTS, 429, retry_after=10 ** 12, times=None)
    for attempt in range(1, 4):
        if attempt < 3:
            with pytest.raises(RetrySync) as raised:
                run_task(tasks["crm"], db=db)
            assert raised.value.wait_seconds <= MAX_RETRY_AFTER_SECONDS
            task = docs(db, "sync_tasks")[tasks["crm"]]
            assert task["next_attempt_at"] <= datetime.now(UTC) + timedelta(seconds=MAX_RETRY_AFTER_SECONDS)
            db.collection("sync_tasks").document(tasks["crm"]).update({"next_attempt_at": datetime.now(UTC)})
        else:
            assert run_task(tasks["crm"], db=db) == "dead"
    assert docs(db, "sync_tasks")[tasks["crm"]]["attempts"] == 3


@pytest.fixture
def frozen_firestore():
    """host:port of a listener that accepts and then never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"127.0.0.1:{listener.getsockname()[1]}"
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    listener.close()


def test_a_frozen_firestore_is_a_store_timeout_not_a_hang(frozen_firestore, monkeypatch):
    monkeypatch.setenv("FIRESTORE_CALL_TIMEOUT_SECONDS", "0.5")
    monkeypatch.setenv("FIRESTORE_TRANSACTION_SECONDS", "1.5")
    db = client_for("demo-frozen", frozen_firestore)

    def body(txn, _attempt):
        return db.collection("customers").document("u1").get(transaction=txn).exists

    with pytest.raises(StoreTimeout, match="did not answer within"):
        run_transaction(db, body)


def test_webhook_answers_5xx_when_firestore_is_frozen(frozen_firestore, tmp_path, http):
    frozen = SimpleNamespace(host=frozen_firestore, project_id="demo-frozen")
    proc, url, _ = _serve("stripe_webhook", frozen, tmp_path, {"FIRESTORE_CALL_TIMEOUT_SECONDS": "1",
                                                               "FIRESTORE_TRANSACTION_SECONDS": "3"})
    try:
        event = se.event("customer.subscription.updated", se.subscription("rider_1", "cus_9", "active"))
        response = deliver(http, url, event)  # the client's own timeout (30 s) turns a hang into a failure
        assert response.status_code >= 500
    finally:
        stop_pid(proc.pid)


def test_function_logs_never_carry_secrets(monkeypatch, capsys):
    from launchready.functions.backend.logs import log

    monkeypatch.setenv("CRM_API_TOKEN", "crm-token-value-for-the-log-test")
    log("ERROR", "sync task dead-lettered", error="HTTP 401 for crm-token-value-for-the-log-test",
        hint="whsec" + "_AbCdEfGhIjKlMnOpQrSt and Bearer" + " abcdefghijklmnopqrstuvwxyz0123")
    line = json.loads(capsys.readouterr().err)
    assert "crm-token-value" not in json.dumps(line) and "whsec_" not in line["hint"] and "abcdefghij" not in line["hint"]
    assert line["message"] == "sync task dead-lettered"
