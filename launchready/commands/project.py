"""`launchready project`: the project and stacks exactly as every other command resolves them.

CI scripts (the GitHub Action among them) ask this command instead of reading Pulumi.yaml
themselves: a second parser is a second opinion, and a pull request can make the two disagree
(a `stackConfigDir:` line inside a `description: |` block fools `sed`, not YAML)."""
from __future__ import annotations

import json
from typing import TypedDict

import typer

from launchready.checks.reports.escape import json_safe
from launchready.commands import selected_project
from launchready.config.model import list_stacks
from launchready.errors import UsageError
from launchready.project import Project, stacks_folder

FORMATS = ("text", "json")


class ProjectInfo(TypedDict):
    name: str
    root: str
    stacks_dir: str
    stacks: list[str]
    app_dir: str | None


def describe(project: Project) -> ProjectInfo:
    """Root, stacks folder, stack names and app folder of `project` (absolute paths)."""
    stacks_dir = stacks_folder(project, None)
    app_dir = project.app_dir
    return {"name": project.name, "root": str(project.root), "stacks_dir": str(stacks_dir),
            "stacks": list_stacks(stacks_dir), "app_dir": str(app_dir) if app_dir else None}


def command(ctx: typer.Context, fmt: str = typer.Option("text", "--format", help="text | json")) -> None:
    """Print the project root, stacks folder, stack names and app folder that `check` and `plan` use."""
    if fmt not in FORMATS:
        raise UsageError(f"--format: expected one of {', '.join(FORMATS)}, got {fmt!r}")
    info = describe(selected_project(ctx))
    if fmt == "json":
        typer.echo(json_safe(json.dumps(info, indent=2)))
        return
    typer.echo(f"project {info['name']}: {info['root']}")
    typer.echo(f"stacks: {', '.join(info['stacks']) or 'none'} in {info['stacks_dir']}")
    typer.echo(f"app: {info['app_dir'] or 'none (set launchready:appDir in Pulumi.yaml, or pass --app-dir)'}")
