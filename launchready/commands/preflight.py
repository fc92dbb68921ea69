"""`launchready preflight --stack NAME`: the deployer's prerequisites for `pulumi up`, checked live
and read-only against Google Cloud, Cloudflare and Stripe. Exit 0 ready, 1 something blocks the first run,
2 usage/config error. Runs before `pulumi preview`; nothing here needs the environment to exist."""
from __future__ import annotations

import json
from pathlib import Path

import typer

from launchready.commands import selected_project
from launchready.config.model import load_stack
from launchready.errors import UsageError
from launchready.preflight import Endpoints, Finding, ready, run
from launchready.project import stacks_folder

FORMATS = ("text", "json")
MARK = {"pass": "ok  ", "warn": "warn", "fail": "FAIL", "error": "ERR "}


def api_option(name: str, label: str):
    env = f"LAUNCHREADY_{name.upper()}_API_BASE"
    return typer.Option(None, f"--{name.replace('_', '-')}-api-base", help=f"{label} API base URL (or ${env}).")


def command(
    ctx: typer.Context,
    stack: str = typer.Option(..., "--stack", help="Stack (environment) about to be deployed."),
    fmt: str = typer.Option("text", "--format", help="Output format: text|json."),
    stacks_dir: Path | None = typer.Option(None, "--stacks-dir", help="Folder of Pulumi.<stack>.yaml files "
                                              "(default: the project's stackConfigDir)."),
    resource_manager_api_base: str | None = api_option("resource_manager", "Cloud Resource Manager"),
    org_policy_api_base: str | None = api_option("org_policy", "Org Policy"),
    billing_api_base: str | None = api_option("billing", "Cloud Billing"),
    service_usage_api_base: str | None = api_option("service_usage", "Service Usage"),
    oauth_api_base: str | None = api_option("oauth", "Google OAuth token info"),
    cloudflare_api_base: str | None = api_option("cloudflare", "Cloudflare"),
    stripe_api_base: str | None = api_option("stripe", "Stripe"),
) -> None:
    """Check credentials, quota project, billing, org policies, APIs, permissions, the Cloudflare token, and the
    Stripe key's mode, account and the endpoints that account already delivers to."""
    if fmt not in FORMATS:
        raise UsageError(f"--format: expected one of {', '.join(FORMATS)}, got {fmt!r}")
    project = selected_project(ctx)
    config = load_stack(stacks_folder(project, stacks_dir), stack)
    endpoints = Endpoints.resolve(
        resource_manager=resource_manager_api_base, org_policy=org_policy_api_base, billing=billing_api_base,
        service_usage=service_usage_api_base, oauth=oauth_api_base, cloudflare=cloudflare_api_base,
        stripe=stripe_api_base)
    from launchready.preflight.stack_secrets import from_stack
    with from_stack(stack, project.root) as secrets:
        findings = [*run(config, endpoints), secrets]
    ok = ready(findings)
    if fmt == "json":
        typer.echo(json.dumps({"stack": stack, "ready": ok, "findings": [f.to_dict() for f in findings]}, indent=2))
    else:
        typer.echo(render_text(stack, findings, ok))
    raise typer.Exit(0 if ok else 1)


def render_text(stack: str, findings: list[Finding], ok: bool) -> str:
    lines = [f"preflight for stack {stack}"]
    for finding in findings:
        lines.append(f"  {MARK[finding.status]} {finding.id}: {finding.message}")
        if finding.remediation and finding.status != "pass":
            lines.append(f"         fix: {finding.remediation}")
    blocking = sum(f.status in ("fail", "error") for f in findings)
    lines.append("ready for `pulumi up`" if ok else f"not ready: {blocking} blocking finding(s)")
    return "\n".join(lines)
