"""What the handover docs take from the offline plan (`infra.plan.build_plan`): which function reads
which secret, the alert policies and where they notify, and resource counts.

Only named, non-secret fields are read from resource inputs; nothing here copies inputs wholesale.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from launchready.config.model import EnvironmentConfig


@dataclass(frozen=True)
class AlertEntry:
    name: str
    condition: str
    notifies: tuple[str, ...]

FUNCTION_TYPE = "gcp:cloudfunctionsv2/function:Function"
ALERT_TYPE = "gcp:monitoring/alertPolicy:AlertPolicy"
CHANNEL_TYPE = "gcp:monitoring/notificationChannel:NotificationChannel"


def _get(mapping: Any, *keys: str) -> Any:
    """First present key (inputs may be camelCase or snake_case depending on the SDK path)."""
    if not isinstance(mapping, dict):
        return None
    for key in keys:
        if key in mapping:
            return mapping[key]
    return None


def _of_type(plan: Any, type_: str) -> Iterable[Any]:
    return sorted((r for r in plan.resources if r.type == type_), key=lambda r: r.name)


def entry_point(resource: Any) -> str:
    build = _get(resource.inputs, "buildConfig", "build_config")
    return _get(build, "entryPoint", "entry_point") or resource.name


def secret_readers(plan: Any) -> dict[str, tuple[str, ...]]:
    """Env var name -> entry points that have it bound as a secret environment variable."""
    readers: dict[str, set[str]] = {}
    for fn in _of_type(plan, FUNCTION_TYPE):
        service = _get(fn.inputs, "serviceConfig", "service_config") or {}
        for binding in _get(service, "secretEnvironmentVariables", "secret_environment_variables") or []:
            key = _get(binding, "key")
            if isinstance(key, str):
                readers.setdefault(key, set()).add(entry_point(fn))
    return {key: tuple(sorted(names)) for key, names in readers.items()}


def _condition_text(policy: Any) -> str:
    parts = []
    for condition in _get(policy.inputs, "conditions") or []:
        name = _get(condition, "displayName", "display_name")
        threshold = _get(condition, "conditionThreshold", "condition_threshold") or {}
        matched = _get(condition, "conditionMatchedLog", "condition_matched_log") or {}
        detail = _get(threshold, "filter") or _get(matched, "filter")
        text = name or ""
        if isinstance(detail, str) and detail:
            text = f"{text} (`{' '.join(detail.split())}`)" if text else f"`{' '.join(detail.split())}`"
        if text:
            parts.append(text)
    return "; ".join(parts) or "see the policy in Cloud Monitoring"


def alert_entries(plan: Any, config: EnvironmentConfig) -> list[AlertEntry]:
    channels = [_get(c.inputs, "labels") or {} for c in _of_type(plan, CHANNEL_TYPE)]
    emails = sorted({e for label in channels for e in [_get(label, "email_address")] if isinstance(e, str)})
    notifies = tuple(f"email: {e}" for e in (emails or config.alerts.emails)) or ("no notification channel",)
    entries = []
    for policy in _of_type(plan, ALERT_TYPE):
        name = _get(policy.inputs, "displayName", "display_name") or policy.name
        entries.append(AlertEntry(name=str(name), condition=_condition_text(policy), notifies=notifies))
    return entries


def plan_counts(plan: Any) -> dict[str, int]:
    """Planned resources per type (sorted), for the environment overview."""
    return dict(sorted(Counter(r.type for r in plan.resources).items()))
