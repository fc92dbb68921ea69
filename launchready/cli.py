"""The `launchready` command line. Exit codes: 0 ready, 1 blocking findings, 2 usage or config error.

Each subcommand lives in `launchready/commands/<name>.py`; this module only wires them together and turns
known errors into one clear line on stderr (never a traceback).
"""
from __future__ import annotations

import os
import sys
import warnings
from pathlib import Path
from typing import TextIO, cast

# google-api-core announces its Python support calendar on import (a FutureWarning on every run):
# third-party notices are not ours to print on a gate's stdout/stderr.
warnings.filterwarnings("ignore", category=FutureWarning, module=r"google\..*")

import typer  # noqa: E402

from launchready.commands import (  # noqa: E402
    adopt,
    app_config,
    catalog,
    check,
    demo,
    handover,
    init,
    plan,
    preflight,
    reconcile,
    rules,
    sandbox,
    scan,  # noqa: E402
    smoke,
)
from launchready.commands import project as project_command  # noqa: E402
from launchready.config.model import ConfigError  # noqa: E402
from launchready.errors import UsageError  # noqa: E402

app = typer.Typer(name="launchready", no_args_is_help=True, add_completion=False,
                  pretty_exceptions_enable=False,
                  help="Launch readiness for Flutter + Firebase + Stripe apps: provision, gate, hand over.")
app.command("init")(init.command)
app.command("check")(check.command)
app.command("scan")(scan.command)
app.command("checks")(catalog.list_command)
app.command("explain")(catalog.explain_command)
app.command("plan")(plan.command)
app.command("preflight")(preflight.command)
app.command("adopt")(adopt.command)
app.command("handover")(handover.command)
app.command("demo")(demo.command)
app.command("app-config")(app_config.command)
app.command("project")(project_command.command)
app.command("reconcile")(reconcile.command)
app.command("smoke")(smoke.command)
app.add_typer(sandbox.app, name="sandbox")
app.add_typer(rules.app, name="rules")


def _version(value: bool) -> None:
    if value:
        from launchready.checks.framework.report import tool_version
        typer.echo(f"launchready {tool_version()}")
        raise typer.Exit(0)


@app.callback()
def _project(ctx: typer.Context, project_dir: Path | None = typer.Option(
        None, "--project-dir", help="The project (folder holding Pulumi.yaml); default: found walking up from the "
                                    "working directory. Relative paths in flags and config resolve against it."),
             version: bool = typer.Option(False, "--version", is_eager=True, callback=_version,
                                          help="Print the version and exit.")) -> None:
    """Keep `--project-dir` for the subcommands (discovery happens lazily, so `init` needs none)."""
    ctx.obj = project_dir


def fail(lines: list[str] | str, code: int = 2) -> None:
    for line in [lines] if isinstance(lines, str) else lines:
        typer.echo(f"launchready: {line}", err=True)
    raise typer.Exit(code)


def main(argv: list[str] | None = None) -> int:
    """Console-script entry point: every byte it prints passes the redaction layer, then the workflow-
    command guard (nothing read from a repository may run as `::command::` in a CI log)."""
    from launchready.checks.reports.escape import CommandGuard
    from launchready.redact import RedactingStream

    out, err = sys.stdout, sys.stderr
    # CommandGuard is a duck-typed text stream (write/flush, the rest forwarded to its target by __getattr__)
    sys.stdout = RedactingStream(cast(TextIO, CommandGuard(out)))
    sys.stderr = RedactingStream(cast(TextIO, CommandGuard(err)))
    try:
        return _main(argv)
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        sys.stdout, sys.stderr = out, err


def _main(argv: list[str] | None) -> int:
    """Click handles usage errors (exit 2); ours become one line."""
    from launchready.runtime import lifetime
    from launchready.runtime.processes import ServiceError

    try:
        with lifetime.signals_handled():  # SIGINT/SIGTERM/SIGHUP stop every child this run started
            app(args=argv, prog_name="launchready", standalone_mode=True)
    except lifetime.Terminated as exc:  # ... then re-raise, after the `finally`s ran
        lifetime.reraise(exc.signum)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except (ConfigError, UsageError, ServiceError) as exc:
        for line in getattr(exc, "problems", None) or [str(exc)]:
            print(f"launchready: {line}", file=sys.stderr)
        return 2
    except Exception as exc:  # noqa: BLE001 - a bug: say so in one line unless debugging
        from launchready.errors import missing_extra
        extra = missing_extra(exc) if isinstance(exc, ModuleNotFoundError) else None
        if extra:   # an optional extra (deploy, sandbox) is not installed
            print(f"launchready: {extra}", file=sys.stderr)
            return 2
        if os.environ.get("LAUNCHREADY_DEBUG"):
            raise
        print(f"launchready: internal error: {type(exc).__name__}: {exc} "
              "(set LAUNCHREADY_DEBUG=1 for the traceback)", file=sys.stderr)
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
