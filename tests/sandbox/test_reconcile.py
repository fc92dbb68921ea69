"""`launchready reconcile --sandbox` against real drift injected into a running sandbox (emulator,
functions-framework, Stripe/CRM/support stand-ins): each class reported with the right example,
`--fix` repairs everything through the backend's own paths, and a second `--fix` changes nothing."""
from __future__ import annotations

import json
import secrets
import time

import httpx
import pytest

from launchready.functions.backend.store import client_for
from launchready.rules.testing.tokens import unsigned_id_token
from launchready.sandbox import manager
from launchready.sandbox.client import Sandbox
from launchready.sandbox.stubs import stripe_events as se
from launchready.sandbox.sweeper import tick
from tests.sandbox.conftest import cli, state


def _uid(name: str) -> str:
    return f"{name}_{secrets.token_hex(4)}"


class Shop:
    """A boat-rental app's customers, driven through the sandbox as Stripe and the app would."""

    def __init__(self, running: dict, http: httpx.Client):
        self.box, self.http, self.targets = Sandbox(running, http), http, running["targets"]
        self.state = running
        self.t0 = int(time.time()) - 3600

    def stripe(self, path: str, body: dict) -> None:
        assert self.http.post(f"{self.targets['stripe_api_base']}/_stub/{path}", json=body).status_code == 200

    def sent(self, evt: dict, deliver: bool = True) -> dict:
        """Stripe sent `evt` (listed by /v1/events); delivered to the webhook unless told otherwise."""
        self.stripe("events", evt)
        if deliver:
            assert self.box.deliver(evt).status_code == 200
        return evt

    def subscriber(self, name: str, status: str = "active") -> tuple[str, str, str]:
        uid, cus, sub = _uid(name), se.new_id("cus"), se.new_id("sub")
        assert self.box.user_created(uid, f"{uid}@fjordboats.example").status_code == 200
        self.stripe("objects", se.subscription(uid, cus, status, sub_id=sub, price="price_skipper_yearly"))
        self.sent(se.event("checkout.session.completed", se.checkout_session(uid, cus, sub), created=self.t0))
        self.sent(se.event("customer.subscription.created", se.subscription(uid, cus, "active", sub_id=sub,
                                                                             price="price_skipper_yearly"),
                           created=self.t0 + 10))
        return uid, cus, sub

    def fault(self, name: str, path: str, times=None) -> None:
        self.http.post(f"{self.targets[name + '_api_base']}/_stub/faults", json={"path": path, "status": 503, "times": times})

    def clear(self, name: str) -> None:
        self.http.delete(f"{self.targets[name + '_api_base']}/_stub/faults")


def reconcile(*args: str) -> tuple[int, dict]:
    run = cli("reconcile", "--stack", "dev", "--sandbox", "--format", "json", *args, timeout=180)
    assert run.returncode in (0, 1), run.stderr
    return run.returncode, json.loads(run.stdout)


def _snapshot(db, targets, http) -> dict:
    data = {name: {s.id: s.to_dict() for s in db.collection(name).get()}
            for name in ("customers", "stripe_events", "sync_tasks", "support_requests", "stripe_links")}
    data["crm"] = http.get(f"{targets['crm_api_base']}/_stub/state").json()
    data["desk"] = http.get(f"{targets['support_api_base']}/_stub/state").json()
    return json.loads(json.dumps(data, default=str, sort_keys=True))


@pytest.fixture
def shop(sandbox_dir):
    up = cli("sandbox", "up", "--stack", "dev", env={"LAUNCHREADY_SANDBOX_SWEEP_SECONDS": "3600"})
    assert up.returncode == 0, up.stderr
    with httpx.Client(timeout=30) as http:
        yield Shop(state(sandbox_dir), http)


def test_reconcile_reports_each_drift_then_fix_repairs_it_and_a_second_fix_changes_nothing(shop):
    targets = shop.targets
    db = client_for(targets["firestore_project"], targets["firestore_emulator_host"])
    healthy = shop.subscriber("harbourmaster")
    missed_uid, missed_cus, missed_sub = shop.subscriber("late_canceller")
    edited_uid, edited_cus, edited_sub = shop.subscriber("hand_edited")
    shop.stripe("objects", se.subscription(edited_uid, edited_cus, "canceled", sub_id=edited_sub))
    shop.sent(se.event("customer.subscription.deleted", se.subscription(edited_uid, edited_cus, "canceled",
                                                                        sub_id=edited_sub), created=shop.t0 + 20))
    # 1. an event Stripe sent that never arrived: the cancellation
    shop.stripe("objects", se.subscription(missed_uid, missed_cus, "canceled", sub_id=missed_sub))
    missed = shop.sent(se.event("customer.subscription.updated", se.subscription(
        missed_uid, missed_cus, "canceled", sub_id=missed_sub), created=shop.t0 + 30), deliver=False)
    assert manager.drain(shop.state).get("dead", 0) == 0
    # 2. a CRM outage past its retries
    shop.fault("crm", "/crm/")
    outage_uid = shop.subscriber("outage_rider")[0]
    assert manager.drain(shop.state).get("dead") == 2          # its checkout's and its subscription's CRM task
    shop.clear("crm")
    # 3. a customer whose access was changed by hand in the console
    db.collection("customers").document(edited_uid).update({"plan_status": "active", "has_access": True})
    # 4. a refund parked (its customer unknown then), now past its bound; Stripe can link it today
    refund_uid, refund_cus = _uid("refunded"), se.new_id("cus")
    assert shop.box.user_created(refund_uid, f"{refund_uid}@fjordboats.example").status_code == 200
    charge = se.charge(refund_cus)
    refund = shop.sent(se.event("charge.refunded", charge, created=shop.t0 + 40))
    assert db.collection("stripe_events").document(refund["id"]).get().get("status") == "parked"
    db.collection("stripe_events").document(refund["id"]).update({"dead_after": time.time() - 60})
    shop.stripe("objects", {"id": refund_cus, "object": "customer", "metadata": {"firebase_uid": refund_uid}})
    shop.stripe("objects", charge)
    # 5. a support request whose ticket failed
    shop.fault("support", "/api/v2/tickets")
    token = unsigned_id_token(targets["firestore_project"], healthy[0],
                              {"email": f"{healthy[0]}@fjordboats.example", "email_verified": True})
    asked = shop.http.post(targets["request_support_url"], headers={"Authorization": f"Bearer {token}"},
                           json={"subject": "Mooring invoice", "message": "Invoice 77 lists the wrong berth.",
                                 "category": "billing"})
    assert asked.status_code == 201
    assert manager.drain(shop.state).get("dead") == 3          # the CRM tasks above and the ticket
    shop.clear("support")

    code, found = reconcile()
    assert code == 1
    drift = {d["kind"]: d for d in found["drift"]}
    assert [e["event"] for e in drift["event_not_stored"]["examples"]] == [missed["id"]]
    assert {e["uid"] for e in drift["access_mismatch"]["examples"]} == {missed_uid, edited_uid}
    edited = next(e for e in drift["access_mismatch"]["examples"] if e["uid"] == edited_uid)
    assert edited["firestore"] == {"plan_status": "active", "has_access": True}
    assert edited["stripe"]["status"] == "canceled"
    assert [e["uid"] for e in drift["crm_missing"]["examples"]] == [outage_uid]
    assert drift["sync_dead"]["count"] == 3
    assert [e["event"] for e in drift["parked_expired"]["examples"]] == [refund["id"]]
    assert [e["request"] for e in drift["support_without_ticket"]["examples"]] == [asked.json()["id"]]
    assert "event_dead" not in drift and not found["skipped"]

    code, fixed = reconcile("--fix")
    assert code == 0 and fixed["total"] == 0, fixed
    assert any(missed["id"] in f for f in fixed["fixes"]) and any(refund["id"] in f for f in fixed["fixes"])
    customers = {uid: db.collection("customers").document(uid).get().to_dict() for uid in
                 (missed_uid, edited_uid, refund_uid)}
    assert {uid: (c["plan_status"], c["has_access"]) for uid, c in customers.items()} == {
        missed_uid: ("canceled", False), edited_uid: ("canceled", False), refund_uid: ("canceled", False)}
    desk = shop.http.get(f"{targets['support_api_base']}/_stub/state").json()
    assert [t["subject"] for t in desk["tickets"]] == ["Mooring invoice"]

    code, clean = reconcile()
    assert code == 0 and clean["total"] == 0 and not clean["fixes"]
    before = _snapshot(db, targets, shop.http)
    code, again = reconcile("--fix")
    assert (code, again["fixes"], again["total"]) == (0, [], 0)
    assert _snapshot(db, targets, shop.http) == before

    # the scheduled sweep is the same function: it answers and has nothing left to do
    assert tick(targets["sweep_url"], shop.http).startswith('sweep 200: {"parked_dead_lettered": []')


def test_missing_credentials_skip_with_the_reason_and_fail_unless_partial_is_allowed(tmp_path):
    env = {"STRIPE_SECRET_KEY": "", "CRM_API_TOKEN": "", "SUPPORT_API_TOKEN": "",
           "GOOGLE_APPLICATION_CREDENTIALS": str(tmp_path / "none.json"), "LAUNCHREADY_SANDBOX_DIR": str(tmp_path)}
    run = cli("reconcile", "--stack", "staging", env=env)
    assert run.returncode == 1 and "skipped all comparisons: no Google credentials" in run.stdout
    assert "Traceback" not in run.stderr
    assert cli("reconcile", "--stack", "staging", "--allow-partial", env=env).returncode == 0
    bad = cli("reconcile", "--stack", "staging", "--since", "next tuesday", env=env)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "--since" in bad.stderr
    none = cli("reconcile", "--stack", "dev", "--sandbox", env=env)
    assert none.returncode == 2 and "no local sandbox is running" in none.stderr
