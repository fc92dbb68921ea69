"""`launchready smoke`: the launch acceptance criteria against a running environment in Stripe test
mode (see launchready/triage/smoke.py), one result per criterion in the usual report formats: the
running sandbox (`--sandbox`) or the deployed stack, through the same public APIs.
Exit 0 every criterion holds; 1 one fails; 2 usage or config error (prod without --allow-prod, a live
Stripe key or mode, no sandbox running, a deployed stack's missing outputs or credentials)."""
from __future__ import annotations

from pathlib import Path

import typer

from launchready.checks.reports import RENDERERS
from launchready.errors import UsageError

LIVE_KEY_PREFIXES = ("sk_live_", "rk_live_")
SMOKED = ("launchready_backend", "stripe", "firestore")   # what the criteria drive: nothing else is judged


def command(
    ctx: typer.Context,
    stack: str = typer.Option(..., "--stack", help="Stack (environment) to run the acceptance criteria against."),
    sandbox: bool = typer.Option(False, "--sandbox", help="Run against the running local sandbox."),
    allow_prod: bool = typer.Option(False, "--allow-prod", help="Allow a prod stack (it creates and deletes a test user there)."),
    fmt: str = typer.Option("text", "--format", help=f"Output format: {'|'.join(RENDERERS)}."),
    output: Path | None = typer.Option(None, "--output", help="Write the report here instead of stdout."),
    stacks_dir: Path | None = typer.Option(None, "--stacks-dir", help="Folder of Pulumi.<stack>.yaml files (default: the project's stackConfigDir)."),
    outputs: Path | None = typer.Option(None, "--outputs", help="A deployed stack: JSON of `pulumi stack output --json "
                                           "--stack S` (default: run that command)."),
) -> None:
    """Run the acceptance criteria (sign-up, payment, CRM, refund, support, access, latency, errors)."""
    from launchready.checks.reports import render
    from launchready.commands import selected_project
    from launchready.config.architecture import Architecture
    from launchready.config.model import load_stack
    from launchready.project import stacks_folder
    from launchready.redact import redact_text
    from launchready.sandbox.state import load_state
    from launchready.stack_outputs import stack_outputs
    from launchready.triage.smoke import run_smoke
    from launchready.triage.smoke_targets import deployed_targets, sandbox_targets
    from launchready.triage.systems import connect

    if fmt not in RENDERERS:
        raise UsageError(f"--format: one of {', '.join(RENDERERS)}, got {fmt!r}")
    project = selected_project(ctx)
    config = load_stack(stacks_folder(project, stacks_dir), stack)
    if config.environment == "prod" and not allow_prod:
        raise UsageError(f"smoke: stack '{stack}' is prod: it creates (and deletes) test users and test-mode "
                         "payments there; pass --allow-prod to run it anyway")
    if config.stripe and config.stripe.mode == "live" and not sandbox:
        raise UsageError(f"smoke: stack '{stack}' runs Stripe in live mode (launchready:stripe.mode); smoke plays "
                         "test-mode payments only")
    unused = Architecture.of(config, project.root).unused(SMOKED)
    if unused:
        raise UsageError(f"smoke: its criteria exercise launchready's backend with Stripe and Firestore; stack "
                         f"'{stack}': {unused}")
    systems = connect(config, project, sandbox)
    if (systems.stripe_key or "").startswith(LIVE_KEY_PREFIXES):
        raise UsageError("smoke: the Stripe key is a live-mode key; smoke runs in test mode only")
    needed = [name for name in ("firestore", "crm", "support") if not systems.has(name)]
    if needed:   # it must read what it made and delete it again: no system may be left unseen
        raise UsageError(f"smoke --stack {stack}: {systems.why_not(*needed)}")
    targets = sandbox_targets(load_state(project)) if sandbox else \
        deployed_targets(config, stack_outputs(stack, project.flag(outputs), project.root))
    report = run_smoke(systems, targets)
    text = redact_text(render(report, fmt))
    out = project.flag(output)
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
    else:
        typer.echo(text, nl=False)
    raise typer.Exit(report.exit_code)
