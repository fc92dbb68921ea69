"""Terminal output (rich): verdict, a summary table with failures first, then what to fix.

Colour only on a TTY; when piped, the same content as plain text.
"""
from __future__ import annotations

import io
import sys

from rich.console import Console
from rich.table import Table

from launchready.checks.framework.base import Status
from launchready.checks.framework.report import Report

STYLES = {Status.PASS: "green", Status.FAIL: "bold red", Status.WARN: "yellow", Status.SKIP: "dim",
          Status.ERROR: "bold magenta"}


def build_console(file=None, *, force_terminal: bool | None = None) -> Console:
    file = file or sys.stdout
    tty = force_terminal if force_terminal is not None else bool(getattr(file, "isatty", lambda: False)())
    return Console(file=file, force_terminal=tty, no_color=not tty, highlight=False, width=None if tty else 120,
                   soft_wrap=not tty)


def print_report(report: Report, console: Console) -> None:
    s = report.summary()
    table = Table(title=f"launchready check — stack {report.stack}", title_justify="left", show_lines=False)
    for column in ("status", "check", "severity", "message"):
        table.add_column(column, overflow="fold")
    for r in report.ordered():
        status = r.status.value.upper() + (" ■" if r.blocking else "")
        table.add_row(f"[{STYLES[r.status]}]{status}[/]", r.check_id, r.severity.value, r.message)
    console.print(table)
    problems = [r for r in report.ordered() if r.status in (Status.FAIL, Status.ERROR, Status.WARN)]
    for r in problems:
        console.print(f"\n[{STYLES[r.status]}]{r.status.value.upper()}[/] {r.check_id} — {r.title}")
        console.print(f"  {r.message}", markup=False)
        for f in r.findings:
            console.print(f"  {f.path}{':' + str(f.line) if f.line else ''}: {f.message}", markup=False)
        if r.evidence:
            for key, value in r.evidence.items():
                console.print(f"  evidence {key}: {value}", markup=False)
        if r.remediation:
            console.print(f"  fix: {r.remediation}", markup=False)
    verdict = "[bold green]READY[/]" if report.ready else f"[bold red]NOT READY[/] ({s['blocking']} blocking, ■)"
    console.print(f"\n{verdict}  pass {s['pass']} · fail {s['fail']} · warn {s['warn']} · skip {s['skip']} "
                  f"· error {s['error']} · {report.duration_s:.1f}s "
                  f"(blocking severities: {', '.join(report.blocking_severities) or 'none'})")


def render(report: Report) -> str:
    buffer = io.StringIO()
    print_report(report, build_console(buffer, force_terminal=False))
    return buffer.getvalue()
