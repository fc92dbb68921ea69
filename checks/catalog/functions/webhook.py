"""functions.webhook.*: the Stripe webhook handler's contract.

`contract` runs the real handler in-process against a Firestore emulator — the sandbox's when
`--sandbox` names one, else a private one started (and stopped) here — in an isolated `demo-*`
project, so it never touches a real project. A pass on a private emulator is remembered on disk
(`build/check-cache/`) under a digest of everything the verdict depends on — the backend's sources,
this check, the SDK versions and the emulator JAR — so an unchanged re-run skips the JVM start-up;
any change (and `LAUNCHREADY_PLAN_CACHE=0`) runs it again. Failures are never remembered. `events_match_plan` compares the handler's event list
with the endpoint's `enabled_events` in the offline plan.
"""
from __future__ import annotations

import hashlib
import json
import secrets
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from launchready.checks.framework import Severity, register
from launchready.checks.framework.base import Check, Status
from launchready.functions.backend.events import HANDLED_EVENTS, endpoint_events
from launchready.infra import plan_cache

COLLECTIONS = ("stripe_events", "customers", "sync_tasks")
CONTRACT_FIX = ("Keep functions/backend/webhook.py verifying `Stripe-Signature` with the stripe SDK (300 s "
                "tolerance) before any write, and recording `stripe_events/{event.id}` in the same transaction "
                "that applies the event; run `pytest tests/functions` to see the failing case.")

CACHE_DIR = Path("check-cache")    # under the project's build/ dir
VERDICT_PACKAGES = ("stripe", "google-cloud-firestore", "firebase-admin", "werkzeug", "launchready")


def verdict_key() -> str:
    """A digest of what a private-emulator contract verdict depends on."""
    from launchready.functions.backend import __file__ as backend_init
    from launchready.infra.plan import source_digest
    from launchready.runtime.firestore_emulator import find_jar
    from launchready.sandbox.stubs import stripe_events

    jar = find_jar()
    versions = {}
    for name in VERDICT_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "absent"
    jar_id = [str(jar), jar.stat().st_size, jar.stat().st_mtime_ns] if jar else None
    sources = source_digest([Path(backend_init).parent, Path(__file__), Path(stripe_events.__file__)])
    return hashlib.sha256(json.dumps(["webhook-contract", versions, jar_id, sources],
                                     sort_keys=True).encode()).hexdigest()


class _Harness:
    """Calls `backend.webhook.handle` the way functions-framework would, on one isolated project."""

    def __init__(self, emulator_host: str):
        from launchready.functions.backend.store import client_for

        self.secret = "whsec_check_" + secrets.token_hex(16)
        self.db = client_for(f"demo-launchready-check-{secrets.token_hex(4)}", emulator_host)

    def post(self, body: bytes, headers: dict[str, str], method: str = "POST") -> tuple[int, dict[str, Any]]:
        from werkzeug.datastructures import Headers
        from werkzeug.test import EnvironBuilder

        from launchready.functions.backend.logs import captured
        from launchready.functions.backend.webhook import handle

        request = EnvironBuilder(method=method, data=body, headers=Headers(headers)).get_request()
        try:
            with captured():  # the handler's alert lines (rejected events) are not the CLI's output
                payload, status, _ = handle(request, self.secret, self.db)
        except Exception as exc:  # noqa: BLE001 - functions-framework answers a crash with 500; so do we
            return 500, {"error": f"{type(exc).__name__}: {exc}"}
        return status, payload

    def counts(self) -> dict[str, int]:
        return {name: len(self.db.collection(name).get()) for name in COLLECTIONS}


def _clauses(h: _Harness) -> dict[str, Callable[[], str | None]]:
    """Each clause returns None when it holds, else what went wrong."""
    from launchready.sandbox.stubs import stripe_events as se

    evt = se.event("customer.subscription.updated", se.subscription("check_user", "cus_check", "active"))
    body, headers = se.signed(evt, h.secret)

    def rejected(name: str, body: bytes, headers: dict[str, str], method: str = "POST", want: int = 400):
        def clause() -> str | None:
            before = h.counts()
            status, _ = h.post(body, headers, method)
            if status != want:
                return f"{name}: HTTP {status}, expected {want}"
            return None if h.counts() == before else f"{name}: rejected but wrote documents"
        return clause

    def replay() -> str | None:
        before = h.counts()
        statuses = [h.post(body, headers)[1].get("status") for _ in range(3)]
        added = {name: count - before[name] for name, count in h.counts().items()}
        if statuses != ["applied", "duplicate", "duplicate"]:
            return f"replay: statuses {statuses}, expected applied then duplicates"
        if added["stripe_events"] != 1 or added["sync_tasks"] != 2:
            return f"replay: {added['stripe_events']} event records and {added['sync_tasks']} sync tasks, expected 1 and 2"
        return None

    def poison(name: str, payload: bytes) -> Callable[[], str | None]:
        """Signed but unapplicable: 200 (a 4xx/5xx makes Stripe retry for days), one `rejected` record."""
        def clause() -> str | None:
            before = h.counts()
            status, answer = h.post(payload, {"Stripe-Signature": se.signature(payload, h.secret)})
            added = {k: v - before[k] for k, v in h.counts().items()}
            if (status, answer.get("status")) != (200, "rejected"):
                return f"{name}: HTTP {status} {answer.get('status')!r}, expected 200 'rejected'"
            return None if added["stripe_events"] == 1 and added["sync_tasks"] == 0 else \
                f"{name}: wrote {added}, expected one rejected event record"
        return clause

    def unhandled() -> str | None:
        other, other_headers = se.signed(se.event("customer.created", {"id": "cus_x", "object": "customer"}), h.secret)
        status, payload = h.post(other, other_headers)
        return None if (status, payload.get("status")) == (200, "ignored") else \
            f"unhandled type: HTTP {status} {payload.get('status')!r}, expected 200 'ignored'"

    unsigned = {k: v for k, v in headers.items() if k != "Stripe-Signature"}
    expired = se.signed(evt, h.secret, timestamp=int(time.time()) - 301)
    malformed = b"{not json"
    poisoned = se.encode(se.event("invoice.paid", {**se.invoice("cus_check", "sub_check"), "amount_paid": "19.00"}))
    return {
        "rejects_unsigned": rejected("unsigned", body, unsigned),
        "rejects_tampered": rejected("tampered", body.replace(b'"active"', b'"canceled"'), headers),
        "rejects_wrong_secret": rejected("wrong secret", *se.signed(evt, "whsec_not_the_endpoint_secret")),
        "rejects_expired": rejected("expired", *expired),
        "records_malformed_as_rejected": poison("malformed", malformed),
        "records_poison_as_rejected": poison("amount as string", poisoned),
        "rejects_other_methods": rejected("GET", b"", {}, method="GET", want=405),
        "idempotent_on_replay": replay,
        "acknowledges_unhandled": unhandled,
    }


@register
class WebhookContract(Check):
    id = "functions.webhook.contract"
    applies_to = ("stripe", "launchready_backend")
    title = ("The webhook handler refuses unsigned, tampered and expired payloads, records signed but unapplicable "
             "ones as rejected (200), and is idempotent on replay")
    severity = Severity.CRITICAL
    remediation = CONTRACT_FIX

    def run(self, ctx):
        from launchready.runtime.firestore_emulator import FirestoreEmulator, unavailable_reason
        from launchready.runtime.processes import ServiceError

        host = ctx.targets.firestore_emulator_host if ctx.options.sandbox else None
        if host:
            return self.judge(_Harness(host), "sandbox")
        reason = unavailable_reason()
        if reason:
            return self.skipped(f"Firestore emulator unavailable: {reason}")
        cache_dir, key = ctx.project.build_dir / CACHE_DIR, verdict_key()
        remembered = plan_cache.load(cache_dir, key, dict)
        if remembered is not None:
            return self.passed(remembered["message"], {**remembered["evidence"], "remembered_from": remembered["at"]})
        own = FirestoreEmulator(log_dir=Path(tempfile.mkdtemp(prefix="launchready-functions-check-")))
        try:
            host = own.start().host
        except ServiceError as exc:
            return self.skipped(f"Firestore emulator did not start: {exc}")
        try:
            result = self.judge(_Harness(host), "private")
        finally:
            own.stop()
        if result.status is Status.PASS:
            plan_cache.store(cache_dir, key, {"message": result.message, "evidence": result.evidence,
                                              "at": datetime.now(UTC).isoformat(timespec="seconds")})
        return result

    def judge(self, harness: _Harness, emulator: str):
        outcomes = {name: clause() for name, clause in _clauses(harness).items()}
        evidence = {"emulator": emulator, "clauses": {k: v or "holds" for k, v in outcomes.items()}}
        broken = [v for v in outcomes.values() if v]
        if broken:
            return self.failed(f"{len(broken)} of {len(outcomes)} webhook contract clauses broken: "
                               + "; ".join(broken), evidence)
        return self.passed(f"all {len(outcomes)} webhook contract clauses hold", evidence)


def endpoint_resources(plan: Any) -> list[Any]:
    """Planned resources that are Stripe webhook endpoints (they carry `enabled_events`)."""
    return [r for r in plan.resources if isinstance(r.inputs, dict) and "enabled_events" in r.inputs]


@register
class HandledEventsMatchPlan(Check):
    id = "functions.webhook.events_match_plan"
    applies_to = ("stripe", "launchready_backend")
    needs = ("plan",)
    title = "The handler's event list equals the Stripe endpoint's enabled_events in the plan"
    severity = Severity.HIGH
    remediation = ("Both sides read backend.events.HANDLED_EVENTS: pass `enabled_events=endpoint_events(version)` to "
                   "the endpoint in the infra program instead of a hand-written list (and never `*`).")

    def run(self, ctx):
        try:
            plan = ctx.plan
        except Exception as exc:  # noqa: BLE001 - any failure to plan means "cannot compare", not a finding here
            return self.skipped(f"the offline plan cannot be built ({type(exc).__name__}: {exc}); "
                                "see the infra.* checks")
        return self.compare(plan)

    def compare(self, plan: Any):
        endpoints = endpoint_resources(plan)
        if not endpoints:
            return self.failed("the plan has no Stripe webhook endpoint (no resource with enabled_events)",
                               {"handled_events": list(HANDLED_EVENTS)},
                               remediation="Declare the Stripe webhook endpoint in the infra program.")
        results = []
        for endpoint in endpoints:
            handled = set(endpoint_events(endpoint.inputs.get("api_version")))   # what exists in its version
            enabled = set(endpoint.inputs.get("enabled_events") or [])
            evidence = {"resource": endpoint.name, "handled_events": sorted(handled),
                        "enabled_events": sorted(enabled)}
            if enabled == handled:
                results.append(self.passed(f"{endpoint.name}: enabled_events equals the handled list "
                                           f"({len(handled)} types)", evidence))
                continue
            evidence |= {"not_sent_by_stripe": sorted(handled - enabled),
                         "sent_but_not_handled": sorted(enabled - handled)}
            results.append(self.failed(
                f"{endpoint.name}: enabled_events differs from the handled list — Stripe will not send "
                f"{sorted(handled - enabled) or 'nothing missing'}; it sends unhandled "
                f"{sorted(enabled - handled) or 'nothing extra'}", evidence))
        return results
