"""`launchready smoke --sandbox`: every acceptance criterion passes on a healthy sandbox and leaves no
test data; a broken backend (webhook secret rotated in Stripe only, CRM down) fails exactly the
criteria it breaks, with evidence; prod and live keys are refused."""
from __future__ import annotations

import json

import httpx
import pytest

from tests.sandbox.conftest import REPO, cli, state

CRITERIA = {"smoke.signup.one_record", "smoke.payment.status", "smoke.crm.one_update_per_event",
            "smoke.refund.access", "smoke.support.authenticated_only", "smoke.billing.unauthorised_read",
            "smoke.functions.p95", "smoke.functions.error_rate", "smoke.cleanup.no_test_data"}


def smoke() -> tuple[int, dict]:
    run = cli("smoke", "--stack", "dev", "--sandbox", "--format", "json", timeout=240)
    assert run.returncode in (0, 1), run.stderr
    return run.returncode, {r["id"]: r for r in json.loads(run.stdout)["results"]}


def _failing(results: dict) -> set[str]:
    return {i for i, r in results.items() if r["status"] != "pass"}


@pytest.fixture
def running(sandbox_dir):
    up = cli("sandbox", "up", "--stack", "dev", env={"LAUNCHREADY_SANDBOX_SWEEP_SECONDS": "3600"})
    assert up.returncode == 0, up.stderr
    return sandbox_dir


def _leftovers(targets: dict) -> dict:
    with httpx.Client(timeout=10) as http:
        base = f"http://{targets['firestore_emulator_host']}/v1/projects/{targets['firestore_project']}/databases/(default)/documents"
        docs = {name: http.get(f"{base}/{name}", headers={"Authorization": "Bearer owner"}).json().get("documents", [])
                for name in ("customers", "stripe_events", "sync_tasks", "support_requests", "stripe_links", "rate_limits")}
        crm = http.get(f"{targets['crm_api_base']}/_stub/state").json()
        desk = http.get(f"{targets['support_api_base']}/_stub/state").json()
        auth = http.get(f"{targets['identity_toolkit_api_base']}/_stub/state").json()
    return {**{k: v for k, v in docs.items() if v}, **{f"crm {k}": v for k, v in crm.items() if v},
            **{f"desk {k}": v for k, v in desk.items() if v}, **{f"auth {k}": v for k, v in auth.items() if v}}


def test_a_healthy_sandbox_passes_every_criterion_and_keeps_nothing(running):
    code, results = smoke()
    assert set(results) == CRITERIA
    # latency is measured, never asserted (the machine is shared): every other criterion must hold
    failing = _failing(results) - {"smoke.functions.p95"}
    assert not failing and code == (1 if _failing(results) else 0), {i: results[i]["message"] for i in failing}
    assert results["smoke.functions.p95"]["evidence"]["p95_ms"] > 0
    assert results["smoke.billing.unauthorised_read"]["evidence"] == {"intruder_status": 403, "owner_status": 200}
    assert results["smoke.support.authenticated_only"]["evidence"]["statuses"] == [401, 403, 201]
    assert _leftovers(state(running)["targets"]) == {}


def test_a_broken_backend_fails_the_criteria_it_breaks_with_evidence(running):
    saved = json.loads((running / "state.json").read_text())
    rotated = {**saved, "local": {**saved["local"], "stripe_webhook_secret": "whsec_rotated_in_stripe_only_0001"}}
    (running / "state.json").write_text(json.dumps(rotated))
    code, results = smoke()
    assert code == 1
    assert _failing(results) - {"smoke.functions.p95"} == {"smoke.payment.status", "smoke.refund.access",
                                                           "smoke.crm.one_update_per_event"}
    payment = results["smoke.payment.status"]["evidence"]
    assert payment["webhook_statuses"] == [400, 400, 400] and "signature" in payment["webhook_errors"][0]
    assert results["smoke.payment.status"]["remediation"]

    (running / "state.json").write_text(json.dumps(saved))
    httpx.post(f"{saved['targets']['crm_api_base']}/_stub/faults", json={"path": "/crm/", "status": 503, "times": None})
    code, results = smoke()
    assert code == 1
    # the CRM cannot be cleaned up or checked while it is down: said, not assumed
    assert _failing(results) - {"smoke.functions.p95"} == {"smoke.crm.one_update_per_event", "smoke.cleanup.no_test_data"}
    crm = results["smoke.crm.one_update_per_event"]["evidence"]
    assert crm["not_done"] and all("503" in error for error in crm["not_done"].values()) and "503" in crm["crm"]
    assert all("CRM" in item or "not cleaned up" in item for item in results["smoke.cleanup.no_test_data"]["evidence"]["left"])
    httpx.delete(f"{saved['targets']['crm_api_base']}/_stub/faults")
    assert _leftovers(saved["targets"]) == {}


def test_prod_needs_allow_prod_and_deployed_stacks_say_what_is_missing(tmp_path):
    env = {"LAUNCHREADY_SANDBOX_DIR": str(tmp_path), "GOOGLE_APPLICATION_CREDENTIALS": str(tmp_path / "none.json")}
    prod = cli("smoke", "--stack", "prod", "--sandbox", env=env)
    assert prod.returncode == 2 and "--allow-prod" in prod.stderr and prod.stderr.count("\n") == 1
    live = cli("smoke", "--stack", "prod", "--allow-prod", env=env)
    assert live.returncode == 2 and "live mode" in live.stderr
    deployed = cli("smoke", "--stack", "dev", env=env)
    assert deployed.returncode == 2 and deployed.stderr.count("\n") == 1
    assert "Google credentials" in deployed.stderr and "CRM_API_TOKEN" in deployed.stderr


def test_an_app_with_its_own_backend_is_not_smoked_against_ours(tmp_path):
    """The criteria drive launchready's backend: a founder's own backend is said, not failed."""
    import shutil

    import yaml

    shutil.copytree(REPO / "stacks", tmp_path / "stacks")
    shutil.copy(REPO / "Pulumi.yaml", tmp_path / "Pulumi.yaml")
    stack = tmp_path / "stacks" / "Pulumi.dev.yaml"
    data = yaml.safe_load(stack.read_text())
    data["config"]["launchready:backend"] = "own"
    stack.write_text(yaml.safe_dump(data))
    run = cli("--project-dir", str(tmp_path), "smoke", "--stack", "dev")
    assert run.returncode == 2 and run.stderr.count("\n") == 1 and "launchready:backend: own" in run.stderr
