"""Terminal output (rich). Three views of one report:

- compact (default): what needs attention first (blocking, then failures, warnings, skips, waived),
  each with its fix, then one line for everything that passed, then the verdict;
- quiet: failures, errors and blocking skips only, then the verdict (for CI logs);
- verbose: the compact view plus a table of every result.

Colour only on a TTY; when piped, the same content as plain text.
"""
from __future__ import annotations

import io
import sys

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from launchready.checks.framework.base import Result, Status
from launchready.checks.framework.gate import SKIP_FIX
from launchready.checks.framework.report import Report
from launchready.checks.reports.escape import one_line

STYLES = {Status.PASS: "green", Status.FAIL: "bold red", Status.WARN: "yellow", Status.SKIP: "dim",
          Status.ERROR: "bold magenta"}
VIEWS = ("compact", "quiet", "verbose")


SCAN_REPORT = "scan"   # the report of `launchready scan` (launchready.scan.SCAN_STACK): no stack


def build_console(file=None, *, force_terminal: bool | None = None) -> Console:
    file = file or sys.stdout
    tty = force_terminal if force_terminal is not None else bool(getattr(file, "isatty", lambda: False)())
    return Console(file=file, force_terminal=tty, no_color=not tty, highlight=False, width=None if tty else 120,
                   soft_wrap=not tty)


def _label(r: Result) -> str:
    label = "WAIVED" if r.waiver and r.status is not Status.PASS else r.status.value.upper()
    return f"[{STYLES[r.status]}]{label}[/]" + (" ■" if r.blocking else "")


def _wanted(r: Result, view: str) -> bool:
    if r.status is Status.PASS:
        return False
    if view == "quiet":
        return r.blocking or (r.status in (Status.FAIL, Status.ERROR) and r.waiver is None)
    return True


def _print_result(r: Result, console: Console) -> None:
    subject = f" [{r.subject}]" if r.subject else ""
    console.print(f"{_label(r)} {r.severity.value} {escape(one_line(r.check_id + subject))} — {escape(r.title)}")
    console.print(f"  {one_line(r.message)}", markup=False)
    if r.waiver:
        console.print(f"  {one_line(r.waiver.describe())}", markup=False)
    if r.status is Status.SKIP:
        if r.blocking:
            console.print(f"  fix: {SKIP_FIX}", markup=False)
        return
    for f in r.findings:
        console.print(f"  {one_line(f.path)}{':' + str(f.line) if f.line else ''}: {one_line(f.message)}", markup=False)
    for key, value in r.evidence.items():
        console.print(f"  evidence {one_line(key)}: {one_line(value)}", markup=False)
    if r.remediation:
        console.print(f"  fix: {r.remediation}", markup=False)


def _table(report: Report, console: Console) -> None:
    table = Table(title=f"all results — stack {report.stack}", title_justify="left")
    for column in ("status", "check", "severity", "message"):
        table.add_column(column, overflow="fold")
    for r in report.ordered():
        table.add_row(_label(r), escape(one_line(r.name)), r.severity.value, escape(one_line(r.message)))
    console.print(table)


def _levers(report: Report, console: Console) -> None:
    """The trust levers this run pulled, before any result: what a reviewer must see first."""
    if not report.levers:
        return
    console.print(f"trust levers used ({len(report.levers)}):", markup=False)
    for lever in report.levers:
        console.print(f"  - {one_line(lever)}", markup=False)


def print_report(report: Report, console: Console, view: str = "verbose") -> None:
    heading = ("launchready scan — checks that need no stack" if report.stack == SCAN_REPORT
               else f"launchready check — stack {report.stack}")
    console.print(heading, markup=False)
    _levers(report, console)
    for r in (r for r in report.ordered() if _wanted(r, view)):
        console.print()
        _print_result(r, console)
    passed = [r for r in report.results if r.status is Status.PASS]
    if view != "quiet" and passed:
        console.print(f"\n[green]PASS[/] {len(passed)} result(s) of "
                      f"{len({r.check_id for r in passed})} check(s)" + ("" if view == "verbose" else " (--verbose lists them)"))
    if view == "verbose":
        console.print()
        _table(report, console)
    for notice in report.notices:
        console.print(f"\n[yellow]notice[/] {escape(one_line(notice))}")
    s = report.summary()
    verdict = "[bold green]READY[/]" if report.ready else f"[bold red]NOT READY[/] ({s['blocking']} blocking, ■)"
    console.print(f"\n{verdict}  ", end="")
    console.print(report.summary_line(), markup=False)


def render(report: Report, view: str = "verbose") -> str:
    buffer = io.StringIO()
    print_report(report, build_console(buffer, force_terminal=False), view)
    return buffer.getvalue()
