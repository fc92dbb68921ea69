"""`launchready plan`: the Pulumi program under mocks, offline (implemented by the infra issue)."""
from __future__ import annotations

import typer


def command(
    stack: str = typer.Option(..., "--stack", help="Stack to plan."),
    fmt: str = typer.Option("table", "--format", help="table|json"),
) -> None:
    """Print every resource the stack would create, offline (no Pulumi CLI or cloud needed)."""
    from checks.cli import fail
    fail("`plan` is not implemented yet (tracked by the infra issue)")
