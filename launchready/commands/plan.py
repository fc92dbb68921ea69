"""`launchready plan`: every resource the stack's Pulumi program would create, offline (under mocks)."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import typer

from launchready.config.model import load_stack

FORMATS = ("table", "json")
MAX_CELL = 60
# What is worth a glance per resource type; other types show their first few plain settings.
KEY_SETTINGS: dict[str, tuple[str, ...]] = {
    "gcp:organizations/project:Project": ("projectId", "billingAccount", "deletionPolicy"),
    "gcp:projects/service:Service": ("service",),
    "gcp:firestore/database:Database": ("locationId", "deleteProtectionState", "pointInTimeRecoveryEnablement"),
    "gcp:firestore/index:Index": ("collection", "fields"),
    "gcp:firestore/backupSchedule:BackupSchedule": ("retention",),
    "gcp:firebaserules/release:Release": ("name",),
    "gcp:identityplatform/config:Config": ("authorizedDomains", "signIn.email.passwordRequired"),
    "gcp:cloudfunctionsv2/function:Function": ("buildConfig.entryPoint", "serviceConfig.maxInstanceCount",
                                               "serviceConfig.timeoutSeconds", "eventTrigger.eventType",
                                               "eventTrigger.retryPolicy"),
    "gcp:serviceaccount/account:Account": ("accountId",),
    "gcp:projects/iAMMember:IAMMember": ("role", "member"),
    "gcp:secretmanager/secret:Secret": ("secretId",),
    "gcp:secretmanager/secretVersion:SecretVersion": ("secret", "secretData"),
    "gcp:secretmanager/secretIamMember:SecretIamMember": ("secretId", "member"),
    "gcp:cloudrunv2/serviceIamMember:ServiceIamMember": ("name", "role", "member"),
    "gcp:firebase/hostingCustomDomain:HostingCustomDomain": ("customDomain",),
    "gcp:monitoring/alertPolicy:AlertPolicy": ("displayName", "notificationChannels"),
    "gcp:monitoring/notificationChannel:NotificationChannel": ("type", "labels.email_address"),
    "gcp:logging/metric:Metric": ("name",),
    "gcp:monitoring/uptimeCheckConfig:UptimeCheckConfig": ("monitoredResource.labels.host", "period"),
    "cloudflare:index/zoneSetting:ZoneSetting": ("settingId", "value"),
    "cloudflare:index/dnsRecord:DnsRecord": ("type", "name", "content", "data.value", "proxied"),
    "cloudflare:index/ruleset:Ruleset": ("phase", "rules.0.expression"),
    "pulumi-python:dynamic:Resource": ("url", "api_version", "enabled_events", "api_key"),
}


def command(
    ctx: typer.Context,
    stack: str = typer.Option(..., "--stack", help="Stack to plan."),
    fmt: str = typer.Option("table", "--format", help="table|json"),
    diff: str | None = typer.Option(None, "--diff", help="Show how this stack differs from OTHER."),
    stacks_dir: Path | None = typer.Option(None, "--stacks-dir", help="Folder of Pulumi.<stack>.yaml files (default: the project's stackConfigDir)."),
) -> None:
    """Print every resource the stack would create, offline (no Pulumi CLI or cloud needed)."""
    from launchready.errors import UsageError
    from launchready.infra.plan import build_plan, diff_plans

    if fmt not in FORMATS:
        raise UsageError(f"--format: expected one of {', '.join(FORMATS)}, got {fmt!r}")
    from launchready.commands import selected_project
    from launchready.project import stacks_folder

    project = selected_project(ctx)
    stacks_dir = stacks_folder(project, stacks_dir)
    config = load_stack(stacks_dir, stack)
    plan = build_plan(config, project)
    _note_missing_secrets(config, stack)
    if diff is None:
        if fmt == "json":
            _print_json(plan.to_dict())
        else:
            _print_plan(plan)
        return
    changes = diff_plans(plan, build_plan(load_stack(stacks_dir, diff), project))
    if fmt == "json":
        _print_json(changes.to_dict())
    else:
        _print_diff(changes)


def _note_missing_secrets(config: Any, stack: str) -> None:
    """Secrets still to set are planned with stand-ins: say so (on stderr, so `--format json` stays JSON)."""
    from launchready.config.model import NAMESPACE, to_camel

    missing = [name for name in config.required_secrets() if getattr(config, name) is None]
    for name in missing:
        typer.echo(f"launchready: note: {NAMESPACE}:{to_camel(name)} is not set yet (planned with a stand-in): "
                   f"pulumi config set --secret {NAMESPACE}:{to_camel(name)} <value> --stack {stack}", err=True)


def _print_json(document: dict[str, Any]) -> None:
    json.dump(document, sys.stdout, indent=2, sort_keys=True)
    sys.stdout.write("\n")


def short_type(token: str) -> str:
    """`gcp:cloudfunctionsv2/function:Function` -> `gcp:cloudfunctionsv2:Function`, `cloudflare:DnsRecord`."""
    parts = token.split(":")
    if len(parts) != 3:
        return token
    module = parts[1].split("/")[0]
    return f"{parts[0]}:{parts[2]}" if module == "index" else f"{parts[0]}:{module}:{parts[2]}"


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    return text if len(text) <= MAX_CELL else text[:MAX_CELL - 1] + "…"


def key_settings(resource) -> str:
    from launchready.infra.plan import flatten

    paths = KEY_SETTINGS.get(resource.type)
    if paths is None:
        flat = flatten(resource.inputs)
        paths = tuple(k for k, v in flat.items() if not isinstance(v, (dict, list)))[:3]
    shown = [(path, resource.get(path)) for path in paths]
    return "  ".join(f"{path}={_short(value)}" for path, value in shown if value not in (None, "", []))


def _row(table, *cells: str) -> None:
    """Cells are data, not markup: `[secret]` must print as written."""
    from rich.text import Text
    table.add_row(*(Text(cell) for cell in cells))


def console():
    from rich.console import Console
    return Console(width=200 if not sys.stdout.isatty() else None, soft_wrap=False)


def _print_plan(plan) -> None:
    from rich.table import Table

    imports = sum(1 for r in plan.resources if r.import_id)
    table = Table(title=f"launchready plan — stack {plan.stack} ({plan.environment}): "
                        f"{len(plan.resources)} resources"
                        + (f", {imports} imported (launchready:adopt)" if imports else "") + ", offline",
                  title_justify="left")
    for column in ("op", "type", "name", "key settings"):
        table.add_column(column, overflow="fold")
    for resource in plan.resources:
        setting = f"id={resource.import_id}" if resource.import_id else key_settings(resource)
        _row(table, resource.operation if resource.custom else "", short_type(resource.type), resource.name, setting)
    console().print(table)


def _print_diff(changes) -> None:
    from rich.table import Table

    table = Table(title=f"launchready plan — {changes.stack} vs {changes.other}", title_justify="left")
    for column in ("change", "type", "name", "setting", changes.stack, changes.other):
        table.add_column(column, overflow="fold")
    for resource in changes.only_in_stack:
        _row(table, f"only in {changes.stack}", short_type(resource.type), resource.name, "", "", "")
    for resource in changes.only_in_other:
        _row(table, f"only in {changes.other}", short_type(resource.type), resource.name, "", "", "")
    for resource, settings in changes.changed:
        for path, (mine, theirs) in settings.items():
            _row(table, "differs", short_type(resource.type), resource.name, path, _short(mine), _short(theirs))
    console().print(table)
