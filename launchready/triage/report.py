"""`reconcile` findings as text (terminal), JSON (tools) or Markdown (an incident note)."""
from __future__ import annotations

import json
from typing import Any

from launchready.triage.reconcile import KINDS, MAX_EXAMPLES, Findings


def _example(example: dict[str, Any]) -> str:
    return ", ".join(f"{k}={json.dumps(v, sort_keys=True) if isinstance(v, (dict, list)) else v}"
                     for k, v in example.items() if v not in (None, "", []))


def _verdict(findings: Findings) -> str:
    if findings.total:
        return f"DRIFT: {findings.total} finding(s) in {len(findings.drift)} class(es)"
    return "NO DRIFT" + (" (partial: some comparisons skipped)" if findings.skipped else "")


def text(findings: Findings) -> str:
    where = "the local sandbox" if findings.sandbox else "the deployed environment"
    lines = [f"reconcile {findings.stack} ({where}), Stripe events {findings.to_dict()['window']['since']} .. "
             f"{findings.to_dict()['window']['until']}", *(f"note: {n}" for n in findings.notes)]
    lines += [f"fixed: {f}" for f in findings.fixes]
    for drift in findings.drift.values():
        lines.append(f"{drift.kind}: {drift.count} - {KINDS[drift.kind]}")
        lines += [f"    e.g. {_example(e)}" for e in drift.examples[:MAX_EXAMPLES]]
    if findings.parked_ages:
        lines.append("parked events by age: " + ", ".join(f"{k} {v}" for k, v in findings.parked_ages.items()))
    lines += [f"skipped {what}: {why}" for what, why in findings.skipped.items()]
    return "\n".join([*lines, _verdict(findings)]) + "\n"


def markdown(findings: Findings) -> str:
    window = findings.to_dict()["window"]
    lines = [f"# Reconciliation: stack `{findings.stack}`", "",
             f"Stripe events from {window['since']} to {window['until']}"
             f"{' (local sandbox)' if findings.sandbox else ''}. **{_verdict(findings)}**", ""]
    lines += [f"> {n}" for n in findings.notes] + ([""] if findings.notes else [])
    if findings.drift:
        lines += ["| class | count | examples |", "| --- | --- | --- |"]
        for drift in findings.drift.values():
            cells = "<br>".join(_example(e).replace("|", "\\|") for e in drift.examples[:MAX_EXAMPLES])
            lines.append(f"| {KINDS[drift.kind]} (`{drift.kind}`) | {drift.count} | {cells} |")
        lines.append("")
    if findings.fixes:
        lines += ["## Repairs", "", *(f"- {f}" for f in findings.fixes), ""]
    if findings.skipped:
        lines += ["## Not compared", "", *(f"- {what}: {why}" for what, why in findings.skipped.items()), ""]
    return "\n".join(lines)


def render(findings: Findings, fmt: str) -> str:
    if fmt == "json":
        data = findings.to_dict()
        for drift in data["drift"]:
            drift["examples"] = drift["examples"][:MAX_EXAMPLES]
        return json.dumps(data, indent=2, sort_keys=True, default=str) + "\n"
    return markdown(findings) if fmt == "markdown" else text(findings)
