"""`launchready app-config --stack NAME`: write the stack's Firebase client config into the Flutter app
(`lib/firebase_options_<flavor>.dart`, `google-services.json`, `GoogleService-Info.plist`) from the
`firebase_apps` stack output of `pulumi up` — so the build of a flavor can only point at its own project."""
from __future__ import annotations

from pathlib import Path

import typer


def command(
    ctx: typer.Context,
    stack: str = typer.Option(..., "--stack", help="Stack whose Firebase apps the build should use."),
    outputs: Path | None = typer.Option(None, "--outputs", help="JSON of `pulumi stack output --json --stack S` "
                                           "(default: run that command)."),
    app_dir: Path | None = typer.Option(None, "--app-dir", help="The Flutter app (default: Pulumi.yaml's "
                                           "launchready:appDir)."),
    stacks_dir: Path | None = typer.Option(None, "--stacks-dir", help="Folder of Pulumi.<stack>.yaml files "
                                              "(default: the project's stackConfigDir)."),
) -> None:
    """Write lib/firebase_options_<flavor>.dart and the native config files of the stack's Firebase apps."""
    from launchready.commands import selected_project
    from launchready.config.model import load_stack
    from launchready.errors import UsageError
    from launchready.flutter.firebase_options import OptionsError, write
    from launchready.project import stacks_folder
    from launchready.stack_outputs import stack_outputs

    project = selected_project(ctx)
    config = load_stack(stacks_folder(project, stacks_dir), stack)
    app = project.flag(app_dir) or project.app_dir
    if app is None or not (app / "pubspec.yaml").is_file():
        raise UsageError(f"--app-dir: {app or 'no app folder (set launchready:appDir in Pulumi.yaml)'} is not a "
                         "Flutter app (no pubspec.yaml)")
    apps = stack_outputs(stack, project.flag(outputs), project.root).get("firebase_apps") or {}
    if not apps:
        raise UsageError(f"stack {stack} has no firebase_apps output: set launchready:firebaseApps in its stack "
                         f"file and run `pulumi up --stack {stack}`")
    flavor = config.firebase_apps.flavor or config.environment
    try:
        written = write(app, stack, flavor, config.gcp.project_id, apps)
    except OptionsError as exc:
        raise UsageError(str(exc)) from None
    typer.echo(f"{flavor}: Firebase apps of project {config.gcp.project_id} (stack {stack} outputs, from the "
               "Firebase Management API):")
    for path in written:
        typer.echo(f"  {project.display(path)}")
