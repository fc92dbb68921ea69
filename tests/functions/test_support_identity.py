"""`request_support` trusts only a verified email, survives one user's concurrent requests, and takes
any uid Firebase Auth can issue (custom tokens allow `/`, dots, `__x__`, 128 characters, any script) —
over real HTTP (functions-framework + emulator + Auth/Zendesk stand-ins)."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from launchready.functions.backend.sync.worker import drain
from tests.functions.conftest import SUPPORT_RATE_LIMIT
from tests.functions.helpers import docs
from tests.functions.test_support_and_signup import id_token

REQUEST = {"subject": "Invoice shows wrong VAT id", "message": "Our VAT number on invoice 2031 is outdated.",
           "category": "billing"}


@pytest.fixture
def support(support_server, db):
    return support_server[0]


def ask(http, url, uid, body=REQUEST, **claims):
    return http.post(url, json=body, headers={"Authorization": f"Bearer {id_token(uid, **claims)}"})


@pytest.mark.parametrize("claims", [{"email": "ceo@harbourfreight-demo.example", "email_verified": False},
                                    {"email": None}], ids=["unverified", "no-email"])
def test_an_unverified_or_missing_email_is_refused_with_403(support, http, db, claims):
    response = ask(http, support, "skipper-21", **claims)
    assert response.status_code == 403 and "verify" in response.json()["error"]
    assert not docs(db, "support_requests") and not docs(db, "sync_tasks")


def test_the_ticket_uses_the_tokens_verified_email_not_the_stored_one(support, http, db, crm_stub):
    db.collection("customers").document("skipper-22").set({"uid": "skipper-22", "email": "victim@elsewhere.example",
                                                          "support_tier": "paid"})
    response = ask(http, support, "skipper-22", email="skipper22@harbour.example")
    assert response.status_code == 201
    [saved] = docs(db, "support_requests").values()
    assert saved["email"] == "skipper22@harbour.example" and saved["priority"] == "normal"
    assert drain(db=db, timeout=10) == {"done": 1}
    [ticket] = crm_stub.tickets.values()
    assert ticket["requester"]["email"] == "skipper22@harbour.example"


@pytest.mark.parametrize("uid", ["org/acme/user-7", "__admin__", ".", "..", "x" * 128, "ユーザー・七",
                                 "user name with spaces", "user\u202eevil"])
def test_any_legal_uid_gets_a_request_and_a_ticket(support, http, db, crm_stub, uid):
    response = ask(http, support, uid, email="crew@harbour.example")
    assert response.status_code == 201, response.text
    again = ask(http, support, uid, email="crew@harbour.example")
    assert again.status_code == 200 and again.json()["id"] == response.json()["id"]
    assert drain(db=db, timeout=10) == {"done": 1}
    assert len(crm_stub.tickets) == 1


def test_one_users_concurrent_distinct_requests_never_5xx(support, http, db):
    bodies = [{**REQUEST, "message": f"Problem {i}: export {i} never arrived."} for i in range(12)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        codes = list(pool.map(lambda body: ask(http, support, "deckhand-3", body).status_code, bodies))
    assert set(codes) <= {201, 429}, codes
    assert codes.count(201) == SUPPORT_RATE_LIMIT == len(docs(db, "support_requests"))
