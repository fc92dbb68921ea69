"""`launchready handover`: documentation a new owner needs, from the config, the plan and the latest
report (see `handover/`)."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from launchready.checks.framework.context import REPO_ROOT


def default_report(stack: str) -> Path:
    """Where `launchready demo` (and the README's CI example) write the JSON report."""
    return REPO_ROOT / "build" / "reports" / f"{stack}.json"


def command(
    stack: str = typer.Option(..., "--stack", help="Stack to document."),
    out: Path = typer.Option(Path("build/handover"), "--out", help="Output folder."),
    report: Optional[Path] = typer.Option(None, "--report", help="JSON report of `launchready check` "
                                          "(default: build/reports/<stack>.json when it exists)."),
    html: bool = typer.Option(False, "--html", help="Also write one self-contained handover.html."),
    stacks_dir: Path = typer.Option(REPO_ROOT / "stacks", "--stacks-dir", help="Folder of Pulumi.<stack>.yaml files."),
) -> None:
    """Write handover docs: environments, DNS, secrets inventory, integrations, alerts, runbooks."""
    from launchready.cli import UsageError
    from launchready.handover.generator import generate
    from launchready.infra.config import load_stack

    if report is not None and not report.is_file():
        raise UsageError(f"--report: {report} does not exist")
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out: {out} exists and is not a folder")
    config = load_stack(stacks_dir, stack)
    written = generate(config, stacks_dir=stacks_dir, out_dir=out, report_path=report or default_report(stack),
                       html=html)
    typer.echo(f"handover docs for stack {stack}: {len(written)} files in {out}")
    for path in written:
        typer.echo(f"  {path}")
