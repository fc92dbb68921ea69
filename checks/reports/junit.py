"""JUnit XML for CI test tabs: one testcase per check result (junitparser writes the XML)."""
from __future__ import annotations

import json

from junitparser import Error, Failure, JUnitXml, Skipped, TestCase, TestSuite

from launchready.checks.framework.base import Status
from launchready.checks.framework.report import Report


def render(report: Report) -> str:
    suite = TestSuite(f"launchready.{report.stack}")
    suite.timestamp = report.started_at.isoformat(timespec="seconds")
    for result in report.results:
        case = TestCase(result.title, classname=result.check_id, time=round(result.duration_s, 4))
        detail = "\n".join(filter(None, [
            result.message,
            f"severity: {result.severity.value}{' (blocking)' if result.blocking else ''}",
            f"remediation: {result.remediation}" if result.remediation else "",
            f"evidence: {json.dumps(result.evidence, sort_keys=True)}" if result.evidence else "",
            *[f"{f.path}:{f.line or ''} {f.message}" for f in result.findings],
        ]))
        if result.status is Status.FAIL:
            outcome = Failure(result.message, type_=result.severity.value)
            outcome.text = detail
            case.result = [outcome]
        elif result.status is Status.ERROR:
            outcome = Error(result.message, type_="error")
            outcome.text = detail
            case.result = [outcome]
        elif result.status is Status.SKIP:
            case.result = [Skipped(result.message)]
        else:
            case.system_out = detail
        suite.add_testcase(case)
    suite.update_statistics()
    xml = JUnitXml("launchready")
    xml.add_testsuite(suite)
    xml.update_statistics()
    out = xml.tostring()
    return out.decode("utf-8") if isinstance(out, bytes) else out
