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
)
# On the folder (or organization) a new project is created in.
PARENT_GRANTS: tuple[Grant, ...] = (
    Grant("resourcemanager.projects.create", "roles/resourcemanager.projectCreator", "create the project"),
)
# On the billing account the new project is linked to.
BILLING_GRANTS: tuple[Grant, ...] = (
    Grant("billing.resourceAssociations.create", "roles/billing.user", "link the project to the billing account"),
    Grant("billing.budgets.create", "roles/billing.costsManager", "create the environment's budget and its alerts"),
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
                  "a project-level policy with `allowAll: true` for this constraint, set once the project exists: "
                  "declare `launchready:orgPolicy.domainRestrictedSharing: project-exception` and deploy in two steps "
                  "(First deploy, step 4); the rest of the org stays restricted"),
    OrgConstraint("gcp.resourceLocations",
                  "the functions, bucket, Firestore database and (user-managed) secret replicas are created in the "
                  "stack's region and location; automatically replicated secrets live in `global`",
                  "declare the allowed values in `launchready:orgPolicy.resourceLocations` (e.g. `in:eu-locations`) "
                  "and keep `orgPolicy.secretReplication: user-managed`, or have the region and location allowed"),
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
        "(terraform-provider-google#11102); the API documents up to 10 minutes", "10m"),
    "iam-propagation": FirstRunWait(
        "Cloud Functions (builds, secrets and Eventarc triggers)",
        "the build account's role, each function's roles and secret grants, and the Eventarc/Pub/Sub service "
        "agents (made by ServiceIdentity) take effect only after IAM propagates: typically 2 minutes "
        "(cloud.google.com/iam/docs/access-change-propagation)", "120s"),
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


@dataclass(frozen=True)
class FirstRunFailure:
    """A failure a founder can still meet on the first `pulumi up`, and its fix."""

    symptom: str
    cause: str
    fix: str


FIRST_RUN_FAILURES: tuple[FirstRunFailure, ...] = (
    FirstRunFailure("`SERVICE_DISABLED` / `API ... has not been used in project <quota project>`",
                    "an API is off in the deployer's quota project (user credentials)",
                    "`gcloud services enable <api> --project <quota project>` (preflight names them), then `pulumi up`"),
    FirstRunFailure("`Error 403: ... does not have permission` on a project, folder or billing account",
                    "the deployer lacks a role preflight tests", "grant the role preflight names, then `pulumi up`"),
    FirstRunFailure("`FAILED_PRECONDITION ... constraints/iam.allowedPolicyMemberDomains` on a `-invoker` grant",
                    "domain restricted sharing, and the project-level exception is not set yet",
                    "the org-policy admin sets it (preflight prints the command), then `pulumi up`"),
    FirstRunFailure("`... violates constraint constraints/gcp.resourceLocations`",
                    "a location the org does not allow (a secret replicated to `global`, or the region)",
                    "`launchready:orgPolicy.secretReplication: user-managed`, or a `gcp.region` inside the allowed "
                    "values, then `pulumi up`"),
    FirstRunFailure("a function build fails with `... missing permission on the build service account`, or an "
                    "Eventarc trigger with `Invalid resource state` / a service-agent error",
                    "IAM took longer than the 120 s wait to propagate", "run `pulumi up` again: it continues where it stopped"),
    FirstRunFailure("an alert policy fails with `Cannot find metric(s)`",
                    "Monitoring had not seen the new log-based metric within the 10 min wait",
                    "run `pulumi up` again"),
    FirstRunFailure("the live gate's `tls.*` / `http.*` checks fail right after `up`",
                    "Firebase Hosting issues certificates only after the DNS records resolve (up to an hour)",
                    "wait and re-run `launchready check` (the CI workflow retries for an hour)"),
    FirstRunFailure("the app hostname answers `Site Not Found`",
                    "the program gives the web app's Hosting site no release (an empty one would blank the app)",
                    "deploy the web app: `firebase deploy --only hosting --project <project>`"),
)


def rules_release_import(stack: str, pulumi_project: str, project_id: str) -> str:
    """`pulumi import` of a live `cloud.firestore` rules release where the program declares it: under the
    `firestore` component and on the quota-project provider. Imported at the stack root on the default
    provider instead, the next `up` would delete it and create it again (briefly no rules release)."""
    prefix = f"urn:pulumi:{stack}::{pulumi_project}::"
    return (f"pulumi import --stack {stack} gcp:firebaserules/release:Release firestore-rules-release "
            f"projects/{project_id}/releases/cloud.firestore "
            f"--parent 'firestore={prefix}launchready:gcp:Firestore::firestore' "
            f"--provider 'project-billed={prefix}launchready:gcp:Project$pulumi:providers:gcp::project-billed' "
            "--protect=false")
