"""JUnit XML for CI test tabs (junitparser writes the XML).

One testcase per check and subject, named so that names are unique within the suite (`id [subject]`,
then `#2`, `#3` for repeats), with `file`/`line` attributes where the result points; the suite time is
the run's wall time (checks run concurrently, so the sum of case times would overstate it). Every
string is escaped for XML 1.0 (`escape.xml_text`; names and attributes on one line), and the trust
levers the run pulled are suite properties (`launchready.trust_lever`)."""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from junitparser import Error, Failure, JUnitXml, Skipped, TestCase, TestSuite

from launchready.checks.framework.base import Result, Status
from launchready.checks.framework.locations import relative_path
from launchready.checks.framework.report import Report
from launchready.checks.reports.escape import one_line, xml_text


def _names(results: list[Result]) -> list[str]:
    seen: Counter[str] = Counter()
    names = []
    for r in results:
        base = one_line(f"{r.check_id} [{r.subject}]" if r.subject else r.check_id)
        seen[base] += 1
        names.append(base if seen[base] == 1 else f"{base} #{seen[base]}")
    return names


def _detail(result: Result) -> str:
    return xml_text("\n".join(filter(None, [
        result.message,
        f"severity: {result.severity.value}{' (blocking)' if result.blocking else ''}",
        f"waived: {result.waiver.describe()}" if result.waiver else "",
        f"remediation: {result.remediation}" if result.remediation else "",
        f"evidence: {json.dumps(result.evidence, sort_keys=True)}" if result.evidence else "",
        *[f"{one_line(f.path)}:{f.line or ''} {f.message}" for f in result.findings],
    ])))


def _outcome(result: Result):
    message = one_line(result.message)
    if result.waiver and result.status is not Status.PASS:
        return Skipped(one_line(f"waived ({result.status.value}): {result.waiver.describe()}"))
    if result.status is Status.FAIL:
        return Failure(message, type_=result.severity.value)
    if result.status is Status.ERROR:
        return Error(message, type_="error")
    if result.status is Status.SKIP:
        return Failure(f"blocking skip: {message}", type_="skip") if result.blocking else Skipped(message)
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
        case._elem.set("file", one_line(relative_path(place.path, root) or place.path))
        if place.line:
            case._elem.set("line", str(place.line))
    return case


def render(report: Report) -> str:
    suite = TestSuite(one_line(f"launchready.{report.stack}"))
    suite.timestamp = report.started_at.isoformat(timespec="seconds")
    root = Path(report.project_root)
    for lever in report.levers:
        suite.add_property("launchready.trust_lever", one_line(lever))
    for result, name in zip(report.results, _names(report.results), strict=False):
        suite.add_testcase(_case(result, name, root))
    xml = JUnitXml("launchready")
    xml.add_testsuite(suite)
    xml.update_statistics()  # counts; it also sums case times, which we replace by the wall time
    for element in (xml._elem, suite._elem):
        element.set("time", f"{report.duration_s:.3f}")
    out = xml.tostring()
    return out.decode("utf-8") if isinstance(out, bytes) else out
