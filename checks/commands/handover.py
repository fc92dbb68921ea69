"""`launchready handover`: documentation for a new owner (implemented by the handover issue)."""
from __future__ import annotations

from pathlib import Path

import typer


def command(
    stack: str = typer.Option(..., "--stack", help="Stack to document."),
    out: Path = typer.Option(Path("build/handover"), "--out", help="Output folder."),
) -> None:
    """Write handover docs: environments, DNS, secrets inventory, integrations, alerts, runbooks."""
    from checks.cli import fail
    fail("`handover` is not implemented yet (tracked by the sandbox/handover issue)")
