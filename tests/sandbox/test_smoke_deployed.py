"""`launchready smoke --stack S` against a deployed stack, played by the running sandbox behind the
public APIs a deployed stack answers on: Identity Toolkit sign-ups with the Web API key (the sign-up
trigger makes the record), Firestore's REST API with the users' own ID tokens, the webhook signing secret
read from Secret Manager, the stack outputs' URLs, and the sync worker run by the platform (here a
thread standing in for Eventarc) rather than by smoke itself."""
from __future__ import annotations

import json
import threading
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from launchready.sandbox.stubs.google_admin_apis import GoogleAdminApisStub, GoogleAdminState
from tests.sandbox.conftest import REPO, cli, state
from tests.sandbox.test_smoke import CRITERIA, _failing, _leftovers

TOKEN = "ya29.smoke-operator"


def _stack_file(folder: Path, targets: dict) -> Path:
    """The dev stack as deployed to the emulator's project, its CRM and desk at the stand-ins."""
    data = yaml.safe_load((REPO / "stacks" / "Pulumi.dev.yaml").read_text())
    config = data["config"]
    config["gcp:project"] = config["launchready:gcp"]["projectId"] = targets["firestore_project"]
    config["launchready:crm"]["apiBase"] = targets["crm_api_base"]
    config["launchready:support"]["apiBase"] = targets["support_api_base"]
    folder.mkdir()
    (folder / "Pulumi.dev.yaml").write_text(yaml.safe_dump(data))
    return folder


def _outputs(path: Path, targets: dict, **changes) -> Path:
    outputs = {"project_id": targets["firestore_project"], "webhook_url": targets["webhook_url"],
               "function_urls": {"request-support": targets["request_support_url"]},
               "firebase_apps": {"web": {"apiKey": targets["web_api_key"], "appId": "1:1:web:1"}}, **changes}
    path.write_text(json.dumps(outputs))
    return path


class Eventarc:
    """The platform's part: deliver new sync tasks to the worker (the sandbox has no Eventarc)."""

    def __init__(self, running: dict):
        from launchready.functions.backend.sync.worker import drain
        from launchready.triage.systems import from_state

        systems = from_state(running, "dev")
        settings = replace(systems.sync, backoff_seconds=0.2, http_timeout_seconds=2.0)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._loop, args=(drain, systems.db, settings), daemon=True)

    def _loop(self, drain, db, settings) -> None:
        while not self.stop.wait(0.3):
            drain(db=db, settings=settings, timeout=10.0)

    def __enter__(self) -> Eventarc:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join(timeout=30)


@pytest.fixture
def deployed(sandbox_dir, tmp_path):
    up = cli("sandbox", "up", "--stack", "dev", env={"LAUNCHREADY_SANDBOX_SWEEP_SECONDS": "3600"})
    assert up.returncode == 0, up.stderr
    running = state(sandbox_dir)
    targets, env = running["targets"], running["function_env"]
    google = GoogleAdminState(tokens={TOKEN: "ops@example.com"},
                              secrets={targets["firestore_project"]: {
                                  "stripe-webhook-secret": running["local"]["stripe_webhook_secret"]}})
    with GoogleAdminApisStub(google) as apis:
        yield {
            "running": running, "google": google, "stacks": _stack_file(tmp_path / "stacks", targets),
            "outputs": _outputs(tmp_path / "outputs.json", targets),
            "env": {"GOOGLE_OAUTH_ACCESS_TOKEN": TOKEN, "LAUNCHREADY_SECRET_MANAGER_API_BASE": apis.base_url,
                    "LAUNCHREADY_IDENTITY_TOOLKIT_API_BASE": targets["identity_toolkit_api_base"],
                    "LAUNCHREADY_FIRESTORE_API_BASE": f"http://{targets['firestore_emulator_host']}",
                    "FIRESTORE_EMULATOR_HOST": targets["firestore_emulator_host"],
                    "LAUNCHREADY_STRIPE_API_BASE": targets["stripe_api_base"], "STRIPE_SECRET_KEY": targets["stripe_api_key"],
                    "CRM_API_TOKEN": env["CRM_API_TOKEN"], "SUPPORT_API_TOKEN": env["SUPPORT_API_TOKEN"]},
            "apis": apis,
        }


def smoke(deployed: dict, outputs: Path | None = None, **env: str):
    run = cli("smoke", "--stack", "dev", "--stacks-dir", str(deployed["stacks"]), "--outputs",
              str(outputs or deployed["outputs"]), "--format", "json", env={**deployed["env"], **env}, timeout=240)
    return run


def test_a_deployed_stack_passes_through_its_public_apis_and_keeps_nothing(deployed):
    with Eventarc(deployed["running"]):
        run = smoke(deployed)
    assert run.returncode in (0, 1), run.stderr
    results = {r["id"]: r for r in json.loads(run.stdout)["results"]}
    assert set(results) == CRITERIA
    failing = _failing(results) - {"smoke.functions.p95"}
    assert not failing, {i: results[i]["message"] for i in failing}
    # the owner's own token reads its record, another signed-up user's is refused by the rules
    assert results["smoke.billing.unauthorised_read"]["evidence"] == {"intruder_status": 403, "owner_status": 200}
    # no token 401, the new user's own token before its email is verified 403, then 201
    assert results["smoke.support.authenticated_only"]["evidence"]["statuses"] == [401, 403, 201]
    # the trigger (fired by the sign-up, not by smoke) made the record: no redelivery on a deployed stack
    assert "redelivery_statuses" not in results["smoke.signup.one_record"]["evidence"]
    # the signing secret came from Secret Manager and never reached the report
    secret = deployed["running"]["local"]["stripe_webhook_secret"]
    assert ("GET", f"/v1/projects/{deployed['running']['targets']['firestore_project']}/secrets/"
                   "stripe-webhook-secret/versions/latest:access") in deployed["apis"].calls
    assert secret not in run.stdout and secret not in run.stderr
    assert _leftovers(deployed["running"]["targets"]) == {}   # Auth users included


def test_a_broken_deployment_fails_the_criteria_it_breaks_and_leaves_nothing(deployed, tmp_path):
    # the secret in the environment wins over Secret Manager's: here one Stripe never signed with
    with Eventarc(deployed["running"]):
        run = smoke(deployed, STRIPE_WEBHOOK_SECRET="whsec_not_this_endpoints_secret_000")
    assert run.returncode == 1, run.stderr
    results = {r["id"]: r for r in json.loads(run.stdout)["results"]}
    assert _failing(results) - {"smoke.functions.p95"} == {"smoke.payment.status", "smoke.refund.access",
                                                           "smoke.crm.one_update_per_event"}
    assert results["smoke.payment.status"]["evidence"]["webhook_statuses"] == [400, 400, 400]
    assert _leftovers(deployed["running"]["targets"]) == {}

    # no test user can exist (a wrong Web API key; likewise email/password sign-in switched off)
    wrong_key = _outputs(tmp_path / "wrong.json", deployed["running"]["targets"],
                         firebase_apps={"web": {"apiKey": "AIzaSyWrongKeyForThisProject000000000"}})
    run = smoke(deployed, wrong_key)
    assert run.returncode == 1, run.stderr
    results = {r["id"]: r for r in json.loads(run.stdout)["results"]}
    assert _failing(results) == CRITERIA - {"smoke.cleanup.no_test_data"}
    assert results["smoke.cleanup.no_test_data"]["message"] == "nothing was created"
    assert all("API key not valid" in r["message"] for r in results.values() if r["status"] != "pass")
    assert _leftovers(deployed["running"]["targets"]) == {}


def test_missing_outputs_and_unreadable_secrets_are_one_clear_error(deployed, tmp_path):
    bare = _outputs(tmp_path / "bare.json", deployed["running"]["targets"], function_urls={}, firebase_apps={})
    run = smoke(deployed, bare)
    assert run.returncode == 2 and run.stderr.count("\n") == 1
    assert "function_urls.request-support" in run.stderr and "firebaseApps.web" in run.stderr

    broken = smoke(deployed, GOOGLE_OAUTH_ACCESS_TOKEN="", GOOGLE_APPLICATION_CREDENTIALS=str(tmp_path / "gone.json"))
    assert broken.returncode == 2 and broken.stderr.count("\n") == 1 and "Traceback" not in broken.stderr
    assert "Google credentials are broken" in broken.stderr and "STRIPE_WEBHOOK_SECRET" in broken.stderr

    deployed["google"].denied[TOKEN] = {"secretmanager"}
    run = smoke(deployed)
    assert run.returncode == 2 and run.stderr.count("\n") == 1 and "Traceback" not in run.stderr
    assert "stripe-webhook-secret" in run.stderr and "STRIPE_WEBHOOK_SECRET" in run.stderr
