"""`launchready smoke`: the launch acceptance criteria, run against a running environment in Stripe test
mode, each criterion one Result in the readiness report model (so CI gates on it like `check`).

Throw-away users sign up through the Identity Toolkit with the app's Web API key (so the deployed sign-up
trigger makes the customer record), one pays, files a support request, has the other try to read its
billing record, is refunded and cancelled; every function call is timed and counted. Everything the run
created (Auth users, Firestore documents, the CRM contact, the desk's user and ticket) is deleted at the
end, and the last criterion proves nothing is left. The Stripe side is played by signed test-mode
events, delivered to the webhook exactly as Stripe delivers them (Stripe's own delivery to the endpoint
is `check`'s stripe.endpoint.* checks). The same code runs against the sandbox and a deployed stack;
only the targets differ (smoke_targets.py).
"""
from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING, Any, cast

import httpx

from launchready.checks.framework.base import Result, Severity, Status
from launchready.checks.framework.report import Report
from launchready.functions.backend.rate_limit import limiter
from launchready.functions.backend.sync.providers.base import SyncError
from launchready.sandbox.stubs import stripe_events as se
from launchready.sandbox.stubs.auth_api import deliver_user_created
from launchready.triage.identity import AuthError, IdentityToolkit, User
from launchready.triage.smoke_targets import SmokeTargets
from launchready.triage.systems import Systems, backend_env

if TYPE_CHECKING:
    from google.cloud.firestore import Client

    from launchready.functions.backend.settings import SyncSettings
    from launchready.functions.backend.sync.providers.hubspot import HubSpotCrm

DEADLINE_SECONDS = 60.0          # "within 60 s" / "within a minute"
P95_LIMIT_SECONDS = 0.5
ERROR_RATE_LIMIT = 0.01
POLL_SECONDS = 0.2
REDELIVERIES = 3                 # each payment event delivered again this often (Stripe's retries)
COLLECTIONS_BY_UID = ("stripe_links", "sync_tasks", "support_requests")

CRITERIA: dict[str, tuple[str, Severity, str]] = {
    "smoke.signup.one_record": ("A sign-up makes exactly one customer record", Severity.CRITICAL,
                                "Check on_user_created's trigger and ensure_customer (idempotent create)."),
    "smoke.payment.status": ("A successful payment updates the subscription status within 60 s", Severity.CRITICAL,
                             "Check the webhook endpoint's signing secret and the stripe_webhook logs."),
    "smoke.crm.one_update_per_event": ("One CRM update per customer-changing event", Severity.HIGH,
                                       "Check the CRM token and sync_worker's dead letters (`launchready reconcile`)."),
    "smoke.refund.access": ("A refund or cancellation changes access within a minute", Severity.CRITICAL,
                            "Check that charge.refunded and customer.subscription.deleted reach the webhook."),
    "smoke.support.authenticated_only": ("Support tickets only after an authenticated action", Severity.HIGH,
                                         "request_support must refuse missing tokens (401) and unverified emails (403)."),
    "smoke.billing.unauthorised_read": ("Another user cannot read billing metadata", Severity.CRITICAL,
                                        "Firestore rules: customers/{uid} readable by its owner only."),
    "smoke.functions.p95": ("Function p95 latency under 500 ms", Severity.MEDIUM,
                            "Look at cold starts (min instances) and slow Firestore transactions."),
    "smoke.functions.error_rate": ("Function error rate under 1 %", Severity.HIGH,
                                   "Read the functions' ERROR logs for the failing calls."),
    "smoke.cleanup.no_test_data": ("The smoke run leaves no test data", Severity.MEDIUM,
                                   "Delete the listed documents/records by hand; report the leak."),
}
AUTH_REMEDIATION = ("Smoke signs test users up with email and password: enable that provider for this project "
                    "(Firebase console > Authentication > Sign-in method) and check the Web API key's restrictions.")


@dataclass
class Run:
    """What one smoke run did: its users, its calls (function, HTTP status or 0, seconds), its results."""

    systems: Systems
    targets: SmokeTargets
    http: httpx.Client
    auth: IdentityToolkit
    users: list[User] = field(default_factory=list)      # the paying user first, then the intruder
    customer: str = field(default_factory=lambda: se.new_id("cus"))
    subscription: str = field(default_factory=lambda: se.new_id("sub"))
    calls: list[tuple[str, int, float]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    results: list[Result] = field(default_factory=list)
    support_attempts: list[httpx.Response | None] = field(default_factory=list)

    @property
    def user(self) -> User:
        return self.users[0]

    @property
    def uid(self) -> str:
        return self.user.uid

    @property
    def email(self) -> str:
        return self.user.email

    @property
    def db(self) -> Client:
        assert self.systems.db is not None  # the smoke command refuses systems without Firestore
        return self.systems.db

    @property
    def sync(self) -> SyncSettings:
        assert self.systems.sync is not None  # likewise: connect() always sets the sync settings
        return self.systems.sync

    def timed(self, name: str, call: Callable[[], httpx.Response]) -> httpx.Response | None:
        started = time.monotonic()
        try:
            response = call()
        except httpx.HTTPError:
            self.calls.append((name, 0, time.monotonic() - started))
            return None
        self.calls.append((name, response.status_code, time.monotonic() - started))
        return response

    def deliver(self, event_type: str, obj: dict[str, Any]) -> httpx.Response | None:
        evt = se.event(event_type, obj, created=int(time.time()) - 300 + len(self.events))
        self.events.append(evt)
        return self.timed("stripe_webhook", partial(self.post_event, evt))

    def post_event(self, evt: dict[str, Any]) -> httpx.Response:
        body, headers = se.signed(evt, self.targets.webhook_secret)
        return self.http.post(self.targets.webhook_url, content=body, headers=headers)

    def customer_doc(self, uid: str | None = None) -> dict[str, Any]:
        return self.db.collection("customers").document(uid or self.uid).get().to_dict() or {}

    def record(self, check_id: str, ok: bool, message: str, evidence: dict[str, Any]) -> None:
        title, severity, remediation = CRITERIA[check_id]
        self.results.append(Result(check_id, title, severity, Status.PASS if ok else Status.FAIL, message,
                                   evidence, "" if ok else remediation, live=True, blocking=not ok,
                                   subject=self.systems.stack))


def by_uid(run: Run, collection: str, uid: str | None = None) -> list[Any]:
    from google.cloud.firestore import FieldFilter
    return list(run.db.collection(collection).where(filter=FieldFilter("uid", "==", uid or run.uid)).get())


def _wait(predicate: Callable[[], bool], deadline: float = DEADLINE_SECONDS) -> float | None:
    """Seconds until `predicate()` held, or None if it did not within `deadline`."""
    started = time.monotonic()
    while True:
        if predicate():
            return round(time.monotonic() - started, 2)
        if time.monotonic() - started > deadline:
            return None
        time.sleep(POLL_SECONDS)


def _delivered(run: Run, responses: list[httpx.Response | None]) -> tuple[bool, dict[str, Any]]:
    codes = [r.status_code if r is not None else 0 for r in responses]
    errors = sorted({(r.json().get("error") if r is not None and r.status_code != 200 and
                      r.headers.get("content-type", "").startswith("application/json") else None) or "" for r in responses} - {""})
    return all(c == 200 for c in codes), {"webhook_statuses": codes, **({"webhook_errors": errors} if errors else {})}


def sign_up(run: Run, label: str) -> tuple[User, float | None]:
    """A new Auth user (the trigger makes its customer record); seconds until the record exists."""
    user = run.auth.sign_up(label)
    run.users.append(user)
    return user, _wait(lambda: bool(run.customer_doc(user.uid)))


def signup(run: Run) -> None:
    user, took = sign_up(run, "smoke")
    statuses = []
    if run.targets.sign_up_url:   # Eventarc delivers at least once: a second delivery must change nothing
        again = run.timed("on_user_created", lambda: deliver_user_created(
            run.http, str(run.targets.sign_up_url), run.targets.project, user.uid, user.email))
        statuses.append(again.status_code if again is not None else 0)
    records = by_uid(run, "customers")
    ok = took is not None and len(records) == 1 and run.customer_doc().get("email") == run.email
    run.record("smoke.signup.one_record", ok,
               f"{len(records)} customer record(s) after the sign-up" + (" and a redelivery" if statuses else "")
               + ("" if took is not None else " (none within 60 s)"),
               {"uid": run.uid, "seconds": took, **({"redelivery_statuses": statuses} if statuses else {})})


def payment(run: Run) -> None:
    responses = [run.deliver("checkout.session.completed", se.checkout_session(run.uid, run.customer, run.subscription)),
                 run.deliver("customer.subscription.created", se.subscription(run.uid, run.customer, "active",
                                                                              sub_id=run.subscription)),
                 run.deliver("invoice.paid", se.invoice(run.customer, run.subscription, uid=run.uid))]
    delivered, evidence = _delivered(run, responses)
    took = _wait(lambda: run.customer_doc().get("plan_status") == "active") if delivered else None
    for evt in list(run.events) * REDELIVERIES:   # Stripe retries: each must be a cheap, harmless duplicate
        run.timed("stripe_webhook", partial(run.post_event, evt))
    status = run.customer_doc().get("plan_status")
    run.record("smoke.payment.status", took is not None,
               f"plan_status {status!r} {'after %.2f s' % took if took is not None else 'not active within 60 s'}",
               {**evidence, "seconds": took, "plan_status": status})


def refund(run: Run) -> None:
    responses = [run.deliver("charge.refunded", se.charge(run.customer)),
                 run.deliver("customer.subscription.deleted", se.subscription(run.uid, run.customer, "canceled",
                                                                              sub_id=run.subscription))]
    delivered, evidence = _delivered(run, responses)
    took = _wait(lambda: run.customer_doc().get("has_access") is False
                 and run.customer_doc().get("plan_status") == "canceled") if delivered else None
    doc = run.customer_doc()
    run.record("smoke.refund.access", took is not None,
               f"has_access {doc.get('has_access')!r}, plan_status {doc.get('plan_status')!r}"
               + (f" {took:.2f} s after the refund" if took is not None else " (access not revoked within a minute)"),
               {**evidence, "seconds": took})


def support(run: Run) -> httpx.Response | None:
    """No token, then the new user's own (email not verified), then after verifying (judged after the drain)."""
    body = {"subject": "Smoke test", "message": "launchready smoke: please ignore.", "category": "question"}

    def ask(token: str | None):
        headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
        return run.timed("request_support", lambda: run.http.post(run.targets.request_support_url, json=body,
                                                                  headers=headers))

    run.support_attempts += [ask(None), ask(run.user.id_token)]
    run.users[0] = run.auth.verify_email(run.user)
    return ask(run.user.id_token)


def judge_support(run: Run, made: httpx.Response | None) -> None:
    codes = [r.status_code if r is not None else 0 for r in run.support_attempts]
    requests = by_uid(run, "support_requests")
    tickets = [r.get("ticket_id") for r in requests if r.get("ticket_id")]
    ok = codes == [401, 403] and made is not None and made.status_code == 201 and len(requests) == 1 and len(tickets) == 1
    run.record("smoke.support.authenticated_only", ok,
               f"no token {codes[0]}, unverified email {codes[1]}, verified {made.status_code if made else 0}; "
               f"{len(requests)} request(s), {len(tickets)} ticket(s)",
               {"statuses": codes + [made.status_code if made else 0], "tickets": tickets})


def unauthorised_read(run: Run) -> None:
    """A second signed-up user reads the first one's customer record through Firestore's REST API."""
    intruder, _ = sign_up(run, "smoke-intruder")
    url = f"{run.targets.documents}/customers/{run.uid}"

    def read(user: User) -> int:
        return run.http.get(url, headers={"Authorization": f"Bearer {user.id_token}"}).status_code

    other, owner = read(intruder), read(run.user)
    run.record("smoke.billing.unauthorised_read", other == 403 and owner == 200,
               f"another user's read of customers/{{uid}}: {other}; the owner's: {owner}",
               {"intruder_status": other, "owner_status": owner})


def crm(run: Run, drained: dict[str, int]) -> None:
    from launchready.functions.backend.sync.providers import provider_for

    applied = [e["id"] for e in run.events
               if (run.db.collection("stripe_events").document(e["id"]).get().to_dict() or {}).get("changed")]
    tasks = [t.to_dict() for t in by_uid(run, "sync_tasks") if t.get("target") == "crm"]
    by_event = sorted(t["source"].rpartition("/")[2] for t in tasks)
    try:
        with provider_for("crm", run.sync) as client:
            # the "crm" target's adapter; HubSpot is the only one registered (providers.CRM_PROVIDERS)
            contact = cast("HubSpotCrm", client).read_contacts([run.email]).get(run.email, {})
    except SyncError as exc:
        contact = {"unreadable": str(exc)}
    ok = bool(applied) and by_event == sorted(applied) and all(t["status"] == "done" for t in tasks) \
        and contact.get("plan_status") == run.customer_doc().get("plan_status")
    failed = {t["source"]: t.get("last_error") for t in tasks if t["status"] != "done"}
    run.record("smoke.crm.one_update_per_event", ok,
               f"{len(tasks)} CRM task(s) for {len(applied)} customer-changing event(s); contact plan_status "
               f"{contact.get('plan_status')!r}", {"drained": drained, **({"not_done": failed} if failed else {}),
                                                   **({"crm": contact["unreadable"]} if "unreadable" in contact else {})})


def latency(run: Run) -> None:
    """p95 of warm calls (each function's first call is its cold start, reported apart) and error rate."""
    cold, warm = {}, []
    for name, _code, seconds in run.calls:
        if name in cold:
            warm.append(seconds)
        else:
            cold[name] = round(seconds * 1000, 1)
    warm.sort()
    p95 = warm[max(0, math.ceil(0.95 * len(warm)) - 1)] if warm else 0.0
    errors = [(name, code) for name, code, _ in run.calls if code == 0 or code >= 500]
    rate = len(errors) / len(run.calls) if run.calls else 0.0
    run.record("smoke.functions.p95", p95 < P95_LIMIT_SECONDS, f"p95 {p95 * 1000:.0f} ms over {len(warm)} warm calls",
               {"p95_ms": round(p95 * 1000, 1), "max_ms": round((warm[-1] if warm else 0) * 1000, 1),
                "cold_start_ms": cold})
    run.record("smoke.functions.error_rate", rate < ERROR_RATE_LIMIT,
               f"{len(errors)} of {len(run.calls)} calls failed ({rate:.1%})", {"errors": errors[:10]})


def cleanup(run: Run) -> None:
    """Delete everything the run created, then prove it is gone."""
    from launchready.functions.backend.docids import safe_id
    from launchready.functions.backend.sync.providers import provider_for

    db, problems = run.db, []
    docs = {user.uid: run.customer_doc(user.uid) for user in run.users}

    def crm(client: Any) -> None:
        for contact in client.read_contacts([user.email for user in run.users]).values():
            client.delete_contact(contact["id"])

    def desk(client: Any) -> None:
        for user in run.users:
            for request in by_uid(run, "support_requests", user.uid):
                if request.get("ticket_id"):
                    client.delete_ticket(request.get("ticket_id"))
            if docs[user.uid].get("support_user_id"):
                client.delete_user(docs[user.uid]["support_user_id"])

    for target, clean in (("crm", crm), ("support", desk)):   # one system down never stops the other's
        try:
            with provider_for(target, run.sync) as client:
                clean(client)
        except SyncError as exc:
            problems.append(f"not cleaned up: {exc}")
    for user in run.users:
        try:
            run.auth.delete(user)
        except AuthError as exc:
            problems.append(f"Auth user {user.uid} not deleted: {exc}")
    refs = [*(db.collection("stripe_events").document(safe_id(e["id"])) for e in run.events)]
    for uid in docs:
        refs += [db.collection("customers").document(uid), limiter(db, "support", uid),
                 *(snap.reference for name in COLLECTIONS_BY_UID for snap in by_uid(run, name, uid))]
    batch = db.batch()
    for ref in refs:
        batch.delete(ref)
    batch.commit()
    left = problems + leftovers(run)
    run.record("smoke.cleanup.no_test_data", not left, "nothing left" if not left else f"{len(left)} item(s) left",
               {"left": left[:20]})


def leftovers(run: Run) -> list[str]:
    from launchready.functions.backend.sync.providers import provider_for

    db, uids = run.db, [user.uid for user in run.users]
    left = [f"customers/{uid}" for uid in uids if run.customer_doc(uid)]
    left += [f"stripe_events/{e['id']}" for e in run.events if db.collection("stripe_events").document(e["id"]).get().exists]
    left += [f"{name}/{snap.id}" for uid in uids for name in COLLECTIONS_BY_UID for snap in by_uid(run, name, uid)]
    try:
        with provider_for("crm", run.sync) as client:
            found = cast("HubSpotCrm", client).read_contacts([user.email for user in run.users])
            left += [f"crm contact {c['id']}" for c in found.values()]
    except SyncError as exc:
        left.append(f"CRM contacts not verifiable: {exc}")
    return left


def run_smoke(systems: Systems, targets: SmokeTargets) -> Report:
    """Every criterion against the running environment; the sandbox's sync tasks are drained in-process,
    a deployed stack's by its own worker (Eventarc), which the run waits for."""
    started = datetime.now(UTC)
    clock = time.monotonic()
    drain = platform_drain if targets.deployed else sandbox_drain(systems)
    with httpx.Client(timeout=30) as http, backend_env(systems):
        run = Run(systems, targets, http, IdentityToolkit(http, targets.identity_toolkit, targets.api_key,
                                                          targets.project, targets.admin_token, targets.app_origin))
        try:
            signup(run)
            payment(run)
            made = support(run)
            unauthorised_read(run)
            refund(run)
            crm(run, drain(run))
            judge_support(run, made)
            latency(run)
        except AuthError as exc:   # no test user (e.g. email/password sign-in is off): say so, judge nothing else
            unjudged(run, str(exc))
        finally:
            if run.users:
                cleanup(run)
            else:
                run.record("smoke.cleanup.no_test_data", True, "nothing was created", {"left": []})
    return Report(systems.stack, started, time.monotonic() - clock, run.results,
                  blocking_severities=[s.value for s in Severity if s is not Severity.INFO], strict=True)


def unjudged(run: Run, reason: str) -> None:
    """The criteria not reached are failures with the Identity Toolkit's reason, never silently passed."""
    done = {r.check_id for r in run.results}
    for check_id in (c for c in CRITERIA if c not in done and c != "smoke.cleanup.no_test_data"):
        title, severity, _ = CRITERIA[check_id]
        run.results.append(Result(check_id, title, severity, Status.ERROR, f"not run: {reason}",
                                  {"auth": reason}, AUTH_REMEDIATION, live=True, blocking=True,
                                  subject=run.systems.stack))


def sandbox_drain(systems: Systems) -> Callable[[Run], dict[str, int]]:
    """The platform's redelivery of sync tasks, in-process with short backoff (the sandbox has no Eventarc)."""
    from launchready.functions.backend.sync.worker import drain

    assert systems.sync is not None  # sandbox systems (from_state) always hold the sync settings
    settings = replace(systems.sync, backoff_seconds=0.2, http_timeout_seconds=2.0)
    return lambda _run: drain(db=systems.db, settings=settings, timeout=30.0)


def platform_drain(run: Run) -> dict[str, int]:
    """Wait (bounded) until the deployed sync worker has settled the run's tasks: done or dead."""
    def counts() -> dict[str, int]:
        tasks = [t.get("status") for user in run.users for t in by_uid(run, "sync_tasks", user.uid)]
        return {status: tasks.count(status) for status in set(tasks)}

    _wait(lambda: set(counts()) <= {"done", "dead"})
    return counts()
