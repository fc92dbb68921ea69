"""Markdown for a GitHub step summary or a PR comment: verdict, counts, failures with remediation."""
from __future__ import annotations

from launchready.checks.framework.base import Status
from launchready.checks.framework.report import Report

ICONS = {Status.PASS: "✅", Status.FAIL: "❌", Status.WARN: "⚠️", Status.SKIP: "⏭️", Status.ERROR: "💥"}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render(report: Report) -> str:
    s = report.summary()
    verdict = "✅ **Ready to deploy**" if report.ready else f"❌ **Not ready: {s['blocking']} blocking finding(s)**"
    lines = [
        f"## launchready — stack `{report.stack}`", "", verdict, "",
        f"pass {s['pass']} · fail {s['fail']} · warn {s['warn']} · skip {s['skip']} · error {s['error']} "
        f"· {report.duration_s:.1f}s · blocking severities: {', '.join(report.blocking_severities) or 'none'}", "",
        "| | check | severity | result |", "|---|---|---|---|",
    ]
    for r in report.ordered():
        flag = " **(blocking)**" if r.blocking else ""
        lines.append(f"| {ICONS[r.status]} | `{r.check_id}` | {r.severity.value}{flag} | {_cell(r.message)} |")
    problems = [r for r in report.ordered() if r.status in (Status.FAIL, Status.ERROR, Status.WARN)]
    if problems:
        lines += ["", "### What to fix", ""]
        for r in problems:
            lines.append(f"<details><summary>{ICONS[r.status]} <code>{r.check_id}</code> — {_cell(r.title)}</summary>")
            lines += ["", _cell(r.message), ""]
            if r.remediation:
                lines += [f"**Remediation:** {_cell(r.remediation)}", ""]
            for f in r.findings:
                lines.append(f"- `{f.path}{':' + str(f.line) if f.line else ''}` {_cell(f.message)}")
            if r.evidence:
                lines += ["", "```json", _json(r.evidence), "```"]
            lines += ["", "</details>"]
    return "\n".join(lines) + "\n"


def _json(value: object) -> str:
    import json
    return json.dumps(value, indent=2, sort_keys=True)
