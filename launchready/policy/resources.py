"""What every launch policy works on: the resource shape (CrossGuard's PolicyResource, or a planned
resource from the offline plan), the violation, the resource types, and small helpers."""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

ZONE_SETTING = "cloudflare:index/zoneSetting:ZoneSetting"
DNS_RECORD = "cloudflare:index/dnsRecord:DnsRecord"
FUNCTION = "gcp:cloudfunctionsv2/function:Function"
SECRET_IAM_MEMBER = "gcp:secretmanager/secretIamMember:SecretIamMember"
FIRESTORE_DATABASE = "gcp:firestore/database:Database"
BACKUP_SCHEDULE = "gcp:firestore/backupSchedule:BackupSchedule"
ALERT_POLICY = "gcp:monitoring/alertPolicy:AlertPolicy"
UPTIME_CHECK = "gcp:monitoring/uptimeCheckConfig:UptimeCheckConfig"
PUBLIC_MEMBERS = {"allUsers", "allAuthenticatedUsers"}


class Resource(Protocol):
    resource_type: str
    props: Mapping[str, Any]
    name: str
    urn: str


@dataclass(frozen=True)
class Violation:
    message: str
    urn: str | None = None


Validate = Callable[[Sequence[Resource]], Iterable[Violation]]


def _of(resources: Sequence[Resource], *types: str) -> list[Resource]:
    return [r for r in resources if r.resource_type in types]


def _prop(resource: Resource, *path: str) -> Any:
    value: Any = resource.props
    for key in path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value


def environment(resources: Sequence[Resource]) -> str | None:
    """The stack's environment, from the `environment` label every labelled resource carries."""
    for resource in resources:
        labels = _prop(resource, "labels") or _prop(resource, "userLabels")
        if isinstance(labels, Mapping) and isinstance(labels.get("environment"), str):
            return labels["environment"]
    return None


def _settings(resources: Sequence[Resource], setting_id: str) -> list[Resource]:
    return [r for r in _of(resources, ZONE_SETTING) if _prop(r, "settingId") == setting_id]


def _require_setting(resources: Sequence[Resource], setting_id: str,
                     ok: Callable[[Any], bool], expected: str) -> Iterator[Violation]:
    found = _settings(resources, setting_id)
    if not found:
        yield Violation(f"no Cloudflare `{setting_id}` zone setting is managed (expected {expected})")
    for resource in found:
        value = _prop(resource, "value")
        if not ok(value):
            yield Violation(f"Cloudflare `{setting_id}` is {value!r}, expected {expected}", resource.urn)


def _txt(resources: Sequence[Resource], prefix: str) -> list[Resource]:
    return [r for r in _of(resources, DNS_RECORD)
            if _prop(r, "type") == "TXT" and str(_prop(r, "content") or "").strip('"').startswith(prefix)]


def _iam_members(resource: Resource) -> list[str]:
    member = _prop(resource, "member")
    members = _prop(resource, "members") or []
    return [m for m in [member, *members] if isinstance(m, str)]


def _closure(resource: Resource) -> list[Resource]:
    """Everything `resource` waits for, directly or through other resources (depends_on and inputs)."""
    seen: dict[str, Resource] = {}
    stack = list(getattr(resource, "dependencies", None) or [])
    while stack:
        dep = stack.pop()
        if dep.urn not in seen:
            seen[dep.urn] = dep
            stack.extend(getattr(dep, "dependencies", None) or [])
    return list(seen.values())


def _waits_for(resource: Resource, predicate: Callable[[Resource], bool]) -> bool:
    return any(predicate(dep) for dep in _closure(resource))


def _truthy(value: Any) -> bool:
    return value is True or str(value).lower() == "true"


def _is_iam(resource: Resource) -> bool:
    return "iam" in resource.resource_type.split(":")[-1].lower() and _prop(resource, "role") is not None
