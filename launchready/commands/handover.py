"""`launchready handover`: documentation a new owner needs, from the config, the plan and the latest
report (see `handover/`)."""
from __future__ import annotations

from pathlib import Path

import typer


def command(
    ctx: typer.Context,
    stack: str = typer.Option(..., "--stack", help="Stack to document."),
    out: Path = typer.Option(Path("build/handover"), "--out", help="Output folder."),
    report: Path | None = typer.Option(None, "--report", help="JSON report of `launchready check` "
                                          "(default: build/reports/<stack>.json when it exists)."),
    html: bool = typer.Option(False, "--html", help="Also write one self-contained handover.html."),
    stacks_dir: Path | None = typer.Option(None, "--stacks-dir", help="Folder of Pulumi.<stack>.yaml files (default: the project's stackConfigDir)."),
    check: bool = typer.Option(True, "--check/--no-check", help="Without a report, run `launchready check --offline` "
                               "first and write its JSON report (default) / document without one."),
) -> None:
    """Write handover docs: environments, DNS, secrets inventory, integrations, alerts, runbooks."""
    from launchready.commands import selected_project
    from launchready.config.model import load_stack
    from launchready.errors import UsageError
    from launchready.handover.generator import generate
    from launchready.project import stacks_folder

    project = selected_project(ctx)
    report, out = project.flag(report), project.flag(out)
    stacks_dir = stacks_folder(project, stacks_dir)
    if report is not None and not report.is_file():
        raise UsageError(f"--report: {report} does not exist")
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out: {out} exists and is not a folder")
    config = load_stack(stacks_dir, stack)
    report = report or project.report_path(stack)
    if check and not report.is_file():
        _write_report(stack, stacks_dir, report, project)
    written = generate(config, project=project, stacks_dir=stacks_dir, out_dir=out, report_path=report, html=html)
    typer.echo(f"handover docs for stack {stack}: {len(written)} files in {project.display(out)}")
    for path in written:
        typer.echo(f"  {project.display(path)}")


def _write_report(stack: str, stacks_dir: Path, path: Path, project) -> None:
    """Run the offline gate (what the readiness page needs) and keep its JSON report; a stack that cannot
    be checked yet leaves the page saying which command to run."""
    from launchready.checks.framework.context import CheckOptions
    from launchready.checks.reports import render
    from launchready.commands.check import run
    from launchready.config.model import ConfigError
    from launchready.errors import UsageError
    from launchready.redact import redact_text

    command = f"launchready check --stack {stack} --format json --output {project.display(path)}"
    try:
        report = run(CheckOptions(stack=stack, stacks_dir=stacks_dir, offline=True), project)
    except (ConfigError, UsageError) as exc:
        problem = (getattr(exc, "problems", None) or [str(exc)])[0]
        typer.echo(f"launchready: no readiness report: the check could not run ({problem}); run `{command}`", err=True)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(redact_text(render(report, "json")), encoding="utf-8")
    typer.echo(f"no report at {project.display(path)}: ran `launchready check --stack {stack} --offline` "
               f"({'ready' if report.ready else f'{len(report.blocking)} blocking'}) and wrote it there", err=True)
