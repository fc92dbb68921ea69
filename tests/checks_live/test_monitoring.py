"""monitoring.alerts.* against a local Cloud Monitoring stand-in filled from the real offline plan."""
from __future__ import annotations

import pytest

from launchready.checks.catalog.monitoring.alerts import CHANNEL_TYPE, POLICY_TYPE
from launchready.checks.framework.base import Status
from launchready.checks.framework.runner import run_checks
from launchready.runtime.processes import free_port
from tests.checks_live.conftest import context, make_config
from tests.checks_live.standins import PAGE, MonitoringApi

pytestmark = pytest.mark.live   # talks to running servers (Knot, TLS, stand-ins); `-m 'not live'` skips


@pytest.fixture(scope="module")
def config():
    return make_config()


@pytest.fixture
def api(config, plan):
    with MonitoringApi(config.gcp.project_id) as server:
        yield server.fill_from_plan(plan)


def monitoring(config, base: str) -> dict:
    ctx = context(config, monitoring_api_base=base, only=("monitoring",))
    return {r.check_id: r for r in run_checks(ctx).results}


def test_the_plan_requires_several_policies_and_a_channel_per_recipient(plan):
    assert len(plan.of_type(POLICY_TYPE)) > PAGE
    assert len(plan.of_type(CHANNEL_TYPE)) == 2


def test_everything_planned_exists(config, api):
    results = monitoring(config, api.base_url)
    assert {k: r.status.value for k, r in results.items()} == {
        "monitoring.alerts.policies": "pass", "monitoring.alerts.channels": "pass"}


def test_missing_disabled_and_silent_policies_are_listed(config, api):
    policies = api.items["alertPolicies"]
    missing = policies.pop(0)["displayName"]
    policies[0]["enabled"] = False
    policies[-1]["notificationChannels"] = []
    result = monitoring(config, api.base_url)["monitoring.alerts.policies"]
    assert result.status is Status.FAIL
    assert result.evidence["missing"] == [missing]
    assert result.evidence["disabled"] == [policies[0]["displayName"]]
    assert result.evidence["without_channels"] == [policies[-1]["displayName"]]


def test_missing_channel_is_found_by_address(config, api):
    channels = api.items["notificationChannels"]
    gone = channels.pop()
    channels[0]["displayName"] = "renamed in the console"  # still the same address: not missing
    result = monitoring(config, api.base_url)["monitoring.alerts.channels"]
    assert result.status is Status.FAIL
    assert result.evidence["missing"] == [gone["displayName"]]


def test_wrong_project_and_unreachable_api_fail_clearly(config, api):
    other = config.model_copy(update={"gcp": config.gcp.model_copy(update={"project_id": "someone-else"})})
    denied = monitoring(other, api.base_url)["monitoring.alerts.policies"]
    assert denied.status is Status.FAIL and "403" in denied.message
    down = monitoring(config, f"http://127.0.0.1:{free_port()}")["monitoring.alerts.channels"]
    assert down.status is Status.FAIL and "unreachable" in down.message


def test_real_api_without_credentials_skips_with_instructions(config, plan, monkeypatch, tmp_path):
    monkeypatch.setenv("NO_GCE_CHECK", "True")            # do not probe a GCE metadata server
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(tmp_path / "none.json"))
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(tmp_path))
    ctx = context(config, only=("monitoring",))
    results = run_checks(ctx).results
    assert [r.status for r in results] == [Status.SKIP, Status.SKIP]
    assert all("application-default login" in r.message for r in results)
