"""JUnit XML for CI test tabs (junitparser writes the XML).

One testcase per check and subject, named so that names are unique within the suite (`id [subject]`,
then `#2`, `#3` for repeats), with `file`/`line` attributes where the result points; the suite time is
the run's wall time (checks run concurrently, so the sum of case times would overstate it)."""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from junitparser import Error, Failure, JUnitXml, Skipped, TestCase, TestSuite

from launchready.checks.framework.base import Result, Status
from launchready.checks.framework.locations import relative_path
from launchready.checks.framework.report import Report


def _names(results: list[Result]) -> list[str]:
    seen: Counter[str] = Counter()
    names = []
    for r in results:
        base = f"{r.check_id} [{r.subject}]" if r.subject else r.check_id
        seen[base] += 1
        names.append(base if seen[base] == 1 else f"{base} #{seen[base]}")
    return names


def _detail(result: Result) -> str:
    return "\n".join(filter(None, [
        result.message,
        f"severity: {result.severity.value}{' (blocking)' if result.blocking else ''}",
        f"waived: {result.waiver.describe()}" if result.waiver else "",
        f"remediation: {result.remediation}" if result.remediation else "",
        f"evidence: {json.dumps(result.evidence, sort_keys=True)}" if result.evidence else "",
        *[f"{f.path}:{f.line or ''} {f.message}" for f in result.findings],
    ]))


def _outcome(result: Result):
    if result.waiver and result.status is not Status.PASS:
        return Skipped(f"waived ({result.status.value}): {result.waiver.describe()}")
    if result.status is Status.FAIL:
        return Failure(result.message, type_=result.severity.value)
    if result.status is Status.ERROR:
        return Error(result.message, type_="error")
    if result.status is Status.SKIP:
        return Failure(f"blocking skip: {result.message}", type_="skip") if result.blocking else Skipped(result.message)
    return None


def _case(result: Result, name: str, root: Path) -> TestCase:
    case = TestCase(name, classname=f"launchready.{result.check_id}", time=round(result.duration_s, 4))
    outcome = _outcome(result)
    if outcome is None:
        case.system_out = _detail(result)
    else:
        if not isinstance(outcome, Skipped):
            outcome.text = _detail(result)
        case.result = [outcome]
    if result.places:
        place = result.places[0]
        case._elem.set("file", relative_path(place.path, root) or place.path)
        if place.line:
            case._elem.set("line", str(place.line))
    return case


def render(report: Report) -> str:
    suite = TestSuite(f"launchready.{report.stack}")
    suite.timestamp = report.started_at.isoformat(timespec="seconds")
    root = Path(report.project_root)
    for result, name in zip(report.results, _names(report.results)):
        suite.add_testcase(_case(result, name, root))
    xml = JUnitXml("launchready")
    xml.add_testsuite(suite)
    xml.update_statistics()  # counts; it also sums case times, which we replace by the wall time
    for element in (xml._elem, suite._elem):
        element.set("time", f"{report.duration_s:.3f}")
    out = xml.tostring()
    return out.decode("utf-8") if isinstance(out, bytes) else out
