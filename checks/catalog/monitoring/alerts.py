"""The alert policies and notification channels the plan creates exist in Cloud Monitoring.

Reads `GET {base}/v3/projects/{project}/alertPolicies` and `/notificationChannels` (paged). Against
the real API Google application-default credentials are needed; a `--monitoring-api-base` stand-in
is read without them. Planned objects are matched by display name (channels also by address).
"""
from __future__ import annotations

from typing import Any

import httpx
from tenacity import retry, retry_if_exception, stop_after_attempt, wait_random_exponential

from launchready.checks.framework.base import Check, Severity
from launchready.checks.framework.registry import register
from launchready.google_credentials import access_token

GOOGLE_API = "https://monitoring.googleapis.com"
POLICY_TYPE = "gcp:monitoring/alertPolicy:AlertPolicy"
CHANNEL_TYPE = "gcp:monitoring/notificationChannel:NotificationChannel"
TIMEOUT_S = 3.0
NO_CREDENTIALS = ("no Google credentials for the Cloud Monitoring API: run `gcloud auth application-default login` "
                  "or set GOOGLE_APPLICATION_CREDENTIALS (roles/monitoring.viewer is enough), or point "
                  "--monitoring-api-base at a stand-in")


class Unavailable(Exception):
    """The API could not be asked: the check skips with this reason."""


def _retryable(exc: BaseException) -> bool:
    return isinstance(exc, httpx.TransportError) or (
        isinstance(exc, httpx.HTTPStatusError) and exc.response.status_code in (429, 500, 502, 503, 504))


def _auth_headers(base: str) -> dict[str, str]:
    if base != GOOGLE_API:
        return {}
    import google.auth.exceptions

    try:
        token = access_token(["https://www.googleapis.com/auth/monitoring.read"])
    except google.auth.exceptions.GoogleAuthError as exc:
        raise Unavailable(f"{NO_CREDENTIALS} ({type(exc).__name__})") from None
    if token is None:
        raise Unavailable(NO_CREDENTIALS)
    return {"Authorization": f"Bearer {token}"}


@retry(retry=retry_if_exception(_retryable), stop=stop_after_attempt(3), wait=wait_random_exponential(max=1),
       reraise=True)
def _page(client: httpx.Client, url: str, token: str | None) -> dict[str, Any]:
    response = client.get(url, params={"pageSize": 500, **({"pageToken": token} if token else {})})
    response.raise_for_status()
    return response.json()


def list_all(ctx, collection: str) -> list[dict[str, Any]]:
    """Every item of `alertPolicies` or `notificationChannels` in the environment's project."""
    base = (ctx.targets.monitoring_api_base or GOOGLE_API).rstrip("/")
    url = f"{base}/v3/projects/{ctx.config.gcp.project_id}/{collection}"
    items, token = [], None
    with httpx.Client(timeout=TIMEOUT_S, headers=_auth_headers(base), trust_env=False) as client:
        while True:
            body = _page(client, url, token)
            items += body.get(collection, [])
            token = body.get("nextPageToken")
            if not token:
                return items


class _MonitoringCheck(Check):
    needs = ("plan",)
    severity = Severity.HIGH
    live = True
    collection: str = ""
    planned_type: str = ""

    def compare(self, ctx, planned: list, live: list[dict[str, Any]], evidence: dict[str, Any]):
        raise NotImplementedError

    def run(self, ctx):
        planned = ctx.plan.of_type(self.planned_type)
        if not planned:
            return self.skipped(f"the plan creates no {self.collection}")
        evidence: dict[str, Any] = {"project": ctx.config.gcp.project_id,
                                    "api": ctx.targets.monitoring_api_base or GOOGLE_API}
        try:
            live = list_all(ctx, self.collection)
        except Unavailable as exc:
            return self.skipped(str(exc))
        except httpx.HTTPStatusError as exc:
            return self.failed(f"Cloud Monitoring answered {exc.response.status_code} for {self.collection}",
                               evidence, remediation="Check the project id and that the credentials may read "
                                                     "monitoring (roles/monitoring.viewer).")
        except (httpx.HTTPError, ValueError) as exc:
            return self.failed(f"Cloud Monitoring API unreachable: {type(exc).__name__}: {exc}", evidence,
                               remediation="Check network access to the Cloud Monitoring API or "
                                           "--monitoring-api-base.")
        return self.compare(ctx, planned, live, evidence)


@register
class AlertPoliciesExist(_MonitoringCheck):
    id = "monitoring.alerts.policies"
    title = "The planned alert policies exist, are enabled and notify someone"
    collection = "alertPolicies"
    planned_type = POLICY_TYPE
    remediation = ("Run `pulumi up --stack <stack>` to create the missing alert policies; re-enable policies "
                   "switched off in the console and attach a notification channel.")

    def compare(self, ctx, planned, live, evidence):
        by_name = {p.get("displayName"): p for p in live}
        missing, disabled, silent = [], [], []
        for resource in planned:
            name = resource.get("display_name")
            policy = by_name.get(name)
            if policy is None:
                missing.append(name)
            elif policy.get("enabled", True) is False:
                disabled.append(name)
            elif not policy.get("notificationChannels"):
                silent.append(name)
        evidence.update(planned=len(planned), missing=missing, disabled=disabled, without_channels=silent)
        if missing or disabled or silent:
            parts = [f"{len(v)} {k}" for k, v in (("missing", missing), ("disabled", disabled),
                                                   ("without notification channels", silent)) if v]
            return self.failed(f"alert policies: {', '.join(parts)}: {', '.join(missing + disabled + silent)}",
                               evidence)
        return self.passed(f"all {len(planned)} planned alert policies exist and notify", evidence)


@register
class NotificationChannelsExist(_MonitoringCheck):
    id = "monitoring.alerts.channels"
    title = "The planned notification channels exist and are enabled"
    collection = "notificationChannels"
    planned_type = CHANNEL_TYPE
    remediation = ("Run `pulumi up --stack <stack>` to create the channels for `launchready:alerts.emails`; re-enable channels "
                   "switched off in the console.")

    def compare(self, ctx, planned, live, evidence):
        def key(channel_type, labels, display_name):
            address = (labels or {}).get("email_address")
            return (channel_type, address) if address else (channel_type, display_name)

        by_key = {key(c.get("type"), c.get("labels"), c.get("displayName")): c for c in live}
        missing, disabled = [], []
        for resource in planned:
            wanted = key(resource.get("type"), resource.get("labels"), resource.get("display_name"))
            channel = by_key.get(wanted)
            label = resource.get("display_name") or str(wanted)
            if channel is None:
                missing.append(label)
            elif channel.get("enabled", True) is False:
                disabled.append(label)
        evidence.update(planned=len(planned), missing=missing, disabled=disabled)
        if missing or disabled:
            return self.failed(f"notification channels: {len(missing)} missing, {len(disabled)} disabled: "
                               f"{', '.join(missing + disabled)}", evidence)
        return self.passed(f"all {len(planned)} planned notification channels exist", evidence)
