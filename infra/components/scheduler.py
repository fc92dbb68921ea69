"""The scheduled sweep: a Cloud Scheduler job per stack that POSTs to the private `sweep` function.

The backend's safety nets (dead-lettering parked events past their bound, rerunning stuck sync tasks,
pulling Stripe events that were never delivered) must run with no webhook traffic at all. The job
authenticates with an OIDC token of its own service account, the only member holding
`roles/run.invoker` on the sweep's Cloud Run service; the function is never public.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pulumi
import pulumi_gcp as gcp

SWEEP_FUNCTION = "sweep"
SCHEDULER_ACCOUNT_ID = "sweep-scheduler"
DEFAULT_SCHEDULE = "*/10 * * * *"        # every 10 minutes: well inside the parked bound (3 days)
ATTEMPT_DEADLINE = "320s"                # the function's own timeout is shorter; Scheduler waits this long


@dataclass(frozen=True)
class SweepScheduleArgs:
    project_id: pulumi.Input[str]
    region: str
    function: gcp.cloudfunctionsv2.Function
    schedule: str = DEFAULT_SCHEDULE
    depends_on: list[pulumi.Resource] = field(default_factory=list)


class SweepSchedule(pulumi.ComponentResource):
    job: gcp.cloudscheduler.Job

    def __init__(self, name: str, args: SweepScheduleArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("launchready:gcp:SweepSchedule", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        account = gcp.serviceaccount.Account(
            f"{name}-sa", project=args.project_id, account_id=SCHEDULER_ACCOUNT_ID,
            display_name="Cloud Scheduler: launchready sweep", opts=child)
        invoker = gcp.cloudrunv2.ServiceIamMember(
            f"{name}-invoker", project=args.project_id, location=args.region, name=SWEEP_FUNCTION,
            role="roles/run.invoker", member=account.email.apply(lambda email: f"serviceAccount:{email}"),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[args.function]))
        url = args.function.url
        self.job = gcp.cloudscheduler.Job(
            f"{name}-job", project=args.project_id, region=args.region, name="launchready-sweep",
            description="launchready: dead-letter expired parked events, rerun stuck sync tasks, pull missed "
                        "Stripe events", schedule=args.schedule, time_zone="Etc/UTC",
            attempt_deadline=ATTEMPT_DEADLINE, retry_config={"retry_count": 1, "min_backoff_duration": "30s"},
            http_target={"http_method": "POST", "uri": url,
                         "oidc_token": {"service_account_email": account.email, "audience": url}},
            opts=pulumi.ResourceOptions(parent=self, depends_on=[invoker, *args.depends_on]))
        self.register_outputs({"job": self.job.name})
