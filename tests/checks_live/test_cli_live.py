"""`launchready check` end to end, as CI runs it, with every live target pointed at local servers by
flags: Knot, the HTTPS/HTTP server, a webhook handler, the Stripe and Cloud Monitoring stand-ins."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from launchready.functions.backend.events import STRIPE_API_VERSION, endpoint_events
from launchready.sandbox.stubs.stripe_api import StripeApiStub
from tests.checks_live.conftest import ALL_LIVE_AREAS, make_config, stack_values, write_stack
from tests.checks_live.standins import MonitoringApi, WebhookServer

pytestmark = pytest.mark.live   # talks to running servers (Knot, TLS, stand-ins); `-m 'not live'` skips

LAUNCHREADY = str(Path(sys.executable).parent / "launchready")


@pytest.fixture(scope="module")
def services(knot, tls_server, plan, tmp_path_factory):
    config = make_config()
    stacks = tmp_path_factory.mktemp("stacks")
    write_stack(stacks, stack_values())
    with WebhookServer() as webhook, StripeApiStub() as stripe_api, \
            MonitoringApi(config.gcp.project_id) as monitoring:
        webhook_url = f"{webhook.base_url}/stripe_webhook"
        stripe_api.add_endpoint(url=webhook_url, enabled_events=endpoint_events(STRIPE_API_VERSION), livemode=True,
                                api_version=STRIPE_API_VERSION)
        monitoring.fill_from_plan(plan)
        flags = ["--stacks-dir", str(stacks), "--nameserver", knot.nameserver, "--https-port", str(tls_server.https_port),
                 "--http-port", str(tls_server.http_port), "--ca-file", str(tls_server.ca_file),
                 "--connect-host", "127.0.0.1", "--webhook-url", webhook_url,
                 "--stripe-api-base", stripe_api.base_url, "--monitoring-api-base", monitoring.base_url]
        yield flags


def launchready_check(flags: list[str], *extra: str) -> tuple[int, dict]:
    env = {**os.environ, "STRIPE_SECRET_KEY": "sk_live_" + "k" * 24}
    proc = subprocess.run([LAUNCHREADY, "check", "--stack", "prod", "--only", ",".join(ALL_LIVE_AREAS),
                           "--format", "json", *flags, *extra], capture_output=True, text=True, env=env, timeout=120)
    assert proc.stdout, proc.stderr
    return proc.returncode, json.loads(proc.stdout)


def test_ready_environment_exits_zero_with_every_live_check_passing(services):
    code, report = launchready_check(services, "--domain", "acme.test")
    failing = [(r["id"], r["status"], r["message"]) for r in report["results"] if r["status"] != "pass"]
    assert not failing
    assert code == 0
    assert {r["id"].split(".")[0] for r in report["results"]} == set(ALL_LIVE_AREAS)
    assert all(r["live"] for r in report["results"])


def test_broken_dmarc_blocks_the_release_and_never_leaks_the_key(services):
    code, report = launchready_check(services, "--domain", "dmarc-none.test", "--skip", "monitoring")
    blocking = [r["id"] for r in report["results"] if r["blocking"]]
    assert code == 1
    assert blocking == ["dns.records.planned", "email.dmarc.policy"]  # the DMARC record drifted from the plan too
    assert "k" * 24 not in json.dumps(report)
