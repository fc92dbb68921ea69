"""The fresh-project simulation: walk a stack's plan in dependency order against a model of a
brand-new project (launchready.policy.fresh_project_data) and name every resource whose
preconditions are not met by what it waits for.

A resource waits for its dependencies, its provider and (transitively) what they wait for: that is
the order the Pulumi engine keeps. Preconditions, by rule:

- `apis`: every API the resource calls is enabled by a `Service` it waits for, in the project that
  pays for the call — the environment's project through a provider with `user_project_override`,
  the deployer's quota project (preflight checks `BOOTSTRAP_APIS` there) otherwise;
- `agents`: the service agents an event trigger needs were made (`ServiceIdentity`) before it;
- `propagation`: IAM grants a function deploy relies on, and log metrics an alert reads, are behind
  a Sleep at least as long as Google documents (values are checked, not only presence);
- `org_policy`: what the stack declares about its org (`launchready:orgPolicy`) lets the plan's
  locations and members through.
"""
from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from launchready.infra.first_deploy import BOOTSTRAP_APIS
from launchready.policy import fresh_project_data as data
from launchready.policy.resources import Resource, Violation, _prop

SERVICE = "gcp:projects/service:Service"
SERVICE_IDENTITY = "gcp:projects/serviceIdentity:ServiceIdentity"
SLEEP = "time:index/sleep:Sleep"
FUNCTION = "gcp:cloudfunctionsv2/function:Function"
ALERT_POLICY = "gcp:monitoring/alertPolicy:AlertPolicy"
LOG_METRIC = "gcp:logging/metric:Metric"
SECRET = "gcp:secretmanager/secret:Secret"
RULES: tuple[str, ...] = ("apis", "agents", "propagation", "org_policy")
_DURATION = re.compile(r"(\d+(?:\.\d+)?)(h|ms|m|s)")
_UNIT = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001}
_METRIC_REF = re.compile(r'logging\.googleapis\.com/user/([^"\s\\]+)')


@dataclass(frozen=True)
class OrgPolicies:
    """What the stack declares about its organization (a plain view of `launchready:orgPolicy`)."""

    resource_locations: tuple[str, ...] = ()
    domain_restricted_sharing: str = "none"     # none | enforced | project-exception


def seconds(duration: Any) -> float:
    """A Go duration (`90s`, `10m`, `1m30s`) in seconds; anything else is 0 (no wait)."""
    text = str(duration or "").strip()
    parts = _DURATION.findall(text)
    if not parts or "".join(n + u for n, u in parts) != text:
        return 0.0
    return sum(float(n) * _UNIT[u] for n, u in parts)


def waits_for(resource: Resource) -> dict[str, Resource]:
    """urn -> everything `resource` waits for: dependencies and provider, transitively."""
    seen: dict[str, Resource] = {}
    todo = [*(getattr(resource, "dependencies", None) or []), getattr(resource, "provider", None)]
    while todo:
        item = todo.pop()
        if item is None or item.urn in seen:
            continue
        seen[item.urn] = item
        todo.extend([*(getattr(item, "dependencies", None) or []), getattr(item, "provider", None)])
    return seen


def dependency_order(resources: Sequence[Resource]) -> list[Resource]:
    """The resources as the engine would create them: everything after what it waits for."""
    ordered: list[Resource] = []
    placed: set[str] = set()

    def place(resource: Resource, trail: frozenset[str]) -> None:
        if resource.urn in placed or resource.urn in trail:
            return
        for dep in [*(getattr(resource, "dependencies", None) or []), getattr(resource, "provider", None)]:
            if dep is not None:
                place(dep, trail | {resource.urn})
        placed.add(resource.urn)
        ordered.append(resource)

    for resource in resources:
        place(resource, frozenset())
    wanted = {r.urn for r in resources}
    return [r for r in ordered if r.urn in wanted]


def _bills_environment(resource: Resource) -> bool:
    provider = getattr(resource, "provider", None)
    props = provider.props if provider is not None else {}
    return str(props.get("userProjectOverride")).lower() == "true" and bool(props.get("billingProject"))


def _enabled(before: dict[str, Resource]) -> set[str]:
    services = {str(_prop(r, "service")) for r in before.values() if r.resource_type == SERVICE}
    return {s.removesuffix(data.GOOGLEAPIS) for s in services} | set(data.DEFAULT_SERVICES.value)


def _apis(resource: Resource) -> tuple[str, ...] | None:
    row = data.TYPE_APIS.get(resource.resource_type)
    if row is None:
        return None
    apis = tuple(row.value)
    if resource.resource_type == FUNCTION and _prop(resource, "eventTrigger"):
        apis += tuple(data.EVENT_TRIGGER_APIS.value)
    return apis


def _short(resource: Resource) -> str:
    return f"{resource.name} ({resource.resource_type.split(':')[1].split('/')[-1]})"


def check_apis(resource: Resource, before: dict[str, Resource]) -> Iterator[Violation]:
    if not resource.resource_type.startswith("gcp:"):
        return
    apis = _apis(resource)
    if apis is None:
        yield Violation(f"{_short(resource)}: the fresh-project model has no row for {resource.resource_type} "
                        "(add the API it calls to launchready/policy/fresh_project_data.py)", resource.urn)
        return
    billed_here = _bills_environment(resource)
    quota = {a.removesuffix(data.GOOGLEAPIS) for a in BOOTSTRAP_APIS}
    caller_billed = resource.resource_type in data.CALLER_BILLED.value
    enabled = _enabled(before)
    for api in apis:
        if billed_here and api not in enabled:
            yield Violation(f"{_short(resource)} calls {api}.googleapis.com billed to the environment's project "
                            "(provider with user_project_override) but waits for no Service enabling it there: "
                            "SERVICE_DISABLED on a fresh project", resource.urn)
        elif not billed_here and api not in quota:
            yield Violation(f"{_short(resource)} calls {api}.googleapis.com billed to the deployer's quota project, "
                            "where preflight does not make sure it is on: create it through the quota-project "
                            "provider", resource.urn)
        elif not billed_here and not caller_billed and api not in enabled:
            yield Violation(f"{_short(resource)} calls {api}.googleapis.com on the environment's project but waits "
                            "for no Service enabling it there", resource.urn)


def check_agents(resource: Resource, before: dict[str, Resource]) -> Iterator[Violation]:
    if resource.resource_type != FUNCTION or not _prop(resource, "eventTrigger"):
        return
    made = {str(_prop(r, "service")).removesuffix(data.GOOGLEAPIS)
            for r in before.values() if r.resource_type == SERVICE_IDENTITY}
    for agent in data.AGENTS_FOR_EVENT_TRIGGERS.value:
        if agent not in made:
            yield Violation(f"{_short(resource)} has an event trigger but no ServiceIdentity makes the {agent} "
                            "service agent before it: the trigger fails on a fresh project", resource.urn)


def _behind_sleep(item: Resource, before: dict[str, Resource]) -> float:
    """The longest Sleep among `before` that waits for `item` (0 when none)."""
    return max((seconds(_prop(s, "createDuration")) for s in before.values()
                if s.resource_type == SLEEP and item.urn in waits_for(s)), default=0.0)


def check_propagation(resource: Resource, before: dict[str, Resource]) -> Iterator[Violation]:
    if resource.resource_type in data.PROPAGATION_CONSUMERS.value:
        minimum = float(data.IAM_PROPAGATION_S.value)
        for grant in before.values():
            if grant.resource_type in data.IAM_GRANT_TYPES.value:
                waited = _behind_sleep(grant, before)
                if waited < minimum:
                    yield Violation(f"{_short(resource)} is created {waited:g} s after {_short(grant)}; IAM needs "
                                    f"{minimum:g} s to propagate (a Sleep after the grant, before the function)",
                                    resource.urn)
    if resource.resource_type == ALERT_POLICY:
        minimum = float(data.LOG_METRIC_VISIBLE_S.value)
        metrics = {str(_prop(m, "name")): m for m in before.values() if m.resource_type == LOG_METRIC}
        for name in sorted(set(_METRIC_REF.findall(str(_prop(resource, "conditions")))) & set(metrics)):
            waited = _behind_sleep(metrics[name], before)
            if waited < minimum:
                yield Violation(f"{_short(resource)} reads log metric {name} {waited:g} s after creating it; "
                                f"Monitoring may need {minimum:g} s to see it (`Cannot find metric(s)`)", resource.urn)


def _locations(resource: Resource) -> list[str]:
    kind = resource.resource_type
    if kind == SECRET:
        replication = _prop(resource, "replication") or {}
        if isinstance(replication, Mapping) and "auto" in replication:
            return [str(data.AUTO_REPLICATION_LOCATION.value)]
        replicas = _prop(resource, "replication", "userManaged", "replicas") or []
        return [str(r.get("location")) for r in replicas if isinstance(r, Mapping)]
    value = _prop(resource, "locationId") if kind == "gcp:firestore/database:Database" else \
        _prop(resource, "location") if kind in ("gcp:storage/bucket:Bucket", FUNCTION) else None
    return [str(value)] if isinstance(value, str) else []


def check_org_policy(resource: Resource, org: OrgPolicies) -> Iterator[Violation]:
    allowed = org.resource_locations
    for location in _locations(resource) if allowed else []:
        if not any(data.in_group(location, value) for value in allowed):
            yield Violation(f"{_short(resource)} is created in {location}, which launchready:orgPolicy."
                            f"resourceLocations ({', '.join(allowed)}) does not allow", resource.urn)
    if org.domain_restricted_sharing == "enforced":
        members = [m for m in [_prop(resource, "member"), *(_prop(resource, "members") or [])] if isinstance(m, str)]
        public = sorted(data.DRS_PUBLIC_MEMBERS.value.intersection(members))
        if public:
            yield Violation(f"{_short(resource)} grants {', '.join(public)}, which domain restricted sharing "
                            "(launchready:orgPolicy.domainRestrictedSharing: enforced) rejects: choose "
                            "project-exception and deploy in two steps (docs/provisioning.md)", resource.urn)


def simulate(resources: Sequence[Resource], org: OrgPolicies = OrgPolicies()) -> dict[str, list[Violation]]:
    """Rule -> violations, each list in the order the engine would create the resources."""
    found: dict[str, list[Violation]] = {rule: [] for rule in RULES}
    for resource in dependency_order(resources):
        before = waits_for(resource)
        found["apis"].extend(check_apis(resource, before))
        found["agents"].extend(check_agents(resource, before))
        found["propagation"].extend(check_propagation(resource, before))
        found["org_policy"].extend(check_org_policy(resource, org))
    return found
