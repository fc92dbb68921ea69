"""One module per `launchready` subcommand."""
from __future__ import annotations

from pathlib import Path

import typer

from launchready.project import Project, discover


def project_dir(ctx: typer.Context) -> Path | None:
    """This invocation's `--project-dir` (the root command's callback keeps it on the context)."""
    value = ctx.find_root().obj
    return value if isinstance(value, Path) else None


def selected_project(ctx: typer.Context) -> Project:
    """The project this invocation works on: `--project-dir`, else found walking up from the cwd."""
    return discover(project_dir(ctx))
