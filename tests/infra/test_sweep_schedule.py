"""The sweep schedule in the plan (one Cloud Scheduler job per stack, OIDC, invoker-only access) and the
`infra.policy.scheduled_sweep` policy over it, including plans that break it."""
from __future__ import annotations

import pytest

from launchready.checks.catalog.infra.policy import subjects
from launchready.policy.sweep_policy import SCHEDULER_JOB, scheduled_sweep
from tests.infra.conftest import ENVIRONMENTS

INVOKER = "gcp:cloudrunv2/serviceIamMember:ServiceIamMember"


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_each_stack_schedules_an_oidc_post_to_the_private_sweep(plans, configs, env):
    plan, config = plans[env], configs[env]
    [job] = plan.of_type(SCHEDULER_JOB)
    project = config.gcp.project_id
    account = f"sweep-scheduler@{project}.iam.gserviceaccount.com"
    assert job.get("httpTarget.httpMethod") == "POST" and job.get("region") == config.gcp.region
    assert job.get("httpTarget.oidcToken.serviceAccountEmail") == account
    assert job.get("httpTarget.uri") == job.get("httpTarget.oidcToken.audience")
    assert job.get("httpTarget.uri").endswith("/sweep")
    sweep_invokers = [r.get("member") for r in plan.of_type(INVOKER) if r.get("name") == "sweep"]
    assert sweep_invokers == [f"serviceAccount:{account}"]
    assert list(scheduled_sweep(subjects(plan))) == []


def _without(resources, predicate):
    return [r for r in resources if not predicate(r)]


def test_the_policy_refuses_a_missing_job_a_job_without_invoker_and_a_public_sweep(plans):
    resources = subjects(plans["staging"])
    no_job = _without(resources, lambda r: r.resource_type == SCHEDULER_JOB)
    assert ["no Cloud Scheduler job" in v.message for v in scheduled_sweep(no_job)] == [True]
    no_grant = _without(resources, lambda r: r.resource_type == INVOKER and r.props.get("name") == "sweep")
    assert any("holds no roles/run.invoker" in v.message for v in scheduled_sweep(no_grant))
    public = [r for r in resources if r.resource_type == INVOKER and r.props.get("name") == "sweep"]
    public[0].props = {**public[0].props, "member": "allUsers"}
    try:
        messages = [v.message for v in scheduled_sweep(resources)]
    finally:
        public[0].props = {**public[0].props, "member": plans["staging"].named("sweep-schedule-invoker").get("member")}
    assert any("is public (allUsers)" in m for m in messages)
    no_sweep = _without(resources, lambda r: r.props.get("buildConfig", {}).get("entryPoint") == "sweep")
    assert ["no `sweep` function" in v.message for v in scheduled_sweep(no_sweep)] == [True]
