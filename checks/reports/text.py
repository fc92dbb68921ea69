"""Terminal output (rich). Three views of one report:

- compact (default): what to do next (the first blocking fixes), then what needs attention (blocking,
  failures, warnings, skips, waived) with its fix and at most FINDINGS_SHOWN places; checks skipped for
  one failed input, and checks that do not apply to the app, each collapse into one line per cause;
  then one line for everything that passed, then the verdict;
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
FINDINGS_SHOWN = 5   # compact view: places per result (the rest in --verbose and the reports)
NEXT_SHOWN = 3       # compact view: blocking fixes listed first


SCAN_REPORT = "scan"   # the report of `launchready scan` (launchready.scan.SCAN_STACK): no stack


def build_console(file=None, *, force_terminal: bool | None = None) -> Console:
    file = file or sys.stdout
    tty = force_terminal if force_terminal is not None else bool(getattr(file, "isatty", lambda: False)())
    return Console(file=file, force_terminal=tty, no_color=not tty, highlight=False, width=None if tty else 120,
                   soft_wrap=not tty)


def _label(r: Result) -> str:
    label = "WAIVED" if r.waiver and r.status is not Status.PASS else r.status.value.upper()
    return f"[{STYLES[r.status]}]{label}[/]" + (" ■" if r.blocking else "")


def _collapsed(r: Result) -> bool:
    """Said once per cause in the compact view: skipped for a failed input, or not applicable."""
    return bool(r.cause) or (r.waiver is not None and r.waiver.kind == "not-applicable")


def _wanted(r: Result, view: str) -> bool:
    if r.status is Status.PASS or (view == "compact" and _collapsed(r)):
        return False
    if view == "quiet":
        return r.blocking or (r.status in (Status.FAIL, Status.ERROR) and r.waiver is None)
    return True


def _print_result(r: Result, console: Console, view: str = "verbose") -> None:
    subject = f" [{r.subject}]" if r.subject else ""
    console.print(f"{_label(r)} {r.severity.value} {escape(one_line(r.check_id + subject))} — {escape(r.title)}")
    console.print(f"  {one_line(r.message)}", markup=False)
    if r.waiver:
        console.print(f"  {one_line(r.waiver.describe())}", markup=False)
    if r.status is Status.SKIP:
        if r.blocking:
            console.print(f"  fix: {SKIP_FIX}", markup=False)
        return
    shown = r.findings if view != "compact" else r.findings[:FINDINGS_SHOWN]
    for f in shown:
        console.print(f"  {one_line(f.path)}{':' + str(f.line) if f.line else ''}: {one_line(f.message)}", markup=False)
    if len(shown) < len(r.findings):
        console.print(f"  … {len(r.findings) - len(shown)} more place(s) (--verbose, or --format json/sarif)", markup=False)
    for key, value in (r.evidence.items() if view != "compact" or not r.findings else ()):
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


def _first_sentence(text: str) -> str:
    head, dot, rest = text.partition(". ")
    return head + "." if dot and rest else text


def _next_steps(report: Report, console: Console) -> None:
    """The first lines of a run: what to do next (the first blocking fixes, most severe first)."""
    blocking = [r for r in report.ordered() if r.blocking]
    if not blocking:
        console.print("next: nothing blocks; the details below are for review", markup=False)
        return
    console.print(f"next: fix {len(blocking)} blocking finding(s), most severe first:", markup=False)
    for r in blocking[:NEXT_SHOWN]:
        fix = {Status.SKIP: r.message, Status.ERROR: r.message}.get(r.status) or r.remediation or r.message
        console.print(f"  ■ {one_line(r.name)}: {one_line(_first_sentence(fix))}", markup=False)
    if len(blocking) > NEXT_SHOWN:
        console.print(f"  … and {len(blocking) - NEXT_SHOWN} more below (■)", markup=False)


def _print_collapsed(report: Report, console: Console) -> None:
    """One line per root cause (checks skipped because an input failed) and per not-applicable reason."""
    groups: dict[str, list[str]] = {}
    for r in report.ordered():
        if r.cause:
            groups.setdefault(f"SKIP {{n}} check(s) until {r.cause} is fixed: "
                              f"{r.message.removeprefix('skipped because ').removesuffix(f' (root cause: {r.cause})')}",
                              []).append(r.check_id)
        elif r.waiver is not None and r.waiver.kind == "not-applicable":
            groups.setdefault(f"N/A  {{n}} check(s): {r.waiver.reason}", []).append(r.check_id)
    for line, ids in groups.items():
        console.print()
        console.print(one_line(line.format(n=len(ids))), markup=False)
        console.print(f"  {', '.join(ids) if len(ids) <= 4 else ', '.join(ids[:4]) + ', … (--verbose)'}", markup=False)


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
    if view == "compact":
        _next_steps(report, console)
    for r in (r for r in report.ordered() if _wanted(r, view)):
        console.print()
        _print_result(r, console, view)
    if view == "compact":
        _print_collapsed(report, console)
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
