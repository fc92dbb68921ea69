"""A realistic customer lifecycle driven through the running sandbox over real HTTP.

Sign-up, checkout, subscription updates delivered out of order and duplicated, a failed invoice, a
support request, and a CRM outage that recovers — each step states what it expects and checks it
against the emulator's data and the stand-ins' state, so the demo proves the plumbing, not just runs it.
"""
from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from launchready.rules.testing.tokens import unsigned_id_token
from launchready.sandbox import manager
from launchready.sandbox.client import Sandbox
from launchready.sandbox.stubs import stripe_events as se

Say = Callable[[str], None]


@dataclass
class Outcome:
    steps: list[tuple[str, bool, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(ok for _, ok, _ in self.steps)


def run(state: dict[str, Any], say: Say) -> Outcome:
    outcome = Outcome()

    def step(title: str, ok: bool, detail: str) -> None:
        outcome.steps.append((title, ok, detail))
        say(f"  {'✓' if ok else '✗'} {title}: {detail}")

    with httpx.Client(timeout=15) as http:
        box = Sandbox(state, http)
        uid, email = "u_" + secrets.token_hex(6), "ada@example.com"
        customer, sub_id = se.new_id("cus"), se.new_id("sub")
        t0 = int(time.time()) - 600

        # 1. sign-up (delivered twice, as the platform may)
        codes = [box.user_created(uid, email).status_code for _ in range(2)]
        record = box.doc(f"customers/{uid}") or {}
        step("sign-up", codes == [200, 200] and record.get("email") == email,
             f"on_user_created made customers/{uid} (plan {record.get('plan_status')}); redelivery kept one record")

        # 2. checkout, then subscription events out of order and duplicated, then a failed invoice
        team = se.subscription(uid, customer, "active", sub_id=sub_id, price="price_team_monthly",
                               support_tier="priority")
        pro = se.subscription(uid, customer, "active", sub_id=sub_id, price="price_pro_monthly")
        past_due = dict(team, status="past_due")
        created = se.event("customer.subscription.created", pro, created=t0 + 1)
        upgraded = se.event("customer.subscription.updated", team, created=t0 + 2)
        events = [
            se.event("checkout.session.completed", se.checkout_session(uid, customer, sub_id, email), created=t0),
            upgraded, upgraded, created,                       # newer first, duplicated, then the older one
            se.event("invoice.payment_failed", se.invoice(customer, sub_id, uid=uid, amount_paid=0), created=t0 + 3),
            se.event("customer.subscription.updated", past_due, created=t0 + 4),
        ]
        codes = [box.deliver(e).status_code for e in events]
        record = box.doc(f"customers/{uid}") or {}
        unique = {e["id"] for e in events}
        step("checkout + subscription", all(c == 200 for c in codes) and record.get("plan_id") == "price_team_monthly"
             and record.get("billing_provider_id") == customer,
             f"{len(events)} signed deliveries ({len(unique)} distinct, one duplicate, one out of order) -> "
             f"plan {record.get('plan_id')}, tier {record.get('support_tier')}; the late older event changed nothing")
        step("failed invoice", record.get("plan_status") == "past_due" and record.get("has_access") is True,
             f"invoice.payment_failed -> plan_status {record.get('plan_status')} (access kept while Stripe retries)")
        stored = len(box.collection("stripe_events"))
        bad = box.http.post(box.targets["webhook_url"], content=b'{"id":"evt_forged"}',
                            headers={"Stripe-Signature": "t=1,v1=deadbeef", "Content-Type": "application/json"})
        step("forged webhook", bad.status_code == 400 and len(box.collection("stripe_events")) == stored,
             f"a request with a bad signature got {bad.status_code} and wrote nothing")

        # 3. a support request, authenticated with an (emulator-style) Firebase ID token
        token = unsigned_id_token(box.targets["firestore_project"], uid, {"email": email, "email_verified": True})
        request = {"subject": "Charged twice?", "message": "My card was declined, then charged twice. I want a refund.",
                   "category": "billing"}
        anon = http.post(box.targets["request_support_url"], json=request).status_code
        made = http.post(box.targets["request_support_url"], json=request, headers={"Authorization": f"Bearer {token}"})
        body = made.json() if made.headers.get("content-type", "").startswith("application/json") else {}
        step("support request", anon == 401 and made.status_code == 201 and body.get("needs_human_review") is True,
             f"without a token {anon}; with one {made.status_code}, priority {body.get('priority')}, "
             f"needs_human_review {body.get('needs_human_review')}")

        # 4. the CRM is down for two calls, then recovers; the worker retries with backoff
        http.post(f"{box.targets['crm_api_base']}/_stub/faults", json={"path": "/crm/", "status": 503, "times": 2})
        counts = manager.drain(state)
        crm, desk = box.stub_state("crm"), box.stub_state("support")
        contact: dict[str, Any] = next((c for c in crm["contacts"] if c["properties"].get("email") == email), {})
        props = contact.get("properties", {})
        step("CRM outage recovers", counts.get("dead", 0) == 0 and not counts.get("pending") and bool(contact),
             f"2 calls answered 503, then retried: sync tasks {dict(sorted(counts.items()))}; "
             f"{state['function_env']['CRM_PROVIDER']} contact {contact.get('id')} plan_status {props.get('plan_status')}")
        step("support desk", len(desk["tickets"]) == 1 and any(u["email"] == email for u in desk["users"]),
             f"{state['function_env']['SUPPORT_PROVIDER']} user tagged "
             f"{next((u.get('tags') for u in desk['users'] if u['email'] == email), [])}, "
             f"{len(desk['tickets'])} ticket opened")

        # 5. a payment Stripe sent that never arrived: `reconcile` finds it and replays it through the webhook path
        step("reconcile", *_missed_payment(box, se.event("invoice.paid", se.invoice(customer, sub_id, uid=uid,
                                                                                    amount_paid=4900), created=t0 + 5)))
    return outcome


def _missed_payment(box: Sandbox, paid: dict[str, Any]) -> tuple[bool, str]:
    from launchready.triage import reconcile
    from launchready.triage.systems import from_state

    box.http.post(f"{box.targets['stripe_api_base']}/_stub/events", json=paid).raise_for_status()
    systems = from_state(box.state, "dev")
    found = reconcile.scan(systems, examples=reconcile.MAX_DOCS)
    fixes = reconcile.fix(systems, found) if found.total else []
    after = reconcile.scan(systems)
    uid = paid["data"]["object"]["subscription_details"]["metadata"]["firebase_uid"]
    record = box.doc(f"customers/{uid}") or {}
    missing = [e["event"] for e in found.drift.get("event_not_stored", reconcile.Drift("")).examples]
    return (found.total == 1 and missing == [paid["id"]] and after.total == 0 and record.get("plan_status") == "active",
            f"found {found.total} drift (invoice.paid {paid['id']} never delivered); --fix made {len(fixes)} "
            f"repair(s) -> plan_status {record.get('plan_status')}; a second pass finds {after.total}")
