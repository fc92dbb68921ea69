"""The model of a brand-new GCP project that `launchready.policy.fresh_project` walks the plan against.

Data only, one source per row: what a project has on by default, which API each resource type
calls, which service agents exist only once made, how long Google takes to propagate what the plan
creates, and what the `in:` location groups of `gcp.resourceLocations` hold.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

GOOGLEAPIS = ".googleapis.com"


T = TypeVar("T")


@dataclass(frozen=True)
class Row(Generic[T]):
    """One fact and where it comes from (a provider doc or an issue thread)."""

    value: T
    source: str


# Services on in a project from the start. Google documents a default set only for projects created
# in the console or with gcloud; a project the program creates through the Resource Manager API is
# modelled with none, so every API a resource calls must be enabled by a `Service` it waits for.
DEFAULT_SERVICES: Row[frozenset[str]] = Row(frozenset(), "https://cloud.google.com/service-usage/docs/enabled-service "
                                                     "(\"Services enabled by default\": console or gcloud only)")

# APIs whose enablement is billed to the caller's quota project, not the target project: enabling
# services, creating the project and linking billing all act on a project that has nothing on yet.
# The Firebase Terraform guide enables them through a provider *without* user_project_override.
CALLER_BILLED = Row(frozenset({"gcp:projects/service:Service", "gcp:organizations/project:Project",
                               "gcp:billing/projectInfo:ProjectInfo"}),
                    "https://firebase.google.com/docs/projects/terraform/get-started "
                    "(google-beta.no_user_project_override for project creation and serviceusage)")

_IAM = "https://cloud.google.com/iam/docs/reference/rest (serviceAccounts.create: iam.googleapis.com)"
_CRM = ("https://cloud.google.com/resource-manager/reference/rest/v1/projects/setIamPolicy "
        "(project IAM members and audit configs are setIamPolicy on cloudresourcemanager)")
_SU = ("https://www.pulumi.com/registry/packages/gcp/api-docs/projects/serviceidentity/ "
       "(services.generateServiceIdentity on serviceusage)")
_FN = ("https://cloud.google.com/functions/docs/reference/rest (gen2 functions build with Cloud Build, "
       "store images in Artifact Registry and run on Cloud Run)")
_EVENTARC = "https://cloud.google.com/eventarc/docs/run/create-trigger-storage-gcloud (Eventarc uses Pub/Sub transport)"

# Resource type -> the APIs (short names) its create calls; () = not a Google API (Cloudflare, time,
# Stripe) or nothing called. A gcp type missing here is itself a finding: the model must know it.
TYPE_APIS: dict[str, Row[tuple[str, ...]]] = {
    "gcp:organizations/project:Project": Row(("cloudresourcemanager",), _CRM),
    "gcp:billing/projectInfo:ProjectInfo": Row(("cloudbilling",),
                                               "https://cloud.google.com/billing/docs/reference/rest/v1/projects/updateBillingInfo"),
    "gcp:billing/budget:Budget": Row(("billingbudgets",), "https://cloud.google.com/billing/docs/how-to/budget-api-overview"),
    "gcp:projects/service:Service": Row(("serviceusage",), "https://cloud.google.com/service-usage/docs/enable-disable"),
    "gcp:projects/serviceIdentity:ServiceIdentity": Row(("serviceusage",), _SU),
    "gcp:projects/iAMMember:IAMMember": Row(("cloudresourcemanager",), _CRM),
    "gcp:projects/iAMAuditConfig:IAMAuditConfig": Row(("cloudresourcemanager",), _CRM),
    "gcp:serviceaccount/account:Account": Row(("iam",), _IAM),
    "gcp:firebase/project:Project": Row(("firebase",), "https://firebase.google.com/docs/projects/api/reference/rest/v1beta1/projects/addFirebase"),
    "gcp:firebase/androidApp:AndroidApp": Row(("firebase",), "https://firebase.google.com/docs/projects/api/reference/rest/v1beta1/projects.androidApps/create"),
    "gcp:firebase/appleApp:AppleApp": Row(("firebase",), "https://firebase.google.com/docs/projects/api/reference/rest/v1beta1/projects.iosApps/create"),
    "gcp:firebase/webApp:WebApp": Row(("firebase",), "https://firebase.google.com/docs/projects/api/reference/rest/v1beta1/projects.webApps/create"),
    "gcp:firebase/hostingSite:HostingSite": Row(("firebasehosting",), "https://firebase.google.com/docs/reference/hosting/rest"),
    "gcp:firebase/hostingCustomDomain:HostingCustomDomain": Row(("firebasehosting",), "https://firebase.google.com/docs/reference/hosting/rest"),
    "gcp:firebase/hostingVersion:HostingVersion": Row(("firebasehosting", "run"), "https://firebase.google.com/docs/reference/hosting/rest (rewrites to Cloud Run)"),
    "gcp:firebase/hostingRelease:HostingRelease": Row(("firebasehosting",), "https://firebase.google.com/docs/reference/hosting/rest"),
    "gcp:firestore/database:Database": Row(("firestore",), "https://cloud.google.com/firestore/docs/reference/rest"),
    "gcp:firestore/index:Index": Row(("firestore",), "https://cloud.google.com/firestore/docs/reference/rest"),
    "gcp:firestore/field:Field": Row(("firestore",), "https://cloud.google.com/firestore/docs/ttl"),
    "gcp:firestore/backupSchedule:BackupSchedule": Row(("firestore",), "https://cloud.google.com/firestore/docs/backups"),
    "gcp:firebaserules/ruleset:Ruleset": Row(("firebaserules",), "https://firebase.google.com/docs/reference/rules/rest"),
    "gcp:firebaserules/release:Release": Row(("firebaserules",), "https://firebase.google.com/docs/reference/rules/rest"),
    "gcp:identityplatform/config:Config": Row(("identitytoolkit",), "https://cloud.google.com/identity-platform/docs/reference/rest"),
    "gcp:secretmanager/secret:Secret": Row(("secretmanager",), "https://cloud.google.com/secret-manager/docs/reference/rest"),
    "gcp:secretmanager/secretVersion:SecretVersion": Row(("secretmanager",), "https://cloud.google.com/secret-manager/docs/reference/rest"),
    "gcp:secretmanager/secretIamMember:SecretIamMember": Row(("secretmanager",), "https://cloud.google.com/secret-manager/docs/reference/rest"),
    "gcp:storage/bucket:Bucket": Row(("storage",), "https://cloud.google.com/storage/docs/json_api"),
    "gcp:storage/bucketObject:BucketObject": Row(("storage",), "https://cloud.google.com/storage/docs/json_api"),
    "gcp:cloudfunctionsv2/function:Function": Row(("cloudfunctions", "run", "cloudbuild", "artifactregistry"), _FN),
    "gcp:cloudrunv2/serviceIamMember:ServiceIamMember": Row(("run",), "https://cloud.google.com/run/docs/reference/rest"),
    "gcp:logging/metric:Metric": Row(("logging",), "https://cloud.google.com/logging/docs/reference/v2/rest"),
    "gcp:monitoring/notificationChannel:NotificationChannel": Row(("monitoring",), "https://cloud.google.com/monitoring/api/ref_v3/rest"),
    "gcp:monitoring/uptimeCheckConfig:UptimeCheckConfig": Row(("monitoring",), "https://cloud.google.com/monitoring/api/ref_v3/rest"),
    "gcp:monitoring/alertPolicy:AlertPolicy": Row(("monitoring",), "https://cloud.google.com/monitoring/api/ref_v3/rest"),
    "gcp:cloudscheduler/job:Job": Row(("cloudscheduler",), "https://cloud.google.com/scheduler/docs/reference/rest"),
}
# An event-triggered function also calls Eventarc, which delivers over Pub/Sub.
EVENT_TRIGGER_APIS = Row(("eventarc", "pubsub"), _EVENTARC)

# Service agents a resource needs that exist only once made (ServiceIdentity) — enabling the API
# alone does not create them, and IAM on them then fails with "Service account ... does not exist".
AGENTS_FOR_EVENT_TRIGGERS = Row(("eventarc", "pubsub"),
                                "https://www.pulumi.com/registry/packages/gcp/api-docs/projects/serviceidentity/; "
                                "https://cloud.google.com/eventarc/docs/roles-permissions (Eventarc and Pub/Sub service agents)")

# Minimum waits (seconds) between creating something and the first use of it.
IAM_PROPAGATION_S = Row(120, "https://cloud.google.com/iam/docs/access-change-propagation "
                             "(policy changes \"typically 2 minutes, potentially 7 minutes or longer\")")
LOG_METRIC_VISIBLE_S = Row(600, "terraform-provider-google#11102 (`Cannot find metric(s)`); Cloud Monitoring "
                                "sees a new log-based metric after up to 10 minutes")
# IAM grants whose propagation a function's deploy depends on (build and runtime accounts, agents).
IAM_GRANT_TYPES = Row(frozenset({"gcp:projects/iAMMember:IAMMember", "gcp:secretmanager/secretIamMember:SecretIamMember",
                                 "gcp:projects/serviceIdentity:ServiceIdentity"}),
                      "https://cloud.google.com/iam/docs/access-change-propagation")
PROPAGATION_CONSUMERS = Row(frozenset({"gcp:cloudfunctionsv2/function:Function"}),
                            "https://cloud.google.com/functions/docs/troubleshooting#build-service-account "
                            "(builds and deploys fail while the build account's role has not propagated)")

# Members of the `in:` value groups of `gcp.resourceLocations`, as far as the plan's own locations go.
LOCATION_GROUPS = Row({
    "in:eu-locations": ("europe-", "eu", "eur3", "eur4", "eur5", "eur6", "eur7"),
    "in:us-locations": ("us-", "us", "nam5", "nam7", "nam10", "nam11"),
    "in:asia-locations": ("asia-", "asia"),
    "in:global": ("global",),
}, "https://cloud.google.com/resource-manager/docs/organization-policy/defining-locations#value_groups")
# Automatically replicated secrets are stored in `global`, which a location constraint must allow.
AUTO_REPLICATION_LOCATION = Row("global", "https://cloud.google.com/secret-manager/docs/locations "
                                          "(automatic replication needs `global` allowed by gcp.resourceLocations)")
# The DRS constraint rejects allUsers/allAuthenticatedUsers members in any IAM policy of the project.
DRS_PUBLIC_MEMBERS = Row(frozenset({"allUsers", "allAuthenticatedUsers"}),
                         "https://cloud.google.com/resource-manager/docs/organization-policy/restricting-domains")


def in_group(location: str, allowed: str) -> bool:
    """Whether `location` is allowed by one value of `gcp.resourceLocations` (`in:` group or literal)."""
    location, allowed = location.lower(), allowed.lower()
    prefixes = LOCATION_GROUPS.value.get(allowed)
    if prefixes is None:   # a literal location, or a region's own group (`in:europe-west3-locations`)
        return location in (allowed.removeprefix("in:"), allowed.removeprefix("in:").removesuffix("-locations"))
    return any(location == p or (p.endswith("-") and location.startswith(p)) for p in prefixes)
