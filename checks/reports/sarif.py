"""SARIF 2.1.0 for code scanning: one rule per check, one result per finding (or per failing check
when it has no file location). SARIF is plain JSON; the shape follows the OASIS 2.1.0 schema."""
from __future__ import annotations

import json

from launchready.checks.framework.base import Result, Severity, Status
from launchready.checks.framework.report import Report

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {Severity.CRITICAL: "error", Severity.HIGH: "error", Severity.MEDIUM: "warning",
          Severity.LOW: "note", Severity.INFO: "note"}
SECURITY_SEVERITY = {Severity.CRITICAL: "9.5", Severity.HIGH: "8.0", Severity.MEDIUM: "5.5",
                     Severity.LOW: "3.0", Severity.INFO: "1.0"}


def _rule(result: Result) -> dict:
    return {
        "id": result.check_id,
        "name": result.check_id.replace(".", "_"),
        "shortDescription": {"text": result.title},
        "help": {"text": result.remediation or result.title},
        "defaultConfiguration": {"level": LEVELS[result.severity]},
        "properties": {"security-severity": SECURITY_SEVERITY[result.severity], "tags": ["launch-readiness"]},
    }


def _location(path: str, line: int | None) -> dict:
    physical: dict = {"artifactLocation": {"uri": path.lstrip("./") or path}}
    if line:
        physical["region"] = {"startLine": line}
    return {"physicalLocation": physical}


def _results(result: Result, rule_index: int) -> list[dict]:
    level = "warning" if result.status is Status.WARN else LEVELS[result.severity]
    base = {"ruleId": result.check_id, "ruleIndex": rule_index, "level": level}
    if result.findings:
        return [{**base, "message": {"text": f.message}, "locations": [_location(f.path, f.line)]}
                for f in result.findings]
    text = result.message + (f" Remediation: {result.remediation}" if result.remediation else "")
    return [{**base, "message": {"text": text}}]


def render(report: Report) -> str:
    rules: list[dict] = []
    index: dict[str, int] = {}
    results: list[dict] = []
    for result in report.results:
        if result.check_id not in index:
            index[result.check_id] = len(rules)
            rules.append(_rule(result))
        if result.status in (Status.FAIL, Status.ERROR, Status.WARN):
            results.extend(_results(result, index[result.check_id]))
    document = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "launchready", "informationUri": "https://github.com/launchready/launchready",
                                "rules": rules}},
            "automationDetails": {"id": f"launchready/{report.stack}/"},
            "results": results,
        }],
    }
    return json.dumps(document, indent=2) + "\n"
