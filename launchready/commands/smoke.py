"""`launchready smoke`: the launch acceptance criteria against a running environment in Stripe test
mode (see launchready/triage/smoke.py), one result per criterion in the usual report formats.
Exit 0 every criterion holds; 1 one fails; 2 usage or config error (prod without --allow-prod, a live
Stripe key, no sandbox running)."""
from __future__ import annotations

from pathlib import Path

import typer

from launchready.checks.reports import RENDERERS
from launchready.errors import UsageError

LIVE_KEY_PREFIXES = ("sk_live_", "rk_live_")


def command(
    ctx: typer.Context,
    stack: str = typer.Option(..., "--stack", help="Stack (environment) to run the acceptance criteria against."),
    sandbox: bool = typer.Option(False, "--sandbox", help="Run against the running local sandbox."),
    allow_prod: bool = typer.Option(False, "--allow-prod", help="Allow a prod stack (it creates and deletes a test user there)."),
    fmt: str = typer.Option("text", "--format", help=f"Output format: {'|'.join(RENDERERS)}."),
    output: Path | None = typer.Option(None, "--output", help="Write the report here instead of stdout."),
    stacks_dir: Path | None = typer.Option(None, "--stacks-dir", help="Folder of Pulumi.<stack>.yaml files (default: the project's stackConfigDir)."),
) -> None:
    """Run the acceptance criteria (sign-up, payment, CRM, refund, support, access, latency, errors)."""
    from launchready.checks.reports import render
    from launchready.commands import selected_project
    from launchready.config.model import load_stack
    from launchready.project import stacks_folder
    from launchready.redact import redact_text
    from launchready.sandbox.state import load_state
    from launchready.triage.smoke import run_smoke, sandbox_drain
    from launchready.triage.systems import connect

    if fmt not in RENDERERS:
        raise UsageError(f"--format: one of {', '.join(RENDERERS)}, got {fmt!r}")
    project = selected_project(ctx)
    config = load_stack(stacks_folder(project, stacks_dir), stack)
    if config.environment == "prod" and not allow_prod:
        raise UsageError(f"smoke: stack '{stack}' is prod: it creates (and deletes) a test user and test-mode "
                         "payments there; pass --allow-prod to run it anyway")
    if not sandbox:
        raise UsageError("smoke: only --sandbox is supported in this version (a deployed stack needs a Firebase "
                         "Web API key for test sign-ups and the webhook's signing secret; see docs/triage.md)")
    systems = connect(config, project, sandbox)
    if (systems.stripe_key or "").startswith(LIVE_KEY_PREFIXES):
        raise UsageError("smoke: the Stripe key is a live-mode key; smoke runs in test mode only")
    report = run_smoke(systems, load_state(project), sandbox_drain(systems))
    text = redact_text(render(report, fmt))
    out = project.flag(output)
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
    else:
        typer.echo(text, nl=False)
    raise typer.Exit(report.exit_code)
