"""Markdown for a GitHub step summary or a PR comment: verdict, counts, failures with remediation.

GitHub refuses a step summary over 1 MiB, so the rendering stops adding detail before that and says
so (the full report is in the other formats)."""
from __future__ import annotations

import json

from launchready.checks.framework.base import Result, Status
from launchready.checks.framework.gate import SKIP_FIX
from launchready.checks.framework.report import Report
from launchready.checks.reports.escape import one_line

ICONS = {Status.PASS: "✅", Status.FAIL: "❌", Status.WARN: "⚠️", Status.SKIP: "⏭️", Status.ERROR: "💥"}
STEP_SUMMARY_LIMIT = 1024 * 1024          # bytes GitHub accepts per step summary
TRUNCATED = ("\n> ✂️ Truncated to fit GitHub's 1 MiB step-summary limit: {n} more part(s) left out; "
             "the JSON and SARIF reports hold every result.\n")


def _cell(text: str) -> str:
    """One table cell or line: no pipe, line break, control character or HTML from the input."""
    text = str(text).replace("\n", " ").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return one_line(text).replace("|", "\\|")


def _code(text: str) -> str:
    """Text for a code span in a table: one line, no backtick that would end the span, pipes escaped."""
    return one_line(str(text).replace("\n", " ")).replace("`", "'").replace("|", "\\|")


def _status(r: Result) -> str:
    return "🏳️ waived" if r.waiver and r.status is not Status.PASS else ICONS[r.status]


def _header(report: Report) -> list[str]:
    s = report.summary()
    verdict = "✅ **Ready to deploy**" if report.ready else f"❌ **Not ready: {s['blocking']} blocking finding(s)**"
    lines = [f"## launchready — stack `{report.stack}`", "", verdict, ""]
    if report.levers:
        lines += [f"**Trust levers used ({len(report.levers)}):**", ""]
        lines += [f"- **{lever.kind}** — {_cell(lever.detail)}" for lever in report.levers] + [""]
    lines += [_cell(line) + "  " for line in report.summary_line().splitlines()] + [""]
    lines += [f"> ⚠️ {_cell(n)}" for n in report.notices] + ([""] if report.notices else [])
    return lines + ["| | check | severity | result |", "|---|---|---|---|"]


def _row(r: Result) -> str:
    flag = " **(blocking)**" if r.blocking else ""
    waived = f" — *{_cell(r.waiver.describe())}*" if r.waiver else ""
    return f"| {_status(r)} | `{_code(r.name)}` | {r.severity.value}{flag} | {_cell(r.message)}{waived} |"


def _details(r: Result) -> list[str]:
    lines = [f"<details><summary>{_status(r)} <code>{_cell(r.name)}</code> — {_cell(r.title)}</summary>", "",
             _cell(r.message), ""]
    if r.waiver:
        lines += [f"**Waived:** {_cell(r.waiver.describe())}", ""]
    fix = SKIP_FIX if r.blocking and r.status is Status.SKIP else r.remediation
    if fix:
        lines += [f"**Remediation:** {_cell(fix)}", ""]
    lines += [f"- `{_code(f.path)}{':' + str(f.line) if f.line else ''}` {_cell(f.message)}" for f in r.findings]
    if r.evidence:
        lines += ["", "```json", json.dumps(r.evidence, indent=2, sort_keys=True).replace("`", "\\u0060"), "```"]
    return lines + ["", "</details>"]


def render(report: Report, limit: int = STEP_SUMMARY_LIMIT) -> str:
    ordered = report.ordered()
    problems = [r for r in ordered if r.status in (Status.FAIL, Status.ERROR, Status.WARN) or r.blocking]
    blocks = [[_row(r)] for r in ordered]
    if problems:
        blocks.append(["", "### What to fix", ""])
        blocks += [_details(r) for r in problems]
    out = "\n".join(_header(report)) + "\n"
    budget = limit - len(TRUNCATED.format(n=len(ordered)).encode()) - 64
    for index, block in enumerate(blocks):
        chunk = "\n".join(block) + "\n"
        if len(out.encode()) + len(chunk.encode()) > budget:
            return out + TRUNCATED.format(n=len(blocks) - index)
        out += chunk
    return out
