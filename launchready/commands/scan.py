"""`launchready scan [PATH]`: zero-config checks of any Flutter + Firebase repository (see launchready.scan)."""
from __future__ import annotations

import sys
from pathlib import Path

import typer

from launchready.commands.check import FORMATS, _prefixes, emit, pair_outputs
from launchready.errors import UsageError


def command(
    path: Path = typer.Argument(Path("."), help="The repository (or app folder) to scan; default: the working directory."),
    fmt: list[str] = typer.Option(["text"], "--format", help=f"Output format: {'|'.join(FORMATS)}. Repeat with --output to write several from one run."),
    output: list[Path] = typer.Option([], "--output", help="Write the report here instead of stdout (one per --format)."),
    skip: str | None = typer.Option(None, "--skip", help="Comma-separated check-id prefixes to skip."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Text: only failures, errors and the verdict."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Text: also a table of every result."),
) -> None:
    """Scan an app repository with no config: secrets, client code, rules, app config. Exit 0 ready, 1 on
    blocking findings, 2 when nothing can be judged."""
    from launchready.scan import discover, run_scan

    targets = pair_outputs(fmt, output)
    if quiet and verbose:
        raise UsageError("--quiet/--verbose: choose one")
    if not path.is_dir():
        raise UsageError(f"scan: {path} is not a folder")
    found = discover(path)
    to_stdout = ("text", None) in targets
    for line in found.summary():
        typer.echo(line, err=not to_stdout)
    if not found.judgeable:
        raise UsageError(f"scan: nothing to judge in {found.root}: no Flutter app, Firebase rules or functions folder")
    report = run_scan(found, skip=_prefixes(skip))
    if to_stdout:
        typer.echo("")
    view = "quiet" if quiet else "verbose" if verbose else "compact"
    for name, target in targets:
        emit(report, name, target, view)
    if not to_stdout:
        for notice in report.notices:
            typer.echo(f"launchready: notice: {notice}", err=True)
    sys.stdout.flush()
    raise typer.Exit(report.exit_code)
