"""`launchready handover`: documentation a new owner needs, from the config, the plan and the latest
report (see `handover/`)."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer


def command(
    ctx: typer.Context,
    stack: str = typer.Option(..., "--stack", help="Stack to document."),
    out: Path = typer.Option(Path("build/handover"), "--out", help="Output folder."),
    report: Optional[Path] = typer.Option(None, "--report", help="JSON report of `launchready check` "
                                          "(default: build/reports/<stack>.json when it exists)."),
    html: bool = typer.Option(False, "--html", help="Also write one self-contained handover.html."),
    stacks_dir: Optional[Path] = typer.Option(None, "--stacks-dir", help="Folder of Pulumi.<stack>.yaml files (default: the project's stackConfigDir)."),
) -> None:
    """Write handover docs: environments, DNS, secrets inventory, integrations, alerts, runbooks."""
    from launchready.errors import UsageError
    from launchready.handover.generator import generate
    from launchready.config.model import load_stack
    from launchready.commands import selected_project
    from launchready.project import stacks_folder

    project = selected_project(ctx)
    report, out = project.flag(report), project.flag(out)
    stacks_dir = stacks_folder(project, stacks_dir)
    if report is not None and not report.is_file():
        raise UsageError(f"--report: {report} does not exist")
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out: {out} exists and is not a folder")
    config = load_stack(stacks_dir, stack)
    written = generate(config, project=project, stacks_dir=stacks_dir, out_dir=out, report_path=report or project.report_path(stack),
                       html=html)
    typer.echo(f"handover docs for stack {stack}: {len(written)} files in {project.display(out)}")
    for path in written:
        typer.echo(f"  {project.display(path)}")
