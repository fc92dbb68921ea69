"""Launch policy for the scheduled sweep (issue #22): the backend's safety nets need a clock.

Without the job, a parked event past its bound is dead-lettered and alerted only when webhook traffic
happens to arrive, stuck sync tasks wait forever and a missed Stripe delivery is never pulled.
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence

from launchready.infra.components.scheduler import SWEEP_FUNCTION
from launchready.policy.resources import (
    FUNCTION,
    PUBLIC_MEMBERS,
    Resource,
    Violation,
    _iam_members,
    _is_iam,
    _of,
    _prop,
)

SCHEDULER_JOB = "gcp:cloudscheduler/job:Job"


def _invokers(resources: Sequence[Resource], service: str) -> set[str]:
    return {m for r in filter(_is_iam, resources) if _prop(r, "name") == service
            and _prop(r, "role") == "roles/run.invoker" for m in _iam_members(r)}


def scheduled_sweep(resources: Sequence[Resource]) -> Iterator[Violation]:
    sweeps = [f for f in _of(resources, FUNCTION) if _prop(f, "buildConfig", "entryPoint") == SWEEP_FUNCTION]
    if not sweeps:
        yield Violation(f"no `{SWEEP_FUNCTION}` function is deployed: parked events past their bound, stuck sync "
                        "tasks and missed Stripe deliveries are only handled during webhook traffic")
        return
    service = str(_prop(sweeps[0], "name"))
    invokers = _invokers(resources, service)
    if invokers & PUBLIC_MEMBERS:
        yield Violation(f"the {service} function is public ({', '.join(sorted(invokers & PUBLIC_MEMBERS))}): "
                        "only the scheduler's service account may invoke it", sweeps[0].urn)
    jobs = [j for j in _of(resources, SCHEDULER_JOB) if _prop(j, "httpTarget")]
    if not jobs:
        yield Violation(f"no Cloud Scheduler job calls the {service} function")
    for job in jobs:
        token = _prop(job, "httpTarget", "oidcToken")
        account = _prop(job, "httpTarget", "oidcToken", "serviceAccountEmail")  # unknown in a first preview
        if _prop(job, "httpTarget", "httpMethod") != "POST" or token is None:
            yield Violation(f"scheduler job {job.name} must POST with an OIDC token (httpTarget.oidcToken)", job.urn)
        elif account and f"serviceAccount:{account}" not in invokers:
            yield Violation(f"scheduler job {job.name}'s account {account} holds no roles/run.invoker on "
                            f"{service}: every call is refused (403)", job.urn)
