"""Launch policies over a stack's resources, written once and run two ways.

Each policy is a plain function `resources -> violations`. A resource is anything with
`resource_type`, `props` (engine property names, camelCase), `name` and `urn`: a
`pulumi_policy.PolicyResource` under `pulumi preview --policy-pack checks/policy`, or a planned
resource from the offline plan (`infra.policy.*` checks in `launchready check`).
"""
from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from launchready.functions.backend.events import is_supported, supported_range
from launchready.infra.components.monitoring import ALERT_LABEL, REQUIRED_ALERTS
from launchready.infra.dns_records import SPF_LOOKUP_LIMIT, spf_lookup_estimate
from launchready.policy.deploy_policies import (
    AUDIT_CONFIG,
    AUDIT_LOG_TYPES,
    BUILD_ROLES,
    LOG_METRIC,
    RULES_RELEASE,
    SLEEP,
    STRIPE_ENDPOINT,
    build_service_account,
    dns_stable_names,
    event_triggers_ready,
    log_metric_alerts_wait,
    pinned_secret_versions,
    prod_protected,
    public_functions_verify_callers,
    quota_project_provider,
    rules_release_replace,
    txt_strings_split,
)
from launchready.policy.resources import (
    ALERT_POLICY,
    BACKUP_SCHEDULE,
    DNS_RECORD,
    FIRESTORE_DATABASE,
    FUNCTION,
    SECRET_IAM_MEMBER,
    UPTIME_CHECK,
    ZONE_SETTING,
    Resource,
    Validate,
    Violation,
    _iam_members,
    _is_iam,
    _of,
    _prop,
    _require_setting,
    _txt,
    environment,
)
from launchready.policy.sweep_policy import scheduled_sweep

__all__ = ["POLICIES", "LaunchPolicy", "Violation", "AUDIT_CONFIG", "LOG_METRIC", "RULES_RELEASE", "SLEEP",
           "STRIPE_ENDPOINT", "BUILD_ROLES", "AUDIT_LOG_TYPES", "DNS_RECORD", "FUNCTION", "ZONE_SETTING",
           "SECRET_IAM_MEMBER", "ALERT_POLICY", "FIRESTORE_DATABASE", "BACKUP_SCHEDULE", "UPTIME_CHECK"]

PROJECT_LEVEL_IAM = re.compile(r"^gcp:(projects|folder|organizations)/i[aA][mM]")
PRIMITIVE_ROLES = {"roles/owner", "roles/editor"}
SECRET_ROLES = {"roles/secretmanager.secretAccessor", "roles/secretmanager.admin"}
HSTS_MIN_MAX_AGE = 15552000      # 180 days, the usual floor for an A+ grade
TLS_ORDER = ("1.0", "1.1", "1.2", "1.3")
MIN_TLS = "1.2"
STRICT_DMARC = ("quarantine", "reject")


@dataclass(frozen=True)
class LaunchPolicy:
    """One rule: `name` for CrossGuard, `check_id` for `launchready check`."""

    name: str
    check_id: str
    description: str
    severity: str
    remediation: str
    validate: Validate

    def violations(self, resources: Sequence[Resource]) -> list[Violation]:
        return list(self.validate(resources))


# ------------------------------------------------------------------ the policies

def ssl_strict(resources: Sequence[Resource]) -> Iterator[Violation]:
    yield from _require_setting(resources, "ssl", lambda v: v == "strict", "'strict' (Full, strict)")
    yield from _require_setting(resources, "always_use_https", lambda v: v == "on", "'on'")


def min_tls(resources: Sequence[Resource]) -> Iterator[Violation]:
    yield from _require_setting(resources, "min_tls_version",
                                lambda v: v in TLS_ORDER and TLS_ORDER.index(v) >= TLS_ORDER.index(MIN_TLS),
                                f"'{MIN_TLS}' or higher")


def hsts(resources: Sequence[Resource]) -> Iterator[Violation]:
    def ok(value: Any) -> bool:
        sts = value.get("strict_transport_security") if isinstance(value, Mapping) else None
        return isinstance(sts, Mapping) and bool(sts.get("enabled")) and \
            float(sts.get("max_age") or 0) >= HSTS_MIN_MAX_AGE
    yield from _require_setting(resources, "security_header", ok,
                                f"HSTS enabled with max_age >= {HSTS_MIN_MAX_AGE}")


def dmarc_policy(resources: Sequence[Resource]) -> Iterator[Violation]:
    env = environment(resources)
    records = _txt(resources, "v=DMARC1")
    if not records:
        yield Violation("no DMARC record (TXT `_dmarc.<mail domain>`) is managed")
    seen: dict[str, int] = {}
    for record in records:
        name = str(_prop(record, "name"))
        seen[name] = seen.get(name, 0) + 1
        tags = dict(part.strip().split("=", 1) for part in str(_prop(record, "content")).strip('"').split(";")
                    if "=" in part)
        policy = tags.get("p", "").strip()
        if policy not in ("none", *STRICT_DMARC):
            yield Violation(f"DMARC record {name} has no valid `p=` tag", record.urn)
        elif policy == "none" and env != "dev":
            yield Violation(f"DMARC record {name} has p=none in {env or 'an unlabelled'} environment: "
                            f"staging and prod need p=quarantine or p=reject", record.urn)
        if not tags.get("rua", "").strip().startswith("mailto:"):
            yield Violation(f"DMARC record {name} has no `rua=mailto:` aggregate-report address", record.urn)
    yield from (Violation(f"{count} DMARC records at {name}: receivers ignore all of them")
                for name, count in seen.items() if count > 1)


def _spf_lookups(record: str) -> tuple[int, list[str]]:
    terms = record.split()[1:]
    includes = [t.split(":", 1)[1] for t in terms if t.lstrip("+-~?").startswith("include:")]
    count, unknown = spf_lookup_estimate(includes)
    count += sum(1 for t in terms if re.match(r"^[+\-~?]?(a|mx|ptr|exists)([:/]|$)|^redirect=", t))
    return count, unknown


def single_spf(resources: Sequence[Resource]) -> Iterator[Violation]:
    records = _txt(resources, "v=spf1")
    if not records:
        yield Violation("no SPF record (TXT `v=spf1 ...` at the mail domain) is managed")
    by_name: dict[str, list[Resource]] = {}
    for record in records:
        by_name.setdefault(str(_prop(record, "name")), []).append(record)
    for name, found in sorted(by_name.items()):
        if len(found) > 1:
            yield Violation(f"{len(found)} SPF records at {name}: SPF permerrors unless there is exactly one",
                            found[1].urn)
        for record in found:
            lookups, _unknown = _spf_lookups(str(_prop(record, "content")).strip('"'))
            if lookups > SPF_LOOKUP_LIMIT:
                yield Violation(f"SPF at {name} needs ~{lookups} DNS lookups (limit {SPF_LOOKUP_LIMIT})", record.urn)


def no_primitive_roles(resources: Sequence[Resource]) -> Iterator[Violation]:
    for resource in filter(_is_iam, resources):
        role = _prop(resource, "role")
        accounts = [m for m in _iam_members(resource) if m.startswith("serviceAccount:")]
        if role in PRIMITIVE_ROLES and accounts:
            yield Violation(f"{resource.name} grants primitive role {role} to {', '.join(accounts)}", resource.urn)


def secret_access_per_secret(resources: Sequence[Resource]) -> Iterator[Violation]:
    for resource in resources:
        if PROJECT_LEVEL_IAM.match(resource.resource_type) and _prop(resource, "role") in SECRET_ROLES:
            yield Violation(f"{resource.name} grants {_prop(resource, 'role')} on the whole project/folder/org; "
                            "grant it on each secret instead", resource.urn)
    granted = {(str(_prop(g, "secretId")).rsplit("/", 1)[-1], m) for g in _of(resources, SECRET_IAM_MEMBER)
               if _prop(g, "role") == "roles/secretmanager.secretAccessor" for m in _iam_members(g)}
    for function in _of(resources, FUNCTION):
        email = _prop(function, "serviceConfig", "serviceAccountEmail")
        if not isinstance(email, str):
            continue  # not known yet in a first `pulumi preview`; the offline plan always knows it
        account = f"serviceAccount:{email}"
        for variable in _prop(function, "serviceConfig", "secretEnvironmentVariables") or []:
            secret = str(variable.get("secret", "")).rsplit("/", 1)[-1]
            if (secret, account) not in granted:
                yield Violation(f"function {_prop(function, 'name')} reads secret {secret} but its service account "
                                "has no accessor grant on that secret", function.urn)


def stripe_api_version(resources: Sequence[Resource]) -> Iterator[Violation]:
    """Every Stripe webhook endpoint delivers an API version the functions declare they parse."""
    for endpoint in _of(resources, STRIPE_ENDPOINT):
        if _prop(endpoint, "enabled_events") is None:
            continue  # another dynamic resource, not a webhook endpoint
        version = _prop(endpoint, "api_version")
        if not is_supported(version):
            yield Violation(f"Stripe webhook endpoint {endpoint.name} pins API version {version or 'nothing'}, "
                            f"outside the versions the functions parse ({supported_range()})", endpoint.urn)


def prod_data_protection(resources: Sequence[Resource]) -> Iterator[Violation]:
    if environment(resources) not in ("prod", None):
        return
    databases = _of(resources, FIRESTORE_DATABASE)
    if not databases:
        yield Violation("no Firestore database is managed")
    for db in databases:
        if _prop(db, "deleteProtectionState") != "DELETE_PROTECTION_ENABLED":
            yield Violation("prod Firestore database has delete protection off", db.urn)
        if _prop(db, "pointInTimeRecoveryEnablement") != "POINT_IN_TIME_RECOVERY_ENABLED":
            yield Violation("prod Firestore database has point-in-time recovery off", db.urn)
    if databases and not _of(resources, BACKUP_SCHEDULE):
        yield Violation("prod Firestore database has no scheduled backups")


def required_alerts(resources: Sequence[Resource]) -> Iterator[Violation]:
    present: dict[str, Resource] = {}
    for policy in _of(resources, ALERT_POLICY):
        key = (_prop(policy, "userLabels") or {}).get(ALERT_LABEL)
        if key:
            present[key] = policy
    for key in REQUIRED_ALERTS:
        if key not in present:
            yield Violation(f"alert policy `{key}` is missing")
        elif not _prop(present[key], "notificationChannels"):
            yield Violation(f"alert policy `{key}` notifies nobody (no notification channels)", present[key].urn)
    if not _of(resources, UPTIME_CHECK):
        yield Violation("no uptime check watches the app")


POLICIES: tuple[LaunchPolicy, ...] = (
    LaunchPolicy("cloudflare-ssl-strict", "infra.policy.ssl_strict",
                 "Cloudflare SSL mode is Full (strict) and HTTP is always redirected to HTTPS.", "critical",
                 "Set `launchready:tls.sslMode: strict` and `alwaysUseHttps: true` in the stack file.", ssl_strict),
    LaunchPolicy("cloudflare-min-tls", "infra.policy.min_tls",
                 "Cloudflare refuses TLS below 1.2.", "high",
                 "Set `launchready:tls.minTlsVersion: \"1.2\"` (or \"1.3\").", min_tls),
    LaunchPolicy("cloudflare-hsts", "infra.policy.hsts",
                 f"HSTS is on with max-age of at least {HSTS_MIN_MAX_AGE} s.", "high",
                 "Set `launchready:tls.hstsMaxAge: 31536000`.", hsts),
    LaunchPolicy("dmarc-policy", "infra.policy.dmarc",
                 "One DMARC record with rua; p=none only in dev, quarantine/reject in staging and prod.", "high",
                 "Set `launchready:email.dmarcPolicy: quarantine` (or `reject`) and a `dmarcRua: mailto:` address.",
                 dmarc_policy),
    LaunchPolicy("single-spf", "infra.policy.spf",
                 f"Exactly one SPF record per name, within {SPF_LOOKUP_LIMIT} DNS lookups.", "high",
                 "Merge senders into `launchready:email.spfIncludes` and drop includes you no longer use.",
                 single_spf),
    LaunchPolicy("public-functions-verify-callers", "infra.policy.public_access",
                 "Only functions that verify their caller in code (backend.callers.VERIFIED_CALLERS) are invokable "
                 "by allUsers, and each of those is.", "critical",
                 "Remove public grants from anything else; grant roles/run.invoker to allUsers on each declared "
                 "verified-caller function (or add a new one to VERIFIED_CALLERS with its verification).",
                 public_functions_verify_callers),
    LaunchPolicy("build-service-account", "infra.policy.build_account",
                 "Every gen2 function names a build service account that holds the build roles.", "critical",
                 "Set build_config.service_account to a dedicated account granted "
                 f"{', '.join(BUILD_ROLES)}.", build_service_account),
    LaunchPolicy("event-triggers-ready", "infra.policy.event_triggers",
                 "Event-triggered functions wait for service agents and their source, and audit-log triggers have "
                 "the Data Access audit logs they read.", "critical",
                 "Depend on the service-agent Sleep and the Firestore database; add an IAMAuditConfig with "
                 f"{'/'.join(AUDIT_LOG_TYPES)} for the trigger's service.", event_triggers_ready),
    LaunchPolicy("log-metric-alerts-wait", "infra.policy.log_metric_wait",
                 "No alert policy is created right after a log metric it uses without a wait.", "high",
                 "Make alert policies depend on a pulumiverse-time Sleep that depends on the log metrics.",
                 log_metric_alerts_wait),
    LaunchPolicy("quota-project-provider", "infra.policy.quota_project",
                 "Firebase, Identity Platform and Rules resources bill a quota project (user_project_override).",
                 "high", "Create them through a gcp.Provider with user_project_override=True and billing_project "
                         "set to the environment's project.", quota_project_provider),
    LaunchPolicy("dns-stable-names", "infra.policy.dns_stable_names",
                 "Single-valued DNS records (SPF, DMARC, DKIM, Hosting verification) are named by role, not content.",
                 "high", "Name the record's resource by its role (DnsRecordSpec.key) so a new value updates in place.",
                 dns_stable_names),
    LaunchPolicy("pinned-secret-versions", "infra.policy.secret_versions",
                 "Functions pin the secret version they read, so a new version rolls out a new revision.", "high",
                 "Pass the SecretVersion's `version` output instead of `latest`.", pinned_secret_versions),
    LaunchPolicy("rules-release-replace", "infra.policy.rules_release",
                 "The Firestore rules release is replaced delete-before-create (its name is fixed).", "high",
                 "Create the Release with ResourceOptions(delete_before_replace=True).", rules_release_replace),
    LaunchPolicy("prod-protected", "infra.policy.prod_protected",
                 "Prod DNS records updated in place are protected; nothing a change replaces (Stripe endpoints, "
                 "content-named MX/CAA/TXT records) is.", "high",
                 "Protect role-named records in prod (ResourceOptions(protect=True)); never protect Stripe webhook "
                 "endpoints or records whose name carries a content digest.", prod_protected),
    LaunchPolicy("txt-strings-split", "infra.policy.txt_split",
                 "TXT records longer than 255 characters are sent as quoted 255-character strings.", "medium",
                 "Send long TXT values (DKIM keys) split as Cloudflare stores them (infra/components/cloudflare.py "
                 "txt_content).", txt_strings_split),
    LaunchPolicy("no-primitive-roles", "infra.policy.primitive_roles",
                 "No service account holds roles/owner or roles/editor.", "critical",
                 "Grant the specific predefined roles the service account needs instead.", no_primitive_roles),
    LaunchPolicy("secret-access-per-secret", "infra.policy.secret_access",
                 "Secret Manager access is granted per secret, to exactly the functions reading it.", "critical",
                 "Use a SecretIamMember on each secret for each reading function; drop project-level grants.",
                 secret_access_per_secret),
    LaunchPolicy("stripe-api-version", "infra.policy.stripe_api_version",
                 "Every Stripe webhook endpoint pins an API version inside the functions' supported range.", "critical",
                 "Keep `launchready:stripe.apiVersion` (and `nextApiVersion`) within "
                 "functions/backend/events.py's OLDEST..NEWEST_SUPPORTED_API_VERSION; to move past it, teach "
                 "backend/stripe_shapes.py the new shapes first (README: upgrading the Stripe API version).",
                 stripe_api_version),
    LaunchPolicy("prod-data-protection", "infra.policy.prod_data_protection",
                 "Prod Firestore has delete protection, point-in-time recovery and scheduled backups.", "critical",
                 "Leave `launchready:firestore.deleteProtection/pointInTimeRecovery/backups` at their prod defaults.",
                 prod_data_protection),
    LaunchPolicy("required-alerts", "infra.policy.alerts",
                 "Every launch alert policy exists and notifies someone; the app has an uptime check.", "high",
                 "Add at least one address to `launchready:alerts.emails`; keep the monitoring component.",
                 required_alerts),
    LaunchPolicy("scheduled-sweep", "infra.policy.scheduled_sweep",
                 "A Cloud Scheduler job POSTs (OIDC) to the private sweep function, whose only invoker is the "
                 "job's service account.", "high",
                 "Keep the SweepSchedule component (infra/components/scheduler.py) and the `sweep` entry point; "
                 "never grant allUsers on it.", scheduled_sweep),
)
