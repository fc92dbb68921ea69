"""What a first `pulumi up` needs that the program cannot create for itself, in one place.

The launch policies, `launchready preflight` and the handover "first deploy" runbook all read these
facts, so the deployer's roles, the org-policy exceptions and the first-run waits cannot drift apart.
"""
from __future__ import annotations

from dataclasses import dataclass

# APIs that must already be on in the project the deployer's quota is billed to (the quota project),
# before the program can enable anything else.
BOOTSTRAP_APIS: tuple[str, ...] = (
    "cloudresourcemanager.googleapis.com", "serviceusage.googleapis.com", "cloudbilling.googleapis.com",
    "iam.googleapis.com", "orgpolicy.googleapis.com",
)


@dataclass(frozen=True)
class Grant:
    """A permission `testIamPermissions` can test, and the predefined role that carries it."""

    permission: str
    role: str
    why: str


# On the environment's project (or, before it exists, inherited from the folder/org it is created in).
PROJECT_GRANTS: tuple[Grant, ...] = (
    Grant("resourcemanager.projects.get", "roles/browser", "read the project"),
    Grant("resourcemanager.projects.setIamPolicy", "roles/resourcemanager.projectIamAdmin",
          "grant function roles and the identitytoolkit audit config"),
    Grant("serviceusage.services.enable", "roles/serviceusage.serviceUsageAdmin", "enable the environment's APIs"),
    Grant("iam.serviceAccounts.create", "roles/iam.serviceAccountAdmin", "create the per-function service accounts"),
    Grant("iam.serviceAccounts.actAs", "roles/iam.serviceAccountUser",
          "deploy functions and builds that run as those accounts"),
    Grant("cloudfunctions.functions.create", "roles/cloudfunctions.admin", "deploy the Cloud Functions"),
    Grant("run.services.setIamPolicy", "roles/run.admin", "make the verified-caller functions invokable"),
    Grant("secretmanager.secrets.create", "roles/secretmanager.admin", "create the secrets"),
    Grant("storage.buckets.create", "roles/storage.admin", "create the functions source bucket"),
    Grant("datastore.databases.create", "roles/datastore.owner", "create the Firestore database and indexes"),
    Grant("firebaserules.releases.create", "roles/firebaserules.admin", "release the Firestore rules"),
    Grant("firebase.projects.update", "roles/firebase.admin", "add Firebase, Identity Platform and Hosting"),
    Grant("logging.logMetrics.create", "roles/logging.configWriter", "create the log-based metrics"),
    Grant("monitoring.alertPolicies.create", "roles/monitoring.editor", "create alert policies and channels"),
    Grant("cloudscheduler.jobs.create", "roles/cloudscheduler.admin", "create the scheduled sweep job"),
)
# On the folder (or organization) a new project is created in.
PARENT_GRANTS: tuple[Grant, ...] = (
    Grant("resourcemanager.projects.create", "roles/resourcemanager.projectCreator", "create the project"),
)
# On the billing account the new project is linked to.
BILLING_GRANTS: tuple[Grant, ...] = (
    Grant("billing.resourceAssociations.create", "roles/billing.user", "link the project to the billing account"),
)


@dataclass(frozen=True)
class OrgConstraint:
    """An organization policy constraint and what the plan needs from it."""

    constraint: str
    needed_because: str
    exception: str      # what an org-policy admin sets on the project (or folder) so `up` can pass


ORG_CONSTRAINTS: tuple[OrgConstraint, ...] = (
    OrgConstraint("iam.allowedPolicyMemberDomains",
                  "the verified-caller functions grant roles/run.invoker to allUsers (their code checks the caller)",
                  "a project-level policy with `allowAll: true` for this constraint "
                  "(`gcloud org-policies set-policy` on projects/<project>); the rest of the org stays restricted"),
    OrgConstraint("gcp.resourceLocations",
                  "the functions, bucket and Firestore database are created in the stack's region and location",
                  "add the stack's region and Firestore location (e.g. `in:eu-locations`) to the allowed values"),
    OrgConstraint("iam.disableServiceAccountKeyCreation",
                  "nothing: the program creates no service account keys (CI should use Workload Identity)",
                  "none needed; keep it enforced"),
)
BLOCKING_CONSTRAINTS = {"iam.allowedPolicyMemberDomains", "gcp.resourceLocations"}


@dataclass(frozen=True)
class FirstRunWait:
    """A step of the first `pulumi up` that must wait for Google to propagate something."""

    step: str
    cause: str
    duration: str


# A pulumiverse-time Sleep holds each of these back (created once; later runs do not wait again).
WAITS: dict[str, FirstRunWait] = {
    "log-metrics": FirstRunWait(
        "alert policies on log-based metrics",
        "a new log-based metric is not visible to Cloud Monitoring for a while: `Cannot find metric(s)` "
        "(terraform-provider-google#11102)", "90s"),
    "service-agents": FirstRunWait(
        "Cloud Functions with Eventarc triggers",
        "the Eventarc, Pub/Sub and Cloud Build service agents are created and granted asynchronously "
        "after their APIs are enabled", "60s"),
}

# Cloudflare API token permission groups the program's resources need (names as the token API lists them).
CLOUDFLARE_PERMISSIONS: dict[str, str] = {
    "Zone Settings Write": "SSL mode, minimum TLS, TLS 1.3, Always Use HTTPS and HSTS (ZoneSetting)",
    "DNS Write": "every DNS record (DnsRecord)",
}
CLOUDFLARE_REDIRECT_PERMISSION = ("Dynamic URL Redirects Write",
                                  "the www -> apex Single Redirect (Ruleset, phase http_request_dynamic_redirect)")


def cloudflare_permissions(www_redirect: bool) -> dict[str, str]:
    """The token permissions one stack needs; the redirect rule only when `domain.wwwRedirect` is on."""
    needed = dict(CLOUDFLARE_PERMISSIONS)
    if www_redirect:
        needed[CLOUDFLARE_REDIRECT_PERMISSION[0]] = CLOUDFLARE_REDIRECT_PERMISSION[1]
    return needed
