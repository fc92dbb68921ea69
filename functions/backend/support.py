"""`request_support`: an authenticated user's support request, routed and tagged, then queued.

Routing is decided here, not by the client: plan tier → priority, and refund / cancellation / abuse
wording → `needs_human_review` (such requests are never auto-answered). The ticket itself is opened by
the sync worker from the enqueued task, so a support-desk outage never loses a request.
"""
from __future__ import annotations

import re
import threading
from typing import TYPE_CHECKING, Any, Mapping

from .customers import customer_ref
from .store import client, server_timestamp
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
_apps: dict[str, Any] = {}
_lock = threading.Lock()


class Unauthenticated(Exception):
    pass


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
        return auth.verify_id_token(token.strip(), app=_apps[project])
    except (ValueError, auth.InvalidIdTokenError, auth.UserDisabledError) as exc:  # expired/revoked included
        raise Unauthenticated(type(exc).__name__) from None  # (a CertificateFetchError is ours: a 500)


def validate(body: Any) -> tuple[dict[str, str], list[str]]:
    """The cleaned request fields and a list of problems (empty when valid)."""
    if not isinstance(body, dict):
        return {}, ["body must be a JSON object"]
    problems, clean = [], {}
    for name, limit in LIMITS.items():
        value = body.get(name)
        if not isinstance(value, str) or not value.strip():
            problems.append(f"{name}: required, a non-empty string")
        elif len(value) > limit:
            problems.append(f"{name}: at most {limit} characters")
        else:
            clean[name] = value.strip()
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


def create_request(uid: str, email: str | None, fields: Mapping[str, str], idempotency_key: str | None = None,
                   db: "Client | None" = None) -> tuple[dict[str, Any], bool]:
    """Create `support_requests/{id}` and its ticket task atomically. Returns (request, created)."""
    from google.api_core.exceptions import AlreadyExists

    db = db or client()
    collection = db.collection(SUPPORT_REQUESTS)
    key = idempotency_key if idempotency_key and _IDEMPOTENCY_KEY.match(idempotency_key) else None
    ref = collection.document(f"{uid[:40]}-{key}" if key else None)
    customer = customer_ref(db, uid).get().to_dict() or {}
    request = {"uid": uid, "email": customer.get("email") or email, **fields, **route(fields, customer),
               "status": "queued", "ticket_id": None, "created_at": server_timestamp()}
    batch = db.batch()
    batch.create(ref, request)
    target, action = TICKET_ACTION
    enqueue(batch, db, source_id=f"{SUPPORT_REQUESTS}-{ref.id}", source=f"{SUPPORT_REQUESTS}/{ref.id}",
            uid=uid, target=target, action=action)
    try:
        batch.commit()
    except AlreadyExists:
        return {**(ref.get().to_dict() or {}), "id": ref.id}, False
    return {**request, "id": ref.id}, True


def handle(request: Any, project: str) -> tuple[dict[str, Any], int, dict[str, str]]:
    if request.method != "POST":
        return {"error": "method not allowed"}, 405, {"Allow": "POST"}
    try:
        claims = verify_user(request.headers.get("Authorization"), project)
    except Unauthenticated:
        return {"error": "a valid Firebase ID token is required"}, 401, {"WWW-Authenticate": "Bearer"}
    if (request.content_length or 0) > 64 * 1024:
        return {"error": "payload too large"}, 413, {}
    fields, problems = validate(request.get_json(silent=True))
    if problems:
        return {"error": "invalid request", "problems": problems}, 400, {}
    if not claims.get("email"):
        return {"error": "the account has no email address"}, 400, {}
    saved, created = create_request(claims["uid"], claims.get("email"), fields,
                                    request.headers.get("Idempotency-Key"))
    body = {"id": saved["id"], "priority": saved.get("priority"),
            "needs_human_review": saved.get("needs_human_review"), "status": saved.get("status")}
    return body, 201 if created else 200, {}

