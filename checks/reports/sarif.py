"""SARIF 2.1.0 for GitHub code scanning: one rule per check, one result per finding (a result without
a file of its own points at the stack file, at the config key that drives the check).

What GitHub needs beyond the schema: a location with a relative URI and a start line on every result,
stable `partialFingerprints`, rule `fullDescription`/`help`, a tool version. Waived results carry an
accepted suppression with the waiver's reason, so code scanning shows them as dismissed, not new.

Locations name only files that exist in the project, as percent-encoded URIs relative to its root
(RFC 3986: a file name with spaces, `#`, `%` or `?` stays one path); a finding in a file that is not
there points at the stack file, else at Pulumi.yaml, and says where it was. The trust levers the run
pulled are listed in the run's properties (`trustLevers`)."""
from __future__ import annotations

import inspect
import json
import os
from pathlib import Path
from urllib.parse import quote

from launchready.checks.framework.base import Check, Finding, Result, Severity, Status
from launchready.checks.framework.baseline import finding_fingerprint
from launchready.checks.framework.report import Report, tool_version
from launchready.checks.reports.escape import one_line

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/launchready/launchready"
HELP_URI = f"{INFORMATION_URI}/blob/main/docs/checks.md"
ROOT_ID = "PROJECTROOT"
FINGERPRINT_KEY = "launchready/v1"
LEVELS = {Severity.CRITICAL: "error", Severity.HIGH: "error", Severity.MEDIUM: "warning",
          Severity.LOW: "note", Severity.INFO: "note"}
SECURITY_SEVERITY = {Severity.CRITICAL: "9.5", Severity.HIGH: "8.0", Severity.MEDIUM: "5.5",
                     Severity.LOW: "3.0", Severity.INFO: "1.0"}


def describe_check(cls: type[Check] | None, result: Result | None = None) -> tuple[str, str]:
    """(what the check verifies and why, how to fix it): the class docstring (else its module's) and
    remediation; from the result when the class is unknown."""
    if cls is None:
        return (result.title, result.remediation) if result else ("", "")
    from launchready.checks.explanations import explanation
    doc = explanation(cls.id) or inspect.getdoc(cls)
    if not doc or doc == inspect.getdoc(Check):
        doc = inspect.getdoc(inspect.getmodule(cls)) or cls.title
    return doc, cls.remediation or (result.remediation if result else "")


def help_uri(check_id: str) -> str:
    """The check's own section of docs/checks.md (each section carries an anchor named by its id)."""
    return f"{HELP_URI}#{check_id}"


def _rule(result: Result, cls: type[Check] | None) -> dict:
    what, fix = describe_check(cls, result)
    explain = f"launchready explain {result.check_id}"
    fix_text = f"Fix: {fix}\n\nMore: `{explain}`" if fix else f"More: `{explain}`"
    return {
        "id": result.check_id,
        "name": "".join(part.title() for part in result.check_id.replace("-", "_").replace(".", "_").split("_")),
        "shortDescription": {"text": result.title},
        "fullDescription": {"text": " ".join(what.split())},
        "help": {"text": fix_text.replace("`", ""), "markdown": f"**{result.title}**\n\n{fix_text}"},
        "helpUri": help_uri(result.check_id),
        "defaultConfiguration": {"level": LEVELS[result.severity]},
        "properties": {"security-severity": SECURITY_SEVERITY[result.severity],
                       "tags": ["security", "launch-readiness", result.check_id.split(".")[0]],
                       "problem.severity": "error" if LEVELS[result.severity] == "error" else "warning"},
    }


def artifact_uri(path: str, root: Path) -> str | None:
    """`path` as a percent-encoded URI relative to the project root when it names a regular file there
    (lexically and after links); None otherwise."""
    if not path or "\x00" in path:
        return None
    candidate = Path(path) if os.path.isabs(path) else root / path
    try:
        lexical = Path(os.path.normpath(candidate)).relative_to(root)
        resolved = candidate.resolve()
        resolved.relative_to(root.resolve())
        if not resolved.is_file() or lexical.as_posix() in ("", "."):
            return None
    except (ValueError, OSError, RuntimeError):
        return None
    return quote(lexical.as_posix(), safe="/")


def _location(place: Finding, root: Path, fallbacks: tuple[str, ...]) -> tuple[dict, str]:
    """The SARIF location of `place`, or of the first fallback file that exists; plus a note saying
    where the finding really was when it had to move."""
    uri, line, note = artifact_uri(place.path, root), place.line or 1, ""
    if uri is None:
        uri = next((u for u in (artifact_uri(f, root) for f in fallbacks) if u), None)
        line, note = 1, f" (in {one_line(place.path)}, not a file of this repository)"
    location = {"physicalLocation": {"artifactLocation": {"uri": uri, "uriBaseId": ROOT_ID},
                                     "region": {"startLine": line}}}
    return location, note


def _level(result: Result) -> str:
    return "warning" if result.status is Status.WARN else LEVELS[result.severity]


def _results(result: Result, rule_index: int, root: Path, fallbacks: tuple[str, ...]) -> list[dict]:
    base: dict = {"ruleId": result.check_id, "ruleIndex": rule_index, "level": _level(result),
                  "properties": {"status": result.status.value, "severity": result.severity.value,
                                 "blocking": result.blocking, "subject": result.subject}}
    if result.waiver:
        base["suppressions"] = [{"kind": "external", "status": "accepted", "justification": result.waiver.describe()}]
    prefix = "not checked: " if result.status is Status.SKIP else ""
    fix = f" Fix: {result.remediation}" if result.remediation else ""
    out = []
    for place in result.places:
        text = place.message if result.findings else result.message
        location, note = _location(place, root, fallbacks)
        out.append({**base, "message": {"text": f"{prefix}{text}{note}{fix}"},
                    "locations": [location] if location["physicalLocation"]["artifactLocation"]["uri"] else [],
                    "partialFingerprints": {FINGERPRINT_KEY: finding_fingerprint(result, place, root)}})
    return out


def _reported(result: Result) -> bool:
    return result.status in (Status.FAIL, Status.ERROR, Status.WARN) or (result.status is Status.SKIP and
                                                                         (result.blocking or result.waiver is not None
                                                                          and result.waiver.kind != "not-applicable"))


def render(report: Report) -> str:
    root = Path(report.project_root)
    rules: list[dict] = []
    index: dict[str, int] = {}
    results: list[dict] = []
    fallbacks = tuple(filter(None, [report.stack_file, "Pulumi.yaml"]))
    for result in report.results:
        if result.check_id not in index:
            index[result.check_id] = len(rules)
            rules.append(_rule(result, report.checks.get(result.check_id)))
        if _reported(result):
            results.extend(_results(result, index[result.check_id], root, fallbacks))
    version = tool_version()
    driver = {"name": "launchready", "version": version, "semanticVersion": version,
              "informationUri": INFORMATION_URI, "rules": rules}
    document = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": driver},
            "automationDetails": {"id": f"launchready/{report.stack}/"},
            "originalUriBaseIds": {ROOT_ID: {"uri": root.resolve().as_uri() + "/"}},
            "results": results,
            "properties": {"trustLevers": [lever.to_dict() for lever in report.levers]},
        }],
    }
    return json.dumps(document, indent=2) + "\n"
