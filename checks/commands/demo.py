"""`launchready demo`: sandbox + customer lifecycle + full check (implemented by the sandbox issue)."""
from __future__ import annotations

import typer


def command(keep: bool = typer.Option(False, "--keep", help="Leave the sandbox running afterwards.")) -> None:
    """Run the whole toolkit locally: sandbox up, a customer lifecycle, `check`, reports, handover."""
    from checks.cli import fail
    fail("`demo` is not implemented yet (tracked by the sandbox/handover issue)")
