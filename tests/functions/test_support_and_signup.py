"""`request_support` over HTTP (ID tokens, routing, ticket task), `on_user_created`, start-up checks."""
from __future__ import annotations

import base64
import json
import subprocess
import sys
import time

import pytest
from cloudevents.http import CloudEvent

from launchready.functions.backend.customers import ensure_customer
from launchready.functions.backend.sync.worker import drain
from tests.functions.conftest import FUNCTIONS_DIR
from tests.functions.helpers import customer, docs


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def id_token(uid: str, email: str | None = "ada@example.com", project: str = "demo-test",
             email_verified: bool = True) -> str:
    """An emulator-style (unsigned) Firebase ID token, as the Auth emulator issues them."""
    now = int(time.time())
    claims = {"iss": f"https://securetoken.google.com/{project}", "aud": project, "sub": uid, "user_id": uid,
              "iat": now, "exp": now + 3600, "auth_time": now, "email": email, "email_verified": email_verified}
    return f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}."


@pytest.fixture
def support(support_server, db):
    return support_server[0]


def _ask(http, url, body, token=None, **headers):
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return http.post(url, json=body, headers=headers)


BODY = {"subject": "Export is slow", "message": "Exports take minutes.", "category": "bug"}


@pytest.mark.parametrize("token", [None, "garbage", id_token("u1", project="someone-else")])
def test_unauthenticated_requests_get_401_and_write_nothing(support, http, db, token):
    response = _ask(http, support, BODY, token)
    assert response.status_code == 401
    assert not docs(db, "support_requests") and not docs(db, "sync_tasks")


def test_authenticated_request_is_routed_tagged_and_queued(support, http, db):
    ensure_customer("u1", "ada@example.com", db)
    db.collection("customers").document("u1").update({"support_tier": "priority"})
    response = _ask(http, support, BODY, id_token("u1"))
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["priority"], body["needs_human_review"]) == ("high", False)
    saved = docs(db, "support_requests")[body["id"]]
    assert saved["uid"] == "u1" and saved["tags"] == ["tier_priority", "category_bug"]
    [task] = docs(db, "sync_tasks").values()
    assert (task["target"], task["action"], task["status"]) == ("support", "create_ticket", "pending")


@pytest.mark.parametrize("wording", ["I want a refund", "Please CANCEL my plan", "this is abuse", "chargeback filed"])
def test_refund_cancel_abuse_wording_needs_human_review(support, http, db, wording):
    body = _ask(http, support, {**BODY, "message": wording}, id_token("u2")).json()
    assert body["needs_human_review"] is True and body["priority"] == "low"
    saved = docs(db, "support_requests")[body["id"]]
    assert saved["auto_answer_allowed"] is False and "needs_human_review" in saved["tags"]


@pytest.mark.parametrize("bad", [{}, {"subject": "x"}, {**BODY, "subject": "s" * 201}, {**BODY, "category": "x"},
                                 {**BODY, "admin": True}, ["not", "an", "object"]])
def test_invalid_bodies_are_400(support, http, db, bad):
    response = _ask(http, support, bad, id_token("u3"))
    assert response.status_code == 400 and response.json()["problems"]
    assert not docs(db, "support_requests")


def test_idempotency_key_and_ticket_created_once(support, http, db, crm_stub):
    first = _ask(http, support, BODY, id_token("u4"), **{"Idempotency-Key": "req-0001-abcd"})
    again = _ask(http, support, BODY, id_token("u4"), **{"Idempotency-Key": "req-0001-abcd"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"] and len(docs(db, "sync_tasks")) == 1
    crm_stub.fail("/api/v2/tickets", 503, times=1)
    assert drain(db=db, timeout=10) == {"done": 1}
    [ticket] = crm_stub.tickets.values()
    assert ticket["priority"] == "low" and ticket["external_id"] == first.json()["id"]
    saved = docs(db, "support_requests")[first.json()["id"]]
    assert (saved["status"], saved["ticket_id"]) == ("ticket_created", str(ticket["id"]))


AUTH_RECORD = ("google.firebase.auth.user.v1.created", {"uid": "u9", "email": "grace@example.com"})
SIGN_UP_AUDIT_LOG = ("google.cloud.audit.log.v1.written", {"protoPayload": {
    "serviceName": "identitytoolkit.googleapis.com",
    "methodName": "google.cloud.identitytoolkit.v1.AuthenticationService.SignUp",
    "request": {"email": "grace@example.com"}, "response": {"localId": "u9", "email": "grace@example.com"}}})


@pytest.mark.parametrize("event_type,data", [AUTH_RECORD, SIGN_UP_AUDIT_LOG])
def test_on_user_created_makes_exactly_one_customer(db, functions_main, event_type, data):
    event = CloudEvent({"type": event_type, "source": "//test"}, data)
    functions_main.on_user_created(event)
    functions_main.on_user_created(event)
    functions_main.on_user_created(CloudEvent({"type": event_type, "source": "//test"}, {"protoPayload": {}}))
    assert list(docs(db, "customers")) == ["u9"]
    assert customer(db, "u9")["email"] == "grace@example.com" and customer(db, "u9")["plan_status"] == "none"


def test_missing_environment_is_one_clear_error_at_start(tmp_path):
    ff = str(__import__("pathlib").Path(sys.executable).parent / "functions-framework")
    result = subprocess.run([ff, "--source", str(FUNCTIONS_DIR / "main.py"), "--target", "sync_worker", "--port", "0"],
                            capture_output=True, text=True, timeout=60,
                            env={"PATH": "/usr/bin:/bin", "GOOGLE_CLOUD_PROJECT": "demo-test", "HOME": str(tmp_path)})
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "sync_worker cannot start: missing environment variable(s) CRM_API_TOKEN, SUPPORT_API_TOKEN, " \
           "SUPPORT_API_BASE" in result.stderr
