"""`launchready reconcile`: drift between Stripe, Firestore, the CRM and the support desk of a running
environment (see launchready/triage/reconcile.py). Exit 0 no drift; 1 drift (left after --fix), or a
system's comparisons skipped without --allow-partial; 2 usage or config error."""
from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import typer

from launchready.errors import UsageError

FORMATS = ("text", "json", "markdown")   # launchready.triage.report renders each (imported on use)


def parse_since(value: str | None, now: datetime | None = None) -> int | None:
    """`--since`: an ISO date/time (UTC unless it says), or a span back from now: 90m, 36h, 7d."""
    if not value:
        return None
    now = now or datetime.now(UTC)
    units = {"m": 60, "h": 3600, "d": 86400}
    if value[-1:] in units and value[:-1].isdigit():
        return int(now.timestamp()) - int(value[:-1]) * units[value[-1]]
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise UsageError(f"--since: expected an ISO date/time (2026-12-01T09:00) or a span (90m, 36h, 7d), "
                         f"got {value!r}") from None
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    if moment > now:
        raise UsageError(f"--since: {value!r} is in the future")
    return int(moment.timestamp())


def command(
    ctx: typer.Context,
    stack: str = typer.Option(..., "--stack", help="Stack (environment) whose running data to compare."),
    since: str | None = typer.Option(None, "--since", help="Stripe events since (ISO time or 90m/36h/7d; default 3d, at most Stripe's 30-day retention)."),
    fix: bool = typer.Option(False, "--fix", help="Repair through the backend's own idempotent paths, then compare again."),
    fmt: str = typer.Option("text", "--format", help=f"Output format: {'|'.join(FORMATS)}."),
    output: Path | None = typer.Option(None, "--output", help="Write the report here instead of stdout."),
    sandbox: bool = typer.Option(False, "--sandbox", help="Compare the running local sandbox's systems."),
    allow_partial: bool = typer.Option(False, "--allow-partial", help="Exit 0 even when a system's comparisons were skipped (no credentials)."),
    stacks_dir: Path | None = typer.Option(None, "--stacks-dir", help="Folder of Pulumi.<stack>.yaml files (default: the project's stackConfigDir)."),
) -> None:
    """Report drift between Stripe, Firestore, the CRM and the support desk; --fix repairs it."""
    from launchready.commands import selected_project
    from launchready.config.model import load_stack
    from launchready.project import stacks_folder
    from launchready.redact import redact_text
    from launchready.triage import reconcile
    from launchready.triage.report import render
    from launchready.triage.systems import connect

    if fmt not in FORMATS:
        raise UsageError(f"--format: one of {', '.join(FORMATS)}, got {fmt!r}")
    start = parse_since(since)
    project = selected_project(ctx)
    out = project.flag(output)
    config = load_stack(stacks_folder(project, stacks_dir), stack)
    systems = connect(config, project, sandbox)
    findings = reconcile.scan(systems, start, examples=reconcile.MAX_DOCS if fix else reconcile.MAX_EXAMPLES)
    if fix and findings.total:
        done = reconcile.fix(systems, findings)
        findings = reconcile.scan(systems, start)
        findings.fixes = done
    report = redact_text(render(findings, fmt))
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(report, encoding="utf-8")
        typer.echo(f"reconcile: {'drift' if findings.total else 'no drift'}; report written to {out}")
    else:
        typer.echo(report, nl=False)
    partial = bool(findings.skipped) and not allow_partial
    raise typer.Exit(1 if findings.total or partial else 0)
