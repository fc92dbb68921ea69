"""`launchready demo`: the whole toolkit on this machine, no cloud account — sandbox up for `dev`, a
customer lifecycle through it, the full readiness check against it, reports and handover docs."""
from __future__ import annotations

import os
import time
from pathlib import Path

import typer

from launchready.commands import selected_project
from launchready.project import Project

STACK = "dev"
REPORT_FORMATS = ("text", "json", "junit", "markdown")


def command(
    ctx: typer.Context,
    keep: bool = typer.Option(False, "--keep", help="Leave the sandbox running afterwards."),
    out: Path = typer.Option(Path("build"), "--out", help="Folder for reports/ and handover/ (relative to the project root)."),
) -> None:
    """Run the whole toolkit locally: sandbox up, a customer lifecycle, `check`, reports, handover."""
    from launchready import journey
    from launchready.commands.sandbox import print_state
    from launchready.config.model import load_stack
    from launchready.sandbox import manager

    started = time.monotonic()
    project = selected_project(ctx)
    out = project.flag(out)
    config = load_stack(project.stacks_dir, STACK)
    typer.echo(f"launchready demo — {config.app.name}, stack {STACK}, everything on 127.0.0.1")
    # The sandbox's scheduled sweep would pull the demo's "missed" payment before `reconcile` shows it.
    os.environ.setdefault(manager.SWEEP_INTERVAL_ENV, "600")
    state = manager.up(config, project, outlive=keep)
    try:
        typer.echo(f"[{time.monotonic() - started:4.1f}s] sandbox up: {len(state['services'])} processes "
                   f"({', '.join(s['name'] for s in state['services'])})")
        typer.echo(f"[{time.monotonic() - started:4.1f}s] customer lifecycle:")
        outcome = journey.run(state, typer.echo)
        typer.echo(f"[{time.monotonic() - started:4.1f}s] readiness check against the sandbox (offline + live) ...")
        report, paths = check_and_document(config, project, out)
        summary = report.summary()
        typer.echo(f"[{time.monotonic() - started:4.1f}s] {'READY' if report.ready else 'NOT READY'}: "
                   f"pass {summary['pass']} · fail {summary['fail']} · warn {summary['warn']} · "
                   f"skip {summary['skip']} · error {summary['error']} · blocking {summary['blocking']}")
        for result in report.ordered():
            if result.status.value in ("fail", "error", "warn"):
                typer.echo(f"  {result.status.value.upper():5} {result.check_id}: {result.message}")
        typer.echo("written:")
        for label, path in paths:
            typer.echo(f"  {label:<9} {_shown(path)}")
    finally:
        if keep:
            print_state(state, project)
        else:
            manager.down(project)
    typer.echo(f"done in {time.monotonic() - started:.1f}s" + ("" if keep else " (sandbox stopped)"))
    raise typer.Exit(0 if report.ready and outcome.ok else 1)


def check_and_document(config, project: Project, out: Path):
    """Run `check --stack dev --sandbox` in-process on the project (its app dir from Pulumi.yaml),
    write its reports, then the handover docs."""
    import warnings

    from launchready.checks.framework.context import CheckOptions
    from launchready.checks.reports import EXTENSIONS, render
    from launchready.commands.check import run
    from launchready.handover.generator import generate
    from launchready.redact import redact_text

    # google-api-core announces its Python support calendar on import: noise in a demo's narrative
    warnings.filterwarnings("ignore", category=FutureWarning, module=r"google\.api_core\..*")

    report = run(CheckOptions(stack=STACK, stacks_dir=project.stacks_dir, sandbox=True), project)
    reports = out / "reports"
    reports.mkdir(parents=True, exist_ok=True)
    paths = []
    for fmt in REPORT_FORMATS:
        path = reports / f"{STACK}.{EXTENSIONS[fmt]}"
        path.write_text(redact_text(render(report, fmt)), encoding="utf-8")
        paths.append((fmt, path))
    generate(config, project=project, stacks_dir=project.stacks_dir, out_dir=out / "handover",
                    report_path=reports / f"{STACK}.json")
    paths.append(("handover", out / "handover" / "README.md"))
    return report, paths


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
