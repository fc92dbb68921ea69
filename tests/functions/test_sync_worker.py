"""The sync worker against the HubSpot/Zendesk stand-in: bounded retries, dead letters, no duplicates."""
from __future__ import annotations

import json
import time
from datetime import UTC, datetime

import pytest
from cloudevents.http import CloudEvent

from launchready.functions.backend.log_messages import SYNC_DEAD_LETTERED
from launchready.functions.backend.settings import SyncSettings
from launchready.functions.backend.sync.worker import RetrySync, drain, run_task, task_id_from_event
from launchready.functions.backend.webhook import record_event
from launchready.sandbox.stubs import stripe_events as se
from tests.functions.helpers import customer, docs

CONTACTS = "/crm/v3/objects/contacts/batch/upsert"


@pytest.fixture
def tasks(db):
    """One applied event for user_1 (with an email): its crm and support task ids."""
    from launchready.functions.backend.customers import ensure_customer

    ensure_customer("user_1", "ada@example.com", db)
    outcome = record_event(se.event("customer.subscription.updated",
                                    se.subscription("user_1", "cus_1", "active", support_tier="priority")), db)
    return {task.split("-")[-1]: task for task in outcome.tasks}


def _dead_letters(capsys):
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    return [line for line in lines if line["message"] == SYNC_DEAD_LETTERED]


def test_tasks_sync_crm_contact_and_tagged_support_user(db, crm_stub, tasks):
    assert drain(db=db, timeout=10) == {"done": 2}
    contact = crm_stub.contacts["ada@example.com"]
    assert contact["properties"]["plan_status"] == "active"
    assert contact["properties"]["firebase_uid"] == "user_1"
    user = crm_stub.users["ada@example.com"]
    assert user["tags"] == ["plan_priority", "status_active"] and user["external_id"] == "user_1"
    record = customer(db, "user_1")
    assert record["crm_contact_id"] == contact["id"] and record["support_user_id"] == str(user["id"])
    assert record["last_synced_at"] is not None


def test_429_then_200_honours_retry_after_and_succeeds(db, crm_stub, tasks):
    crm_stub.fail(CONTACTS, 429, retry_after=60, times=1)
    with pytest.raises(RetrySync) as raised:
        run_task(tasks["crm"], db=db)
    assert raised.value.wait_seconds >= 60
    task = docs(db, "sync_tasks")[tasks["crm"]]
    assert (task["status"], task["attempts"]) == ("pending", 1) and "429" in task["last_error"]
    assert (task["next_attempt_at"] - task["updated_at"]).total_seconds() >= 59
    with pytest.raises(RetrySync):           # an early redelivery waits without spending an attempt
        run_task(tasks["crm"], db=db)
    assert docs(db, "sync_tasks")[tasks["crm"]]["attempts"] == 1
    # The minute passes.
    db.collection("sync_tasks").document(tasks["crm"]).update({"next_attempt_at": datetime.now(UTC)})
    assert drain(db=db, timeout=10)["done"] == 2
    assert docs(db, "sync_tasks")[tasks["crm"]]["attempts"] == 2
    assert len(crm_stub.contacts) == 1


def test_500_forever_dead_letters_after_max_attempts_and_never_retries(db, crm_stub, tasks, capsys):
    crm_stub.fail(CONTACTS, 500, times=None)
    assert drain(db=db, timeout=10) == {"done": 1, "dead": 1}
    task = docs(db, "sync_tasks")[tasks["crm"]]
    assert (task["status"], task["attempts"]) == ("dead", 3) and "HTTP 500" in task["last_error"]
    assert len(crm_stub.calls(CONTACTS)) == 3
    [line] = _dead_letters(capsys)
    assert line["severity"] == "ERROR" and line["task_id"] == tasks["crm"]
    assert run_task(tasks["crm"], db=db) == "dead"
    assert len(crm_stub.calls(CONTACTS)) == 3
    assert crm_stub.token not in json.dumps(task, default=str)


def test_401_is_permanent_dead_after_one_attempt(db, crm_stub, tasks, monkeypatch, capsys):
    monkeypatch.setenv("CRM_API_TOKEN", "wrong-token")
    assert run_task(tasks["crm"], db=db) == "dead"
    task = docs(db, "sync_tasks")[tasks["crm"]]
    assert task["attempts"] == 1 and "HTTP 401" in task["last_error"]
    assert len(_dead_letters(capsys)) == 1 and "wrong-token" not in task["last_error"]


def test_timeouts_are_bounded_and_never_duplicate_the_contact(db, crm_stub, tasks):
    crm_stub.fail(CONTACTS, delay=1.0, times=None)     # the client gives up after 0.5 s; the server still applies
    assert drain(db=db, timeout=15)["dead"] == 1
    task = docs(db, "sync_tasks")[tasks["crm"]]
    assert task["attempts"] == 3 and "timed out" in task["last_error"]
    assert len(crm_stub.contacts) <= 1


def test_timeout_then_success_keeps_one_contact(db, crm_stub, tasks):
    crm_stub.fail(CONTACTS, delay=1.0, times=1)
    assert drain(db=db, timeout=15) == {"done": 2}
    assert len(crm_stub.contacts) == 1
    assert customer(db, "user_1")["crm_contact_id"] == crm_stub.contacts["ada@example.com"]["id"]


def test_sync_worker_entry_point_takes_the_firestore_cloudevent(db, crm_stub, tasks, functions_main):
    event = CloudEvent({"type": "google.cloud.firestore.document.v1.created", "source": "//firestore.googleapis.com/x",
                        "subject": f"documents/sync_tasks/{tasks['support']}"}, None)
    functions_main.sync_worker(event)
    assert docs(db, "sync_tasks")[tasks["support"]]["status"] == "done"
    assert docs(db, "sync_tasks")[tasks["crm"]]["status"] == "pending"


@pytest.mark.parametrize("subject,data,expected", [
    ("documents/sync_tasks/evt_1-crm", None, "evt_1-crm"),
    (None, {"value": {"name": "projects/p/databases/(default)/documents/sync_tasks/t9"}}, "t9"),
    ("documents/customers/u1", None, None),
    ("documents/sync_tasks/a/b", None, None),
])
def test_task_id_from_event(subject, data, expected):
    assert task_id_from_event(subject, data) == expected


def test_settings_reject_bad_numbers(monkeypatch, fn_env):
    from launchready.functions.backend.settings import ConfigurationError

    monkeypatch.setenv("SYNC_MAX_ATTEMPTS", "many")
    with pytest.raises(ConfigurationError, match="SYNC_MAX_ATTEMPTS"):
        SyncSettings.from_env()
    monkeypatch.setenv("SYNC_MAX_ATTEMPTS", "3")
    assert fn_env["CRM_API_TOKEN"] not in repr(SyncSettings.from_env())


def test_worker_over_http_returns_5xx_to_be_retried_then_finishes_once(worker_server, http, db, tasks):
    url, stub = worker_server
    stub.fail(CONTACTS, 503, times=1)
    headers = {"ce-specversion": "1.0", "ce-type": "google.cloud.firestore.document.v1.created",
               "ce-source": "//firestore.googleapis.com/projects/demo-test/databases/(default)",
               "ce-subject": f"documents/sync_tasks/{tasks['crm']}", "content-type": "application/json"}
    deliver = lambda n: http.post(url, content=b"{}", headers={**headers, "ce-id": f"delivery-{n}"})  # noqa: E731
    assert deliver(1).status_code == 500                       # transient: the platform redelivers
    assert docs(db, "sync_tasks")[tasks["crm"]]["attempts"] == 1
    for n in range(2, 40):                                     # redeliver until the backoff has passed
        if deliver(n).status_code == 200:
            break
        time.sleep(0.05)
    assert docs(db, "sync_tasks")[tasks["crm"]]["status"] == "done"
    calls = len(stub.calls(CONTACTS))
    assert deliver(99).status_code == 200 and len(stub.calls(CONTACTS)) == calls == 2


@pytest.mark.parametrize("header,expected", [("7", 7.0), (None, None), ("soon", None),
                                             ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0)])
def test_retry_after_parsing(header, expected):
    from launchready.functions.backend.sync.providers.base import retry_after_seconds

    assert retry_after_seconds(header) == expected


def test_customer_deleted_during_the_provider_call_still_ends_done(db, crm_stub, tasks, monkeypatch):
    from launchready.functions.backend.sync.providers.hubspot import HubSpotCrm

    real = HubSpotCrm.upsert_contact

    def upsert_then_account_deleted(self, customer):
        contact_id = real(self, customer)
        db.collection("customers").document("user_1").delete()
        return contact_id

    monkeypatch.setattr(HubSpotCrm, "upsert_contact", upsert_then_account_deleted)
    assert run_task(tasks["crm"], db=db) == "done"
    task = docs(db, "sync_tasks")[tasks["crm"]]
    assert task["status"] == "done" and "deleted" in task["last_error"]
    assert customer(db, "user_1") is None
