"""The GCP project of one environment: created (or adopted), billed, APIs on, Firebase added.

`provider` bills every later call to the environment's own project (`user_project_override`): with
user credentials (`gcloud auth application-default login`) Firebase and Identity Platform calls
otherwise fail with "API requires a quota project"."""
from __future__ import annotations

from dataclasses import dataclass, field

import pulumi
import pulumi_gcp as gcp

# Every API the environment's resources call; enabling them is the first thing `pulumi up` does. The
# first five are what every call through the quota-project provider bills to the new project (service
# accounts: iam; IAM members and audit configs: cloudresourcemanager; ServiceIdentity: serviceusage;
# the budget's billing account: cloudbilling; Eventarc's transport: pubsub) — the fresh-project
# simulation (launchready.policy.fresh_project) fails the plan if one is missing.
REQUIRED_APIS: tuple[str, ...] = (
    "iam", "cloudresourcemanager", "serviceusage", "cloudbilling", "pubsub", "billingbudgets",
    "firebase", "firestore", "cloudfunctions", "run", "cloudbuild", "eventarc", "secretmanager",
    "identitytoolkit", "firebaserules", "firebasehosting", "monitoring", "logging", "artifactregistry",
    "storage",
)
# Service agents that exist only once made: Eventarc triggers need both before the first deploy.
AGENT_SERVICES: tuple[str, ...] = ("eventarc", "pubsub")


@dataclass(frozen=True)
class ProjectArgs:
    project_id: str
    create: bool
    billing_account: str | None
    folder_id: str | None
    org_id: str | None
    protect: bool
    labels: dict[str, str] = field(default_factory=dict)


class GcpProject(pulumi.ComponentResource):
    """`project_id` is what every other component targets; `ready` is what they depend on."""

    project_id: pulumi.Output[str]
    number: pulumi.Output[str]       # what a billing budget filters on
    ready: list[pulumi.Resource]
    provider: gcp.Provider
    agents_ready: list[pulumi.Resource]

    def __init__(self, name: str, args: ProjectArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("launchready:gcp:Project", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        base: list[pulumi.Resource] = []
        if args.create:
            project = gcp.organizations.Project(
                f"{name}-project", project_id=args.project_id, name=args.project_id,
                billing_account=args.billing_account, folder_id=args.folder_id,
                org_id=None if args.folder_id else args.org_id, labels=args.labels,
                auto_create_network=False, deletion_policy="PREVENT" if args.protect else "DELETE",
                opts=pulumi.ResourceOptions(parent=self, protect=args.protect))
            self.project_id, self.number = project.project_id, project.number
            base.append(project)
        else:
            self.project_id = pulumi.Output.from_input(args.project_id)
            self.number = gcp.organizations.get_project_output(project_id=args.project_id).number
            if args.billing_account:
                base.append(gcp.billing.ProjectInfo(f"{name}-billing", project=args.project_id,
                                                    billing_account=args.billing_account, opts=child))
        services = [
            gcp.projects.Service(f"{name}-api-{api}", project=self.project_id, service=f"{api}.googleapis.com",
                                 disable_on_destroy=False,
                                 opts=pulumi.ResourceOptions(parent=self, depends_on=base))
            for api in REQUIRED_APIS
        ]
        self.provider = gcp.Provider(f"{name}-billed", project=self.project_id, billing_project=self.project_id,
                                     user_project_override=True,
                                     opts=pulumi.ResourceOptions(parent=self, depends_on=services))
        firebase = gcp.firebase.Project(f"{name}-firebase", project=self.project_id,
                                        opts=pulumi.ResourceOptions(parent=self, depends_on=services,
                                                                    provider=self.provider))
        self.ready = [*services, firebase]
        # Enabling an API does not create its service agent; ServiceIdentity does. What uses the agents
        # waits for these and then for IAM to propagate (the functions' Sleep, WAITS["iam-propagation"]).
        self.agents_ready = [gcp.projects.ServiceIdentity(
            f"{name}-agent-{api}", project=self.project_id, service=f"{api}.googleapis.com",
            opts=pulumi.ResourceOptions(parent=self, depends_on=services, provider=self.provider))
            for api in AGENT_SERVICES]
        self.register_outputs({"project_id": self.project_id})
