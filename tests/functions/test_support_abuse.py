"""`request_support` under abuse, over real HTTP (functions-framework + emulator + Auth/Zendesk stand-ins):
floods, double taps, oversized and chunked bodies, deep JSON, markup, revoked users, foreign origins."""
from __future__ import annotations

import json
import select
import socket
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pytest

from launchready.functions.backend.sync.worker import drain
from tests.functions.conftest import SUPPORT_ORIGIN, SUPPORT_RATE_LIMIT
from tests.functions.helpers import docs
from tests.functions.test_support_and_signup import id_token

REQUEST = {"subject": "Sync stuck on iPad", "message": "Journal entries from yesterday never synced.",
           "category": "bug"}


@pytest.fixture
def support(support_server, db):
    return support_server[0]


def post(http, url, body, uid="rider-7", **headers):
    headers.setdefault("Authorization", f"Bearer {id_token(uid, email=f'{uid}@tidepool.example')}")
    return http.post(url, json=body, headers=headers)


def test_a_hundred_identical_requests_make_one_ticket(support, http, db, crm_stub):
    with ThreadPoolExecutor(max_workers=4) as pool:
        statuses = list(pool.map(lambda _: post(http, support, REQUEST).status_code, range(100)))
    assert statuses.count(201) == 1 and statuses.count(200) == 99, sorted(set(statuses))
    assert len(docs(db, "support_requests")) == 1 and len(docs(db, "sync_tasks")) == 1
    assert drain(db=db, timeout=10) == {"done": 1}
    assert len(crm_stub.tickets) == 1


def test_rate_limit_per_user_is_429_with_retry_after(support, http, db):
    answers = [post(http, support, {**REQUEST, "message": f"Problem number {i}"}) for i in range(SUPPORT_RATE_LIMIT + 1)]
    assert [a.status_code for a in answers] == [201] * SUPPORT_RATE_LIMIT + [429]
    assert 1 <= int(answers[-1].headers["Retry-After"]) <= 600
    assert len(docs(db, "support_requests")) == SUPPORT_RATE_LIMIT
    assert post(http, support, REQUEST, uid="someone-else").status_code == 201  # per user, not global
    [counter] = [d for d in docs(db, "rate_limits").values() if len(d["times"]) == SUPPORT_RATE_LIMIT]
    assert counter["expires_at"] > max(counter["times"])


def test_a_repeated_request_is_not_counted_against_the_limit(support, http, db):
    for _ in range(SUPPORT_RATE_LIMIT * 2):
        assert post(http, support, REQUEST, **{"Idempotency-Key": "tap-2026-11-28-0001"}).status_code in (200, 201)
    assert post(http, support, {**REQUEST, "message": "a different problem"}).status_code == 201


def _chunked(url: str, token: str, total: int, chunk: int = 64 * 1024) -> tuple[bytes, int]:
    """Send `total` bytes chunked, stopping as soon as the server answers: (response head, bytes sent)."""
    parts = urlsplit(url)
    sock = socket.create_connection((parts.hostname, parts.port), timeout=30)
    sent = 0
    try:
        sock.sendall((f"POST / HTTP/1.1\r\nHost: {parts.netloc}\r\nAuthorization: Bearer {token}\r\n"
                      "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n").encode())
        payload = b"%x\r\n%s\r\n" % (chunk, b"x" * chunk)
        pending = memoryview(b"")
        while sent < total:
            readable, writable, _ = select.select([sock], [sock], [], 30)
            if readable or not writable:
                break  # the server answered (or stopped reading altogether)
            if not pending:
                pending = memoryview(payload)
            try:
                written = sock.send(pending)
            except (BrokenPipeError, ConnectionResetError):
                break
            pending = pending[written:]
            sent += written
        return sock.recv(4096), sent
    finally:
        sock.close()


def test_chunked_30_mib_body_is_413_without_reading_it(support, http, db):
    head, sent = _chunked(support, id_token("rider-7"), 30 * 1024 * 1024)
    assert head.startswith(b"HTTP/1.1 413"), head[:200]
    assert sent < 30 * 1024 * 1024
    assert not docs(db, "support_requests")


def test_declared_oversized_body_is_413(support, http, db):
    response = post(http, support, {**REQUEST, "message": "x" * (70 * 1024)})
    assert response.status_code == 413 and not docs(db, "support_requests")


@pytest.mark.parametrize("raw", [b"[" * 30_000 + b"]" * 30_000, b'{"subject": ' + b'{"a": ' * 20 + b"1" + b"}" * 21,
                                 b"\xff\xfe not utf-8", b'{"subject": "x", "message": "y"'])
def test_deep_or_broken_json_is_400(support, http, db, raw):
    response = http.post(support, content=raw, headers={"Authorization": f"Bearer {id_token('rider-7')}",
                                                         "Content-Type": "application/json"})
    assert response.status_code == 400, response.text
    assert not docs(db, "support_requests")


def test_markup_and_control_characters_reach_the_desk_inert(support, http, db, crm_stub):
    message = 'Export fails <img src=x onerror="alert(1)"> <b>now</b>\u202e\u0000\nsecond line'
    response = post(http, support, {**REQUEST, "subject": "Help\u200b\u0007 me", "message": message})
    assert response.status_code == 201
    saved = docs(db, "support_requests")[response.json()["id"]]
    assert saved["subject"] == "Help me"
    assert "\u202e" not in saved["message"] and "\x00" not in saved["message"]
    assert drain(db=db, timeout=10) == {"done": 1}
    [ticket] = crm_stub.tickets.values()
    body = json.dumps(ticket)
    assert "<img" not in body and "<b>" not in body
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in ticket["comment"]["html_body"]
    assert "<br>second line" in ticket["comment"]["html_body"]


@pytest.mark.parametrize("change", [{"revoke": True}, {"disabled": True}])
def test_revoked_or_disabled_user_is_refused_at_once(support, http, db, auth_stub, change):
    uid = f"rider-{'revoked' if 'revoke' in change else 'disabled'}"
    token = id_token(uid, email=f"{uid}@tidepool.example")
    assert post(http, support, REQUEST, uid=uid).status_code == 201
    auth_stub.update_user(uid, **change)
    response = http.post(support, json={**REQUEST, "message": "again"}, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert len(docs(db, "support_requests")) == 1


def test_cors_preflight_and_post_only_for_the_apps_origins(support, http, db):
    ok = http.options(support, headers={"Origin": SUPPORT_ORIGIN, "Access-Control-Request-Method": "POST",
                                        "Access-Control-Request-Headers": "authorization, content-type"})
    assert ok.status_code == 204
    assert ok.headers["Access-Control-Allow-Origin"] == SUPPORT_ORIGIN
    assert "authorization" in ok.headers["Access-Control-Allow-Headers"].lower()
    evil = http.options(support, headers={"Origin": "https://tidepool.example.evil.test",
                                          "Access-Control-Request-Method": "POST"})
    assert evil.status_code == 403 and "Access-Control-Allow-Origin" not in evil.headers
    refused = post(http, support, REQUEST, Origin="https://evil.test")
    assert refused.status_code == 403 and not docs(db, "support_requests")
    allowed = post(http, support, REQUEST, Origin=SUPPORT_ORIGIN)
    assert allowed.status_code == 201 and allowed.headers["Access-Control-Allow-Origin"] == SUPPORT_ORIGIN
    native = post(http, support, {**REQUEST, "message": "from the iOS app"})  # no Origin: a native client
    assert native.status_code == 201 and "Access-Control-Allow-Origin" not in native.headers
