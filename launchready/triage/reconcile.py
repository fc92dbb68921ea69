"""Drift between Stripe, Firestore, the CRM and the support desk of one running environment.

`scan` reads (never writes) and returns each class of drift with its count and a few examples;
`fix` repairs only through the backend's own idempotent paths (`record_event` for an event never
stored, `replay` for a parked or dead event that can be linked now, the sweep's dead-letter for one
that cannot, `repair.requeue`/`resync`/`restore` and the sync worker for tasks, contacts and access)
— so running it twice changes nothing the second time.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

from launchready.functions.backend import billing, parking, repair
from launchready.functions.backend.docids import safe_id
from launchready.functions.backend.events import STRIPE_API_VERSION
from launchready.functions.backend.stripe_listing import EVENT_RETENTION_SECONDS, ListingError, events_since, objects
from launchready.functions.backend.stripe_shapes import Unapplicable, parse_object
from launchready.functions.backend.sync.outbox import SYNC_TASKS
from launchready.triage.systems import Systems, backend_env

if TYPE_CHECKING:
    from google.cloud.firestore import Client

    from launchready.functions.backend.settings import SyncSettings
    from launchready.functions.backend.sync.providers.hubspot import HubSpotCrm
    from launchready.functions.backend.sync.providers.zendesk import ZendeskSupport

DEFAULT_WINDOW_SECONDS = 3 * 24 * 3600
GRACE_SECONDS = 300            # younger pending work may still be in flight: not drift yet
MAX_DOCS = 5000
MAX_EXAMPLES = 5
CRM_FIELDS = ("plan_status", "plan_id", "support_tier")
AGE_BUCKETS = ((3600, "< 1 h"), (86400, "< 1 day"), (3 * 86400, "< 3 days"), (float("inf"), ">= 3 days"))

KINDS: dict[str, str] = {
    "event_not_stored": "Stripe events never stored",
    "access_mismatch": "customers whose plan/access disagrees with Stripe's subscription",
    "crm_missing": "CRM contacts missing",
    "crm_stale": "CRM contacts stale versus the customer record",
    "sync_dead": "sync tasks dead-lettered",
    "sync_stuck": "sync tasks stuck pending",
    "parked_expired": "parked events past their bound",
    "event_dead": "dead-lettered Stripe events",
    "support_without_ticket": "support requests without a ticket",
}


@dataclass
class Drift:
    kind: str
    examples: list[dict[str, Any]] = field(default_factory=list)
    count: int = 0

    def add(self, example: dict[str, Any], limit: int = MAX_EXAMPLES) -> None:
        self.count += 1
        if len(self.examples) < limit:
            self.examples.append(example)


@dataclass
class Findings:
    stack: str
    sandbox: bool
    since: int
    until: int
    drift: dict[str, Drift] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)      # comparison -> reason
    notes: list[str] = field(default_factory=list)
    parked_ages: dict[str, int] = field(default_factory=dict)
    fixes: list[str] = field(default_factory=list)
    stripe_events: list[dict[str, Any]] = field(default_factory=list, repr=False)   # the window, for --fix
    examples: int = MAX_EXAMPLES        # kept per class (--fix keeps them all)

    def found(self, kind: str, example: dict[str, Any]) -> None:
        self.drift.setdefault(kind, Drift(kind)).add(example, self.examples)

    @property
    def total(self) -> int:
        return sum(d.count for d in self.drift.values())

    def to_dict(self) -> dict[str, Any]:
        return {"stack": self.stack, "sandbox": self.sandbox,
                "window": {"since": _iso(self.since), "until": _iso(self.until)},
                "drift": [{**asdict(d), "title": KINDS[d.kind]} for d in self.drift.values()],
                "total": self.total, "skipped": self.skipped, "notes": self.notes,
                "parked_by_age": self.parked_ages, "fixes": self.fixes}


def _iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="seconds")


def _age(value: Any, now: float) -> float | None:
    if isinstance(value, datetime):
        return now - value.timestamp()
    return now - float(value) if isinstance(value, (int, float)) else None


# ---------------------------------------------------------------- reading

def _db(systems: Systems) -> Client:
    """Firestore: `scan` compares nothing without it, and `fix` runs only on what `scan` found."""
    assert systems.db is not None  # every reader below runs after scan's `systems.has("firestore")`
    return systems.db


def _sync(systems: Systems) -> SyncSettings:
    assert systems.sync is not None  # connect() always sets the sync settings (a system without a token is in `missing`)
    return systems.sync


def _docs(systems: Systems, collection: str, findings: Findings, *filters: tuple[str, str, Any]) -> list[Any]:
    from google.cloud.firestore import FieldFilter

    query = _db(systems).collection(collection)
    for name, op, value in filters:
        query = query.where(filter=FieldFilter(name, op, value))
    docs = list(query.limit(MAX_DOCS + 1).get())
    if len(docs) > MAX_DOCS:
        findings.notes.append(f"{collection}: more than {MAX_DOCS} documents match; only the first {MAX_DOCS} compared")
    return docs[:MAX_DOCS]


def scan(systems: Systems, since: int | None = None, now: float | None = None,
         sleep: Callable[[float], None] = time.sleep, examples: int = MAX_EXAMPLES) -> Findings:
    """Every comparison the available systems allow; the others skipped with their reason.
    `examples`: how many examples each class keeps (`fix` needs them all)."""
    now = time.time() if now is None else now
    since = int(now - DEFAULT_WINDOW_SECONDS) if since is None else since
    findings = Findings(systems.stack, systems.sandbox, since, int(now), examples=examples)
    if not systems.has("firestore"):
        findings.skipped["all comparisons"] = systems.why_not("firestore")
        findings.skipped.update({f"{name} (also)": why for name, why in systems.missing.items() if name != "firestore"})
        return findings
    customers = {s.id: s.to_dict() or {} for s in _docs(systems, "customers", findings)}
    with backend_env(systems):
        _stripe(systems, findings, customers, now, sleep)
    _parked(systems, findings, now)
    _sync_tasks(systems, findings, now)
    _support(systems, findings, now)
    _crm(systems, findings, customers)
    return findings


def _stripe(systems: Systems, findings: Findings, customers: dict[str, dict], now: float,
            sleep: Callable[[float], None]) -> None:
    if not systems.has("stripe"):
        for kind in ("event_not_stored", "access_mismatch"):
            findings.skipped[kind] = systems.why_not("stripe")
        return
    try:
        listing = events_since(findings.since, max_items=MAX_DOCS, now=now, sleep=sleep)
        subscriptions = objects("subscriptions", params={"status": "all"}, max_items=MAX_DOCS, sleep=sleep)
    except ListingError as exc:
        for kind in ("event_not_stored", "access_mismatch"):
            findings.skipped[kind] = str(exc)
        return
    if listing.bounded_since:
        findings.since = listing.bounded_since
        findings.notes.append(f"window bounded to Stripe's {EVENT_RETENTION_SECONDS // 86400}-day event retention "
                              f"(since {_iso(listing.bounded_since)})")
    for what, part in (("events", listing), ("subscriptions", subscriptions)):
        if part.truncated:
            findings.notes.append(f"Stripe {what}: stopped at {MAX_DOCS}; narrow the window with --since")
        if part.rate_limited:
            findings.notes.append(f"Stripe {what}: rate limited {part.rate_limited}x (waited out Retry-After)")
    findings.stripe_events = listing.items
    refs = [_db(systems).collection(parking.STRIPE_EVENTS).document(safe_id(e["id"])) for e in listing.items]
    stored = {snap.id for snap in _db(systems).get_all(refs) if snap.exists} if refs else set()
    for event in listing.items:
        if safe_id(event["id"]) not in stored:
            findings.found("event_not_stored", {"event": event["id"], "type": event["type"],
                                                "created": _iso(event["created"])})
    _access(systems, findings, customers, {s["id"]: s for s in subscriptions.items})


def _owner_types(systems: Systems, customers: dict[str, dict]) -> dict[str, str | None]:
    """uid -> type of the stored event that last wrote its plan_status (None when unknown)."""
    owners = {uid: str((c.get("versions") or {}).get("plan_status", "")).partition(":")[2]
              for uid, c in customers.items()}
    ids = sorted({e for e in owners.values() if e})
    refs = [_db(systems).collection(parking.STRIPE_EVENTS).document(safe_id(e)) for e in ids]
    types = {snap.id: (snap.to_dict() or {}).get("type") for snap in _db(systems).get_all(refs)} if refs else {}
    return {uid: types.get(safe_id(e)) if e else None for uid, e in owners.items()}


def expected_access(subscription: dict[str, Any]) -> dict[str, Any] | None:
    """What the backend makes of this subscription (its own mapping), None when it cannot parse it."""
    try:
        parsed = parse_object("subscription", subscription, STRIPE_API_VERSION)  # as `stripe_listing` asks
    except Unapplicable:
        return None
    eff = billing.effect("customer.subscription.updated", parsed)
    return {k: eff.versioned.get(k) for k in ("plan_status", "has_access")}


def _access(systems: Systems, findings: Findings, customers: dict[str, dict], subs: dict[str, dict]) -> None:
    owners = _owner_types(systems, customers)
    for uid, record in sorted(customers.items()):
        sub = subs.get(record.get("stripe_subscription_id") or "")
        if sub is None or str(owners.get(uid) or "").startswith("charge."):
            continue  # no subscription to compare with, or access revoked by a refund/dispute (the backend's rule)
        expected = expected_access(sub)
        actual = {k: record.get(k) for k in ("plan_status", "has_access")}
        if expected is not None and expected != actual:
            findings.found("access_mismatch", {"uid": uid, "firestore": actual, "stripe": {
                "subscription": sub["id"], "status": sub.get("status"), **expected}})


def _parked(systems: Systems, findings: Findings, now: float) -> None:
    for snap in _docs(systems, parking.STRIPE_EVENTS, findings, ("status", "in", ["parked", "dead"])):
        record = snap.to_dict() or {}
        example = {"event": snap.id, "type": record.get("type"), "refs": (record.get("refs") or [])[:3]}
        if record.get("status") == "dead":
            findings.found("event_dead", example)
            continue
        age = _age(record.get("parked_at"), now) or 0.0
        label = next(name for bound, name in AGE_BUCKETS if age < bound)
        findings.parked_ages[label] = findings.parked_ages.get(label, 0) + 1
        if float(record.get("dead_after") or 0) <= now:
            findings.found("parked_expired", {**example, "parked_for": f"{age / 3600:.1f} h"})


def _sync_tasks(systems: Systems, findings: Findings, now: float) -> None:
    due = datetime.fromtimestamp(now, UTC) - timedelta(seconds=GRACE_SECONDS)
    for snap in _docs(systems, SYNC_TASKS, findings, ("status", "in", ["pending", "dead"])):
        task = snap.to_dict() or {}
        example = {"task": snap.id, "target": task.get("target"), "action": task.get("action"),
                   "attempts": task.get("attempts"), "last_error": task.get("last_error")}
        if task.get("status") == "dead":
            findings.found("sync_dead", example)
        elif isinstance(task.get("next_attempt_at"), datetime) and task["next_attempt_at"] <= due:
            findings.found("sync_stuck", example)


def _support(systems: Systems, findings: Findings, now: float) -> None:
    requests = _docs(systems, "support_requests", findings)
    tasks = {s.id: (s.to_dict() or {}) for s in _db(systems).get_all(
        [_db(systems).collection(SYNC_TASKS).document(ticket_task(r.id)) for r in requests])} if requests else {}
    with_ticket = {}
    for snap in requests:
        request = snap.to_dict() or {}
        task = tasks.get(ticket_task(snap.id)) or {}
        if request.get("ticket_id"):
            with_ticket[str(request["ticket_id"])] = snap.id
        elif task.get("status") == "dead" or (_age(request.get("created_at"), now) or 0) > GRACE_SECONDS:
            findings.found("support_without_ticket", {"request": snap.id, "task_status": task.get("status"),
                                                      "last_error": task.get("last_error")})
    if not with_ticket:
        return
    if not systems.has("support"):
        findings.skipped["support tickets exist in the desk"] = systems.why_not("support")
        return
    from launchready.functions.backend.sync.providers import provider_for
    from launchready.functions.backend.sync.providers.base import SyncError

    try:
        with provider_for("support", _sync(systems)) as desk:
            # the "support" target's adapter; Zendesk is the only one registered (providers.SUPPORT_PROVIDERS)
            found = cast("ZendeskSupport", desk).tickets(sorted(with_ticket))
    except SyncError as exc:
        findings.skipped["support tickets exist in the desk"] = str(exc)
        return
    for ticket_id, request_id in sorted(with_ticket.items()):
        if ticket_id not in found:
            findings.found("support_without_ticket", {"request": request_id, "ticket": ticket_id,
                                                      "problem": "the desk has no such ticket"})


def ticket_task(request_id: str) -> str:
    from launchready.functions.backend.sync.outbox import TICKET_ACTION, task_id
    return task_id(f"support_requests-{request_id}", TICKET_ACTION[0])


def _crm(systems: Systems, findings: Findings, customers: dict[str, dict]) -> None:
    expected = {uid: c for uid, c in customers.items()
                if c.get("email") and (c.get("crm_contact_id") or c.get("last_event_at"))}
    if not expected:
        return
    if not systems.has("crm"):
        findings.skipped["crm_missing, crm_stale"] = systems.why_not("crm")
        return
    from launchready.functions.backend.sync.providers import provider_for
    from launchready.functions.backend.sync.providers.base import SyncError

    try:
        with provider_for("crm", _sync(systems)) as crm:
            # the "crm" target's adapter; HubSpot is the only one registered (providers.CRM_PROVIDERS)
            contacts = cast("HubSpotCrm", crm).read_contacts(sorted({c["email"].lower() for c in expected.values()}))
    except SyncError as exc:
        findings.skipped["crm_missing, crm_stale"] = str(exc)
        return
    for uid, record in sorted(expected.items()):
        contact = contacts.get(record["email"].lower())
        if contact is None:
            findings.found("crm_missing", {"uid": uid, "email": record["email"]})
            continue
        want = {"plan_status": record.get("plan_status") or "none", "plan_id": record.get("plan_id") or "",
                "support_tier": record.get("support_tier") or ""}
        stale = {k: {"crm": contact.get(k) or "", "firestore": v} for k, v in want.items() if (contact.get(k) or "") != v}
        if stale:
            findings.found("crm_stale", {"uid": uid, "contact": contact.get("id"), "fields": stale})


# ---------------------------------------------------------------- repairing

def fix(systems: Systems, findings: Findings) -> list[str]:
    """Repair what `findings` (scanned with every example kept) found, through the backend's own
    paths; one line per action."""
    done: list[str] = []
    with backend_env(systems):
        _fix_events(systems, findings, done)
        _fix_parked(systems, findings, done)
        _fix_tasks(systems, findings, done)
        _fix_access(systems, findings, done)
        _fix_crm(systems, done)
        _run_due_tasks(systems, done)
    return done


def _fix_events(systems: Systems, findings: Findings, done: list[str]) -> None:
    from launchready.functions.backend.sweep import record_missing

    if findings.drift.get("event_not_stored"):
        for event_id in record_missing(systems.db, findings.stripe_events):
            done.append(f"recorded Stripe event {event_id} through the webhook path")


def _fix_parked(systems: Systems, findings: Findings, done: list[str]) -> None:
    """Replay the parked/dead events that can be linked now; dead-letter (and alert) the expired rest."""
    from launchready.functions.backend.replay import replay
    from launchready.functions.backend.stripe_shapes import parse
    from launchready.functions.backend.webhook import _resolve

    wanted = [s for s in _docs(systems, parking.STRIPE_EVENTS, findings, ("status", "in", ["parked", "dead"]))
              if (s.to_dict() or {}).get("status") == "dead" or float(s.get("dead_after") or 0) <= findings.until]
    for snap in wanted:
        event = parking.stored_event(snap.to_dict())
        uid, _ids = _resolve(systems.db, parse(event["type"], event["data"]["object"], event.get("api_version")),
                             event.get("api_version"))
        if uid is not None:
            outcome = replay(event["id"], db=systems.db)
            done.append(f"replayed {snap.get('status')} event {snap.id} ({event['type']}): {outcome.status} for {outcome.uid}")
    for event_id in parking.sweep(systems.db, findings.until, max_batches=10):
        done.append(f"dead-lettered parked event {event_id} (still unlinkable; alerted) - "
                    f"replay it with `python -m launchready.functions.backend.replay {event_id} --uid UID`")


def _fix_tasks(systems: Systems, findings: Findings, done: list[str]) -> None:
    """Dead tasks (the CRM outage, the failed ticket) back to pending; `_run_due_tasks` runs them."""
    if not (findings.drift.get("sync_dead") or findings.drift.get("support_without_ticket")):
        return
    for snap in _docs(systems, SYNC_TASKS, findings, ("status", "==", "dead")):
        if repair.requeue(systems.db, snap.id):
            done.append(f"re-enqueued dead sync task {snap.id}")


def _fix_access(systems: Systems, findings: Findings, done: list[str]) -> None:
    """Restore the fields the newest event owns (a hand edit undone), from the stored or re-fetched event."""
    from launchready.functions.backend.stripe_lookup import api_client

    events = {e["id"]: e for e in findings.stripe_events}
    for example in findings.drift.get("access_mismatch", Drift("")).examples:
        record = _db(systems).collection("customers").document(example["uid"]).get().to_dict() or {}
        owner = str((record.get("versions") or {}).get("plan_status", "")).partition(":")[2]
        event = events.get(owner) or (_fetch_event(api_client(STRIPE_API_VERSION), owner) if owner else None)
        restored = repair.restore(systems.db, example["uid"], event) if event else []
        if restored:
            done.append(f"restored {', '.join(restored)} of customers/{example['uid']} from event {owner}")


def _fetch_event(client: Any, event_id: str) -> dict[str, Any] | None:
    import stripe

    try:
        return client.v1.events.retrieve(event_id).to_dict()
    except stripe.StripeError:
        return None


def _fix_crm(systems: Systems, done: list[str]) -> None:
    """Contacts still missing or stale once the tasks above ran: a fresh sync task each."""
    _run_due_tasks(systems, done)
    again = Findings(systems.stack, systems.sandbox, 0, int(time.time()), examples=MAX_DOCS)
    _crm(systems, again, {s.id: s.to_dict() or {} for s in _docs(systems, "customers", again)})
    for kind in ("crm_missing", "crm_stale"):
        for example in again.drift.get(kind, Drift(kind)).examples:
            task = repair.resync(systems.db, example["uid"], "crm")
            done.append(f"enqueued CRM sync task {task} for customers/{example['uid']}")


def _run_due_tasks(systems: Systems, done: list[str]) -> None:
    """Run every due pending task once, as the worker would (a requeued task gets no new trigger)."""
    from launchready.functions.backend.sync.worker import RetrySync, run_task

    now = datetime.now(UTC)
    for snap in _db(systems).collection(SYNC_TASKS).where(
            filter=_field("status", "==", "pending")).limit(MAX_DOCS).get():
        target = (snap.to_dict() or {}).get("target") or ""   # no target: no system to wait for, as with None
        if not systems.has(target) or (snap.get("next_attempt_at") and snap.get("next_attempt_at") > now):
            continue
        try:
            status = run_task(snap.id, db=systems.db, settings=systems.sync)
        except RetrySync as exc:
            status = f"retry later ({exc})"
        done.append(f"ran sync task {snap.id}: {status}")


def _field(name: str, op: str, value: Any) -> Any:
    from google.cloud.firestore import FieldFilter
    return FieldFilter(name, op, value)
