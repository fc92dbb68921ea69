"""Launch policies for what only a real first `pulumi up` shows: build accounts, audit
logs behind audit-log triggers, verified-caller public functions, waits after log metrics and service
agents, quota-project providers, role-named DNS records, pinned secret versions, rules-release
replacement and prod protection. Plain functions over resources, like the others in `policies.py`.
"""
from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence

from launchready.functions.backend.callers import VERIFIED_CALLERS
from launchready.infra.components.functions import AUDIT_LOG_TYPES, BUILD_ROLES
from launchready.infra.dns_records import single_valued_role
from launchready.policy.fresh_project import seconds
from launchready.policy.fresh_project_data import IAM_PROPAGATION_S, LOG_METRIC_VISIBLE_S
from launchready.policy.resources import (
    ALERT_POLICY,
    DNS_RECORD,
    FIRESTORE_DATABASE,
    FUNCTION,
    PUBLIC_MEMBERS,
    Resource,
    Violation,
    _closure,
    _iam_members,
    _is_iam,
    _of,
    _prop,
    _truthy,
    _waits_for,
    environment,
)

LOG_METRIC = "gcp:logging/metric:Metric"
SLEEP = "time:index/sleep:Sleep"
AUDIT_CONFIG = "gcp:projects/iAMAuditConfig:IAMAuditConfig"
PROJECT_IAM_MEMBER = "gcp:projects/iAMMember:IAMMember"
STRIPE_ENDPOINT = "pulumi-python:dynamic:Resource"
RULES_RELEASE = "gcp:firebaserules/release:Release"
AUDIT_LOG_EVENT = "google.cloud.audit.log.v1.written"
FIRESTORE_EVENT_PREFIX = "google.cloud.firestore."
# Resource types whose API needs a quota project when the deployer uses user credentials.
QUOTA_PROJECT_TYPES = re.compile(r"^gcp:(firebase|identityplatform|firebaserules)/")
LOG_METRIC_REF = re.compile(r'logging\.googleapis\.com/user/([^"\s]+)')


def _function_services(resources: Sequence[Resource]) -> dict[str, Resource]:
    """Cloud Run service name -> gen2 function (a function's service carries the function's name)."""
    return {str(_prop(f, "name")): f for f in _of(resources, FUNCTION) if _prop(f, "name")}


def public_functions_verify_callers(resources: Sequence[Resource]) -> Iterator[Violation]:
    functions = _function_services(resources)
    public_targets: set[str] = set()
    for resource in filter(_is_iam, resources):
        public = PUBLIC_MEMBERS.intersection(_iam_members(resource))
        target = _prop(resource, "name") or _prop(resource, "service") or _prop(resource, "cloudFunction")
        if not public:
            continue
        public_targets.add(str(target))
        function = functions.get(str(target))
        entry = _prop(function, "buildConfig", "entryPoint") if function else None
        if entry not in VERIFIED_CALLERS:
            yield Violation(f"{resource.name} makes {target or resource.resource_type} public "
                            f"({', '.join(sorted(public))}) but it is not a function that verifies its caller "
                            f"(declared: {', '.join(sorted(VERIFIED_CALLERS))})", resource.urn)
    for name, function in sorted(functions.items()):
        entry = _prop(function, "buildConfig", "entryPoint")
        if entry in VERIFIED_CALLERS and not _prop(function, "eventTrigger") and name not in public_targets:
            yield Violation(f"function {name} ({entry}) verifies its callers itself but nobody may invoke it: "
                            "Cloud Run rejects the app's requests before its code runs", function.urn)


def build_service_account(resources: Sequence[Resource]) -> Iterator[Violation]:
    for function in _of(resources, FUNCTION):
        grants = [d for d in _closure(function) if d.resource_type == PROJECT_IAM_MEMBER
                  and _prop(d, "role") in BUILD_ROLES]
        account = _prop(function, "buildConfig", "serviceAccount")
        fn = _prop(function, "name")
        if not grants:
            yield Violation(f"function {fn} builds without a build service account holding "
                            f"{', '.join(BUILD_ROLES)}: on projects created after May 2024 the Compute default "
                            "account Cloud Build falls back to has no roles and the build fails", function.urn)
            continue
        holders = {m for g in grants for m in _iam_members(g)}
        if account is None and holders:  # holders known but no account named: the build runs as the default
            yield Violation(f"function {fn} does not name its build service account (buildConfig.serviceAccount)",
                            function.urn)
        elif isinstance(account, str) and holders:  # both unknown in a first preview
            email = account.rsplit("/", 1)[-1]
            if f"serviceAccount:{email}" not in holders:
                yield Violation(f"function {fn} builds as {email}, which holds none of {', '.join(BUILD_ROLES)}",
                                function.urn)


def _audit_configs(resources: Sequence[Resource]) -> dict[str, set[str]]:
    configs: dict[str, set[str]] = {}
    for config in _of(resources, AUDIT_CONFIG):
        types = {str(c.get("logType")) for c in _prop(config, "auditLogConfigs") or [] if isinstance(c, Mapping)}
        configs.setdefault(str(_prop(config, "service")), set()).update(types)
    return configs


def event_triggers_ready(resources: Sequence[Resource]) -> Iterator[Violation]:
    audits = _audit_configs(resources)
    for function in _of(resources, FUNCTION):
        trigger, fn = _prop(function, "eventTrigger"), _prop(function, "name")
        if not isinstance(trigger, Mapping):
            continue
        event = str(trigger.get("eventType") or "")
        if not _waits_for(function, lambda d: d.resource_type == SLEEP and seconds(_prop(d, "createDuration"))
                          >= IAM_PROPAGATION_S.value):
            yield Violation(f"function {fn} ({event}) is created without waiting {IAM_PROPAGATION_S.value} s for "
                            "its grants and the Eventarc service agents to propagate (a time Sleep)", function.urn)
        if event.startswith(FIRESTORE_EVENT_PREFIX) and not _waits_for(
                function, lambda d: d.resource_type == FIRESTORE_DATABASE):
            yield Violation(f"function {fn} triggers on Firestore but does not wait for the database", function.urn)
        if event == AUDIT_LOG_EVENT:
            service = next((str(f.get("value")) for f in trigger.get("eventFilters") or []
                            if isinstance(f, Mapping) and f.get("attribute") == "serviceName"), None)
            have = audits.get(str(service), set()) | audits.get("allServices", set())
            missing = sorted(set(AUDIT_LOG_TYPES) - have)
            if missing:
                yield Violation(f"function {fn} triggers on {service} audit logs but no IAMAuditConfig enables "
                                f"{', '.join(missing)} for it: the trigger never fires", function.urn)


def log_metric_alerts_wait(resources: Sequence[Resource]) -> Iterator[Violation]:
    metrics = {str(_prop(m, "name")): m for m in _of(resources, LOG_METRIC)}
    for policy in _of(resources, ALERT_POLICY):
        referenced = set(LOG_METRIC_REF.findall(str(_prop(policy, "conditions"))))
        sleeps = [d for d in _closure(policy) if d.resource_type == SLEEP
                  and seconds(_prop(d, "createDuration")) >= LOG_METRIC_VISIBLE_S.value]
        for name in sorted(referenced & set(metrics)):
            metric_urn = metrics[name].urn
            if not any(metric_urn in {d.urn for d in _closure(sleep)} for sleep in sleeps):
                yield Violation(f"alert policy {policy.name} uses log metric {name} created in the same run without "
                                f"a wait of {LOG_METRIC_VISIBLE_S.value} s after it: Monitoring answers "
                                "`Cannot find metric(s)`", policy.urn)


def quota_project_provider(resources: Sequence[Resource]) -> Iterator[Violation]:
    for resource in resources:
        if not QUOTA_PROJECT_TYPES.match(resource.resource_type):
            continue
        provider = getattr(resource, "provider", None)
        props = provider.props if provider is not None else {}
        if not _truthy(props.get("userProjectOverride")) or ("project" in props and not props.get("billingProject")):
            yield Violation(f"{resource.name} ({resource.resource_type.split(':')[1]}) is not created through a "
                            "provider with user_project_override and billing_project: with user credentials the "
                            "API answers `requires a quota project`", resource.urn)


def dns_stable_names(resources: Sequence[Resource]) -> Iterator[Violation]:
    for record in _of(resources, DNS_RECORD):
        role = single_valued_role(str(_prop(record, "type")), str(_prop(record, "content") or ""))
        expected = f"{str(_prop(record, 'type')).lower()}-{role}-{str(_prop(record, 'name')).replace('.', '-')}"
        if role and not record.name.endswith(expected):
            yield Violation(f"{role.upper()} record {_prop(record, 'name')} is named {record.name}, not by its role "
                            f"(…{expected}): a new value would be created beside the old one", record.urn)


def pinned_secret_versions(resources: Sequence[Resource]) -> Iterator[Violation]:
    for function in _of(resources, FUNCTION):
        for variable in _prop(function, "serviceConfig", "secretEnvironmentVariables") or []:
            if isinstance(variable, Mapping) and str(variable.get("version")) == "latest":
                yield Violation(f"function {_prop(function, 'name')} reads {variable.get('key')} at version `latest`: "
                                "a new secret version deploys no new revision and warm instances keep the old value",
                                function.urn)


def rules_release_replace(resources: Sequence[Resource]) -> Iterator[Violation]:
    for release in _of(resources, RULES_RELEASE):
        if not getattr(getattr(release, "opts", None), "delete_before_replace", False):
            yield Violation(f"rules release {_prop(release, 'name')} is replaced create-before-delete: the next rules "
                            "change fails with `already exists` (the release name is fixed)", release.urn)


def _protected(resource: Resource) -> bool:
    return bool(getattr(getattr(resource, "opts", None), "protect", False))


def _named_by_content(record: Resource) -> bool:
    kind = str(_prop(record, "type"))
    return kind in ("TXT", "CAA", "MX") and single_valued_role(kind, str(_prop(record, "content") or "")) is None


def prod_protected(resources: Sequence[Resource]) -> Iterator[Violation]:
    """Prod protects what a config change updates in place, and nothing a change replaces: a protected
    resource cannot be deleted, so its replacement (create + delete) fails half-way."""
    for endpoint in _of(resources, STRIPE_ENDPOINT):
        if _protected(endpoint):
            yield Violation(f"{endpoint.name} is protected, but the documented Stripe API-version upgrade replaces "
                            "the endpoint (its version cannot change in place): the upgrade would fail", endpoint.urn)
    for record in _of(resources, DNS_RECORD):
        if _named_by_content(record) and _protected(record):
            yield Violation(f"{record.name} ({_prop(record, 'type')}) is protected but named by its content: a new "
                            "value is a create + delete, and the delete of a protected record fails", record.urn)
        elif environment(resources) == "prod" and not _named_by_content(record) and not _protected(record):
            yield Violation(f"prod {record.name} is not protected: `pulumi destroy` or a rename would delete it",
                            record.urn)


TXT_STRING_MAX = 255


def txt_strings_split(resources: Sequence[Resource]) -> Iterator[Violation]:
    for record in _of(resources, DNS_RECORD):
        content = str(_prop(record, "content") or "")
        if _prop(record, "type") == "TXT" and len(content) > TXT_STRING_MAX and not content.startswith('"'):
            yield Violation(f"TXT {_prop(record, 'name')} is {len(content)} characters in one string: Cloudflare "
                            "splits it into 255-character strings itself and every `up` shows a diff "
                            "(cloudflare provider #6238)", record.urn)
