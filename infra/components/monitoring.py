"""Monitoring: notification channels, log-based metrics and the alert policies launch needs, plus an
uptime check on the app. Each alert policy carries `user_labels.launchready-alert = <key>` so the
policy pack can prove the required ones exist."""
from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp
import pulumiverse_time as time

from launchready.functions.backend.log_messages import (
    SYNC_DEAD_LETTERED,
    WEBHOOK_ALERT_MESSAGES,
    WEBHOOK_EVENT_UNMATCHED,
)
from launchready.infra.first_deploy import WAITS

ALERT_LABEL = "launchready-alert"
RUN = 'resource.type="cloud_run_revision"'
ERROR_RATE_THRESHOLD = 0.01       # 1 % of requests answered 5xx
LATENCY_P95_MS = 500
WEBHOOK_FAILED_ATTEMPTS = 3


def _message(text: str) -> str:
    return f'(jsonPayload.message="{text}" OR textPayload:"{text}")'


@dataclass(frozen=True)
class LogMetric:
    name: str
    description: str
    filter: str


def log_metrics(service: dict[str, str]) -> tuple[LogMetric, ...]:
    """The log-based counters; `service` maps function role -> deployed service name."""
    def svc(key: str) -> str:
        return f'{RUN} AND resource.labels.service_name="{service[key]}"'
    return (
        LogMetric("launchready/payment_sync_failures", "Sync attempts of payment state that failed",
                  f"{svc('sync')} AND severity>=ERROR"),
        LogMetric("launchready/sync_dead_lettered", "Sync tasks given up after the last attempt",
                  f"{svc('sync')} AND severity>=ERROR AND {_message(SYNC_DEAD_LETTERED)}"),
        LogMetric("launchready/webhook_failures", "Stripe webhook deliveries answered with 5xx",
                  f'{svc("webhook")} AND httpRequest.status>=500'),
        LogMetric("launchready/webhook_unmatched", "Verified Stripe events dead-lettered (never linked) or rejected",
                  f"{svc('webhook')} AND ({' OR '.join(_message(m) for m in WEBHOOK_ALERT_MESSAGES)})"),
    )


@dataclass(frozen=True)
class AlertSpec:
    key: str
    display_name: str
    condition: dict
    documentation: str


def _log_threshold(metric: str, *, above: float, window_s: int, title: str) -> dict:
    return {"display_name": title, "condition_threshold": {
        "filter": f'{RUN} AND metric.type="logging.googleapis.com/user/{metric}"',
        "comparison": "COMPARISON_GT", "threshold_value": above, "duration": "0s",
        "aggregations": [{"alignment_period": f"{window_s}s", "per_series_aligner": "ALIGN_SUM",
                          "cross_series_reducer": "REDUCE_SUM"}],
        "trigger": {"count": 1}}}


def _uptime_condition(check_filter: pulumi.Input[str]) -> dict:
    return {"display_name": "uptime check failing from 2+ regions", "condition_threshold": {
        "filter": check_filter, "comparison": "COMPARISON_GT", "threshold_value": 1,
        "duration": "300s", "trigger": {"count": 1},
        "aggregations": [{"alignment_period": "300s", "per_series_aligner": "ALIGN_NEXT_OLDER",
                          "cross_series_reducer": "REDUCE_COUNT_FALSE", "group_by_fields": ["resource.label.host"]}]}}


def alert_specs(uptime_filter: pulumi.Input[str], api_uptime_filter: pulumi.Input[str] = "") -> list[AlertSpec]:
    """Every alert a launch needs. Pure data (no Outputs are made here), so importing the module
    or listing the keys never touches the Pulumi runtime."""
    return [
        AlertSpec("payment-sync-failed", "Payment sync failed",
                  _log_threshold("launchready/payment_sync_failures", above=0, window_s=60,
                                 title="sync worker logged an error (alerts within 5 minutes)"),
                  "A payment state change did not reach the CRM/support desk. See the sync_tasks runbook."),
        AlertSpec("webhook-failures", "Stripe webhook failing",
                  _log_threshold("launchready/webhook_failures", above=WEBHOOK_FAILED_ATTEMPTS - 1, window_s=3600,
                                 title=f"{WEBHOOK_FAILED_ATTEMPTS}+ failed webhook deliveries in an hour"),
                  "Stripe is retrying deliveries; check the webhook function's logs and the signing secret."),
        AlertSpec("sync-dead-lettered", "Sync task dead-lettered",
                  _log_threshold("launchready/sync_dead_lettered", above=0, window_s=300,
                                 title=f'log "{SYNC_DEAD_LETTERED}"'),
                  "A sync task exhausted its attempts; replay it from sync_tasks (status=dead)."),
        AlertSpec("webhook-unmatched", "Stripe event dead-lettered or rejected",
                  _log_threshold("launchready/webhook_unmatched", above=0, window_s=300,
                                 title=f'log "{WEBHOOK_EVENT_UNMATCHED}"'),
                  ("A verified event was dead-lettered (never linked to a user) or rejected (unapplicable shape); see "
                   "stripe_events with status dead|rejected and replay it (README, Functions).")),
        AlertSpec("function-error-rate", "Function error rate above 1%",
                  {"display_name": "5xx share of requests > 1% over 5 minutes",
                   "condition_prometheus_query_language": {
                       "query": ('sum(rate(run_googleapis_com:request_count{monitored_resource="cloud_run_revision",'
                                 'response_code_class="5xx"}[5m])) / sum(rate(run_googleapis_com:request_count'
                                 f'{{monitored_resource="cloud_run_revision"}}[5m])) > {ERROR_RATE_THRESHOLD}'),
                       "duration": "300s", "evaluation_interval": "60s"}},
                  "More than 1% of function requests fail; check the latest deploy and error logs."),
        AlertSpec("function-latency-p95", "Function p95 latency above 500 ms",
                  {"display_name": f"p95 request latency > {LATENCY_P95_MS} ms for 5 minutes",
                   "condition_threshold": {
                       "filter": f'{RUN} AND metric.type="run.googleapis.com/request_latencies"',
                       "comparison": "COMPARISON_GT", "threshold_value": LATENCY_P95_MS, "duration": "300s",
                       "aggregations": [{"alignment_period": "60s", "per_series_aligner": "ALIGN_PERCENTILE_95"}],
                       "trigger": {"count": 1}}},
                  "Functions are slow; check cold starts, max instances and downstream API latency."),
        AlertSpec("app-uptime", "App unreachable", _uptime_condition(uptime_filter),
                  "The app's hostname does not answer over HTTPS; check Hosting, DNS and the certificate."),
        AlertSpec("api-uptime", "Webhook host unreachable", _uptime_condition(api_uptime_filter),
                  "The API hostname's webhook path answers 5xx or not at all: Stripe deliveries fail. Check the "
                  "webhook function, the API Hosting site's release, DNS and the certificate."),
    ]


def uptime_filter(check_id: str) -> str:
    return ('metric.type="monitoring.googleapis.com/uptime_check/check_passed" AND resource.type="uptime_url"'
            f' AND metric.labels.check_id="{check_id}"')


REQUIRED_ALERTS: tuple[str, ...] = tuple(s.key for s in alert_specs(""))


@dataclass(frozen=True)
class BudgetArgs:
    billing_account: str
    project_number: pulumi.Input[str]
    amount: int
    thresholds: list[float]


@dataclass(frozen=True)
class MonitoringArgs:
    project_id: pulumi.Input[str]
    emails: list[str]
    app_host: str
    services: dict[str, str]      # "webhook"/"sync" -> Cloud Run service name
    environment: str
    api_host: str                 # the webhook path's uptime check
    webhook_path: str
    budget: BudgetArgs | None = None


class Monitoring(pulumi.ComponentResource):
    def __init__(self, name: str, args: MonitoringArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("launchready:gcp:Monitoring", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        channels = [
            gcp.monitoring.NotificationChannel(
                f"{name}-email-{i}", project=args.project_id, type="email", display_name=f"{email} ({args.environment})",
                labels={"email_address": email}, opts=child).name
            for i, email in enumerate(args.emails)
        ]
        metrics = [
            gcp.logging.Metric(f"{name}-metric-{m.name.split('/')[-1]}", project=args.project_id, name=m.name,
                               description=m.description, filter=m.filter,
                               metric_descriptor={"metric_kind": "DELTA", "value_type": "INT64", "unit": "1"},
                               opts=child)
            for m in log_metrics(args.services)
        ]
        api_uptime = self._api_uptime(name, args)
        if args.budget:
            self._budget(name, args, args.budget, channels)
        uptime = gcp.monitoring.UptimeCheckConfig(
            f"{name}-uptime-app", project=args.project_id, display_name=f"{args.app_host} ({args.environment})",
            timeout="10s", period="300s",
            http_check={"path": "/", "port": 443, "use_ssl": True, "validate_ssl": True,
                        "accepted_response_status_codes": [{"status_class": "STATUS_CLASS_2XX"},
                                                           {"status_class": "STATUS_CLASS_3XX"}]},
            monitored_resource={"type": "uptime_url", "labels": {"host": args.app_host, "project_id": args.project_id}},
            opts=child)
        # Monitoring sees a new log metric only after a while; an alert created at once fails with
        # "Cannot find metric(s)" even with depends_on. The sleep runs on creation only.
        settled = time.Sleep(f"{name}-log-metrics-propagation", create_duration=WAITS["log-metrics"].duration,
                             triggers={m.name: m.filter for m in log_metrics(args.services)},
                             opts=pulumi.ResourceOptions(parent=self, depends_on=metrics))
        after_metrics = pulumi.ResourceOptions(parent=self, depends_on=[settled])
        for spec in alert_specs(uptime.uptime_check_id.apply(uptime_filter),
                                api_uptime.uptime_check_id.apply(uptime_filter)):
            gcp.monitoring.AlertPolicy(
                f"{name}-alert-{spec.key}", project=args.project_id, display_name=f"{spec.display_name} ({args.environment})",
                combiner="OR", conditions=[spec.condition], notification_channels=channels,
                user_labels={ALERT_LABEL: spec.key, "environment": args.environment},
                documentation={"content": spec.documentation, "mime_type": "text/markdown"},
                alert_strategy={"auto_close": "1800s"}, opts=after_metrics)
        self.register_outputs({"alerts": list(REQUIRED_ALERTS)})

    def _api_uptime(self, name: str, args: MonitoringArgs) -> gcp.monitoring.UptimeCheckConfig:
        """The API hostname's webhook path: an unsigned GET is answered 405 by the function, so 4xx means
        DNS, TLS, Hosting's rewrite and the function all answer; 5xx or no answer fails."""
        return gcp.monitoring.UptimeCheckConfig(
            f"{name}-uptime-api", project=args.project_id, display_name=f"{args.api_host} ({args.environment})",
            timeout="10s", period="300s",
            http_check={"path": args.webhook_path, "port": 443, "use_ssl": True, "validate_ssl": True,
                        "accepted_response_status_codes": [{"status_class": "STATUS_CLASS_2XX"},
                                                           {"status_class": "STATUS_CLASS_4XX"}]},
            monitored_resource={"type": "uptime_url", "labels": {"host": args.api_host, "project_id": args.project_id}},
            opts=pulumi.ResourceOptions(parent=self))

    def _budget(self, name: str, args: MonitoringArgs, budget: BudgetArgs, channels: list) -> None:
        """A monthly budget on this project's spend. No currency is set: the budget takes the billing
        account's (a different one is refused by the Budget API)."""
        gcp.billing.Budget(
            f"{name}-budget", billing_account=budget.billing_account,
            display_name=f"launchready {args.environment}"[:60],
            budget_filter={"projects": [pulumi.Output.concat("projects/", budget.project_number)],
                           "calendar_period": "MONTH"},
            amount={"specified_amount": {"units": str(budget.amount)}},
            threshold_rules=[{"threshold_percent": t, "spend_basis": "CURRENT_SPEND"} for t in budget.thresholds],
            all_updates_rule={"monitoring_notification_channels": channels[:5],
                              "disable_default_iam_recipients": False},
            opts=pulumi.ResourceOptions(parent=self))
