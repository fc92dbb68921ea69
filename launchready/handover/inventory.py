"""Facts about an environment that the handover docs present, gathered into plain, sorted data.

Sources, in order of authority: the typed config, the desired DNS records, the offline plan (when
`infra.plan` exists) and the latest report JSON. Secret *values* are never read here: a `Secret` only
contributes its name, so nothing downstream can print one.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from launchready.config.model import NONE, ConfigError, EnvironmentConfig, list_stacks, load_stack
from launchready.functions.backend.events import HANDLED_EVENTS, STRIPE_API_VERSION
from launchready.handover.app_model import AppCollection, app_model
from launchready.handover.plan_facts import AlertEntry, alert_entries, plan_counts, secret_readers
from launchready.infra.dns_records import DnsRecordSpec, desired_records
from launchready.project import Project, discover

FUNCTIONS: dict[str, str] = {
    "stripe_webhook": "HTTP, public: verifies Stripe signatures, records the event, updates the customer, enqueues syncs",
    "sync_worker": "Firestore trigger on `sync_tasks/*`: pushes one task to the CRM or support desk, retries, dead-letters",
    "on_user_created": "Auth trigger: creates exactly one `customers/{uid}` per sign-up",
    "request_support": "HTTP, Firebase ID token required: validates, routes and tags a support request",
    "sweep": "HTTP, private (Cloud Scheduler OIDC only): dead-letters expired parked events, reruns stuck sync "
             "tasks, pulls missed Stripe events",
}


@dataclass(frozen=True)
class SecretEntry:
    """One secret as the new owner must know it: everything but the value."""

    name: str
    env_var: str
    purpose: str
    source: str
    read_by: tuple[str, ...]
    owner: str
    rotation: str


@dataclass
class Inventory:
    config: EnvironmentConfig
    stacks: dict[str, EnvironmentConfig | ConfigError]
    records: list[DnsRecordSpec]
    secrets: list[SecretEntry]
    functions: dict[str, str]
    alerts: list[AlertEntry]
    plan_note: str | None
    plan_counts: dict[str, int]
    report: dict[str, Any] | None
    report_note: str | None
    handled_events: tuple[str, ...] = HANDLED_EVENTS
    api_version: str = STRIPE_API_VERSION
    extras: dict[str, Any] = field(default_factory=dict)
    collections: list[AppCollection] = field(default_factory=list)   # the app's own, from rules + matrix
    pulumi_project: str = ""   # Pulumi.yaml's name: URNs in the runbook's import commands
    canonical: bool = True                  # the app adopted launchready's customer model (customers/{uid})
    own_functions: dict[str, str] = field(default_factory=dict)      # the app's own functions: name -> file


def _owner(config: EnvironmentConfig, area: str) -> str:
    return config.owners.get(area) or "unassigned — set `launchready:owners`"


def secret_entries(config: EnvironmentConfig, readers: dict[str, tuple[str, ...]] | None) -> list[SecretEntry]:
    """The secrets inventory. `readers` (env var -> functions) comes from the plan and then is the
    only authority; without a plan the functions' documented contract is shown."""
    stack = config.stack or config.environment
    set_cmd = "`pulumi config set --secret {key} <new value> --stack " + stack + "`, then `pulumi up --stack " + stack + "`"
    rows = [
        SecretEntry("stripeSecretKey", "STRIPE_SECRET_KEY",
                    f"Stripe API key ({config.stripe.mode if config.stripe else 'no'} mode): manages the webhook endpoint, reads Stripe objects",
                    "Pulumi secret in the stack file -> Secret Manager", ("stripe_webhook",), _owner(config, "stripe"),
                    "Roll the key in the Stripe dashboard (Developers -> API keys -> Roll key, keep the old one "
                    "valid for 12 h), " + set_cmd.format(key="stripeSecretKey") + "; verify with `launchready check --only stripe.`, then expire the old key."),
        SecretEntry("stripeWebhookSecret", "STRIPE_WEBHOOK_SECRET",
                    "Signing secret that proves a webhook request came from Stripe",
                    "Created with the Stripe webhook endpoint by `pulumi up` -> Secret Manager (no human copies it)",
                    ("stripe_webhook",), _owner(config, "stripe"),
                    "Roll the endpoint's signing secret in Stripe (the old one stays valid up to 24 h) or replace "
                    "the endpoint with `pulumi up --replace <endpoint urn>`; the program writes the new secret to "
                    "Secret Manager; watch the webhook failure alert until deliveries succeed."),
        SecretEntry("crmApiToken", "CRM_API_TOKEN", f"{config.crm.provider} API token for contact upserts",
                    "Pulumi secret in the stack file -> Secret Manager", ("sync_worker",), _owner(config, "crm"),
                    f"Create a new {config.crm.provider} private-app token with the same scopes, "
                    + set_cmd.format(key="crmApiToken") + ", confirm a sync task reaches `done`, then revoke the old token."),
        SecretEntry("supportApiToken", "SUPPORT_API_TOKEN", f"{config.support.provider} API token for user/ticket updates",
                    "Pulumi secret in the stack file -> Secret Manager", ("sync_worker",), _owner(config, "support"),
                    f"Create a new {config.support.provider} API token, " + set_cmd.format(key="supportApiToken")
                    + ", confirm a support sync task reaches `done`, then delete the old token."),
    ]
    unused = {"stripeSecretKey": config.payments == NONE, "stripeWebhookSecret": config.payments == NONE,
              "crmApiToken": config.crm.provider == NONE, "supportApiToken": config.support.provider == NONE}
    rows = [row for row in rows if not unused[row.name]]   # only the services the app uses have secrets
    if readers is None:
        return rows
    return [SecretEntry(**{**row.__dict__, "read_by": readers.get(row.env_var, ())}) for row in rows]


def _display(path: Path) -> str:
    """A path relative to the working folder when inside it, so docs do not depend on the checkout."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def load_report(path: Path | None, stack: str) -> tuple[dict[str, Any] | None, str | None]:
    """(report dict, note). A missing report is a note; a malformed one, or one about another
    stack, a clear ConfigError."""
    if path is None or not path.is_file():
        return None, f"No readiness report found{f' at `{_display(path)}`' if path else ''}."
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError([f"{path}: not a readable launchready JSON report ({exc})"]) from None
    if not isinstance(data, dict) or not isinstance(data.get("results"), list) or "summary" not in data:
        raise ConfigError([f"{path}: not a launchready JSON report (expected `summary` and `results`)"])
    if data.get("stack") != stack:
        raise ConfigError([f"{path}: the report is for stack '{data.get('stack')}', not '{stack}'"])
    return data, None


def gather(config: EnvironmentConfig, stacks_dir: Path, report_path: Path | None,
           plan: Any | None = None, plan_note: str | None = None, project: Project | None = None) -> Inventory:
    stacks: dict[str, EnvironmentConfig | ConfigError] = {}
    for name in list_stacks(stacks_dir):
        try:
            stacks[name] = config if name == config.stack else load_stack(stacks_dir, name)
        except ConfigError as exc:
            stacks[name] = exc
    report, report_note = load_report(report_path, config.stack or config.environment)
    model = app_model(config, project)
    return Inventory(
        config=config, stacks=stacks, records=desired_records(config),
        secrets=secret_entries(config, secret_readers(plan) if plan is not None else None),
        functions=dict(FUNCTIONS), alerts=alert_entries(plan, config) if plan is not None else [],
        plan_note=plan_note, plan_counts=plan_counts(plan) if plan is not None else {},
        report=report, report_note=report_note, collections=model.collections,
        canonical=model.canonical, own_functions=model.functions,
        pulumi_project=(project or discover()).name,
    )
