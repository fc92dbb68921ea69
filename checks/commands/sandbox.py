"""`launchready sandbox up|down|status` (implemented by the sandbox issue)."""
from __future__ import annotations

import typer

app = typer.Typer(help="A local replica of one environment, every part real, on 127.0.0.1.", no_args_is_help=True)


@app.command("up")
def up(stack: str = typer.Option("dev", "--stack")) -> None:
    """Start the sandbox for a stack."""
    from checks.cli import fail
    fail("`sandbox up` is not implemented yet (tracked by the sandbox/handover issue)")


@app.command("down")
def down() -> None:
    """Stop exactly the processes the sandbox started."""
    from checks.cli import fail
    fail("`sandbox down` is not implemented yet (tracked by the sandbox/handover issue)")


@app.command("status")
def status() -> None:
    """Report the sandbox's health."""
    from checks.cli import fail
    fail("`sandbox status` is not implemented yet (tracked by the sandbox/handover issue)")
