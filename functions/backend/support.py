"""`request_support`: an authenticated user's support request, routed and tagged, then queued.

Routing is decided here, not by the client: plan tier → priority, and refund / cancellation / abuse
wording → `needs_human_review` (such requests are never auto-answered). The ticket itself is opened by
the sync worker from the enqueued task, so a support-desk outage never loses a request.
"""
from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .customers import customer_ref
from .docids import is_uid
from .rate_limit import count, limiter, user_key
from .settings import SupportSettings
from .store import CALL_TIMEOUT_SECONDS, client, is_transient, run_transaction, server_timestamp
from .support_guard import Rejected, clean_text, cors_headers, parse_json, preflight_headers, read_body
from .sync.outbox import TICKET_ACTION, enqueue

if TYPE_CHECKING:
    from google.cloud.firestore import Client

SUPPORT_REQUESTS = "support_requests"
PRIORITY_BY_TIER = {"free": "low", "paid": "normal", "priority": "high", "enterprise": "urgent"}
HUMAN_REVIEW = re.compile(r"\b(refund\w*|chargebacks?|cancel\w*|dispute\w*|abus\w*|harass\w*|fraud\w*|"
                          r"threat\w*|lawyer|legal)\b", re.IGNORECASE)
CATEGORIES = ("billing", "account", "bug", "question", "other")
LIMITS = {"subject": 200, "message": 5000}
_IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
CONTENDED_RETRY_SECONDS = 2
_apps: dict[str, Any] = {}
_lock = threading.Lock()
# One user's concurrent requests all read and write their rate-limit counter: serialising them in the
# instance turns lock contention (aborts, then a 5xx once the retry budget is spent) into a short queue.
_USER_LOCKS = tuple(threading.Lock() for _ in range(64))


class Unauthenticated(Exception):
    pass


def verified_email(claims: Mapping[str, Any]) -> str | None:
    """The token's email if Firebase Auth says its owner proved it (`email_verified`), else None:
    an unverified address is anyone's to type, so no ticket or CRM record is opened under it."""
    email = claims.get("email")
    return email if isinstance(email, str) and email and claims.get("email_verified") is True else None


def verify_user(authorization: str | None, project: str) -> dict[str, Any]:
    """The claims of a valid Firebase ID token from `Authorization: Bearer <token>`."""
    import firebase_admin
    from firebase_admin import auth

    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("missing bearer token")
    with _lock:
        if project not in _apps:
            _apps[project] = firebase_admin.initialize_app(options={"projectId": project},
                                                           name=f"launchready-{project}")
    try:
        # check_revoked: a disabled or signed-out user is refused at once, not when the token expires (1 h)
        return auth.verify_id_token(token.strip(), app=_apps[project], check_revoked=True)
    except (ValueError, auth.InvalidIdTokenError, auth.UserDisabledError, auth.UserNotFoundError) as exc:
        raise Unauthenticated(type(exc).__name__) from None  # expired/revoked included; a CertificateFetchError is a 500


def validate(body: Any) -> tuple[dict[str, str], list[str]]:
    """The cleaned request fields and a list of problems (empty when valid)."""
    if not isinstance(body, dict):
        return {}, ["body must be a JSON object"]
    problems, clean = [], {}
    for name, limit in LIMITS.items():
        value = clean_text(body[name]) if isinstance(body.get(name), str) else None
        if not value:
            problems.append(f"{name}: required, a non-empty string")
        elif len(value) > limit:
            problems.append(f"{name}: at most {limit} characters")
        else:
            clean[name] = value
    category = body.get("category", "other")
    if category not in CATEGORIES:
        problems.append(f"category: one of {', '.join(CATEGORIES)}")
    clean["category"] = category
    unknown = sorted(set(body) - set(LIMITS) - {"category"})
    if unknown:
        problems.append(f"unknown field(s): {', '.join(unknown)}")
    return clean, problems


def route(fields: Mapping[str, str], customer: Mapping[str, Any]) -> dict[str, Any]:
    tier = customer.get("support_tier") or "free"
    review = bool(HUMAN_REVIEW.search(f"{fields['subject']}\n{fields['message']}"))
    tags = [f"tier_{tier}", f"category_{fields['category']}"] + (["needs_human_review"] if review else [])
    return {"priority": PRIORITY_BY_TIER.get(tier, "normal"), "tags": tags, "needs_human_review": review,
            "auto_answer_allowed": not review, "support_tier": tier}


def request_ids(uid: str, fields: Mapping[str, str], idempotency_key: str | None, window_seconds: float,
                now: float | None = None) -> list[str]:
    """[id to create, other ids that count as the same request]. With a valid `Idempotency-Key` the
    key names the request; without one, the same text from the same user within the window does."""
    user = user_key(uid)[:20]
    if idempotency_key and _IDEMPOTENCY_KEY.match(idempotency_key):
        return [f"{user}-k-{idempotency_key}"]
    digest = hashlib.sha256(json.dumps([fields.get(k) for k in ("subject", "message", "category")]).encode()).hexdigest()
    bucket = int((time.time() if now is None else now) // window_seconds)
    return [f"{user}-c-{digest[:24]}-{bucket}", f"{user}-c-{digest[:24]}-{bucket - 1}"]


def create_request(uid: str, email: str | None, fields: Mapping[str, str], ids: list[str] | None = None,
                   db: Client | None = None, limit: tuple[int, float] | None = None) -> tuple[dict[str, Any], int]:
    """In one transaction: an earlier request with any of `ids` is returned as is (200); else the
    user's rate limit is counted (429 when spent); else `support_requests/{ids[0]}` and its ticket
    task are created (201). Concurrent twins serialise on the same documents: one ticket."""
    db = db or client()
    refs = [db.collection(SUPPORT_REQUESTS).document(i) for i in ids] if ids else [db.collection(SUPPORT_REQUESTS).document()]
    counter = limiter(db, "support", uid)
    earlier = _first_existing(db.get_all(refs, timeout=CALL_TIMEOUT_SECONDS))  # a repeat needs no transaction
    if earlier is not None:
        return earlier, 200

    def body(txn, _attempt: int) -> tuple[dict[str, Any], int]:
        earlier = _first_existing(db.get_all(refs, transaction=txn))
        if earlier is not None:
            return earlier, 200
        # a legal uid that cannot key a document ("a/b", "__x__") has no customer record: free tier
        customer = (customer_ref(db, uid).get(transaction=txn).to_dict() or {}) if is_uid(uid) else {}
        if limit and (wait := count(txn, counter, time.time(), *limit)):
            return {"retry_after": int(wait)}, 429
        request = {"uid": uid, "email": email, **fields, **route(fields, customer),
                   "status": "queued", "ticket_id": None, "created_at": server_timestamp()}
        txn.create(refs[0], request)
        target, action = TICKET_ACTION
        enqueue(txn, db, source_id=f"{SUPPORT_REQUESTS}-{refs[0].id}", source=f"{SUPPORT_REQUESTS}/{refs[0].id}",
                uid=uid, target=target, action=action)
        return {**request, "id": refs[0].id}, 201

    return run_transaction(db, body)


def _first_existing(snapshots: Any) -> dict[str, Any] | None:
    for snapshot in snapshots:
        if snapshot.exists:
            return {**(snapshot.to_dict() or {}), "id": snapshot.id}
    return None


def _public(saved: Mapping[str, Any]) -> dict[str, Any]:
    return {"id": saved["id"], "priority": saved.get("priority"),
            "needs_human_review": saved.get("needs_human_review"), "status": saved.get("status")}


def handle(request: Any, project: str) -> tuple[dict[str, Any], int, dict[str, str]]:
    """Gate (CORS, method, token, size, depth, fields), then dedupe, rate-limit and create."""
    settings = SupportSettings.from_env()
    origin = request.headers.get("Origin")
    try:
        if request.method == "OPTIONS":
            return {}, 204, preflight_headers(origin, settings.allowed_origins)
        cors = cors_headers(origin, settings.allowed_origins)
    except Rejected as exc:
        return {"error": exc.reason}, exc.status, {"Vary": "Origin"}
    body, status, headers = _handle_post(request, project, settings)
    return body, status, {**headers, **cors}


def _handle_post(request: Any, project: str, settings: SupportSettings) -> tuple[dict[str, Any], int, dict[str, str]]:
    if request.method != "POST":
        return {"error": "method not allowed"}, 405, {"Allow": "POST, OPTIONS"}
    try:
        claims = verify_user(request.headers.get("Authorization"), project)
    except Unauthenticated:
        return {"error": "a valid Firebase ID token is required"}, 401, {"WWW-Authenticate": "Bearer"}
    try:
        fields, problems = validate(parse_json(read_body(request)))
    except Rejected as exc:
        return {"error": exc.reason}, exc.status, {}
    if problems:
        return {"error": "invalid request", "problems": problems}, 400, {}
    email = verified_email(claims)
    if email is None:
        return {"error": "verify your account's email address before contacting support"}, 403, {}
    uid = claims["uid"]
    ids = request_ids(uid, fields, request.headers.get("Idempotency-Key"), settings.duplicate_window_seconds)
    try:
        with _USER_LOCKS[int(user_key(uid), 16) % len(_USER_LOCKS)]:
            saved, status = create_request(uid, email, fields, ids,
                                           limit=(settings.rate_limit, settings.rate_window_seconds))
    except Exception as exc:  # contention from other instances outlasted the budget: the client retries
        if not is_transient(exc):
            raise
        saved, status = {"retry_after": CONTENDED_RETRY_SECONDS}, 429
    if status == 429:
        return {"error": "too many support requests; try again later"}, 429, {"Retry-After": str(saved["retry_after"])}
    return _public(saved), status, {}
