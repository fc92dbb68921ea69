"""Every report format renders the same Report; JSON schema stable, JUnit and SARIF well-formed."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
from junitparser import JUnitXml

from launchready.checks.framework.runner import run_checks
from launchready.checks.reports import RENDERERS, render
from tests.foundation.test_framework import context, make_registry

SECRET = "whsec_" + "A1b2C3d4E5f6G7h8I9j0"


@pytest.fixture(scope="module")
def report():
    reg = make_registry()

    from launchready.checks.framework import Check, Finding, Severity

    @reg.register
    class LeakyFinding(Check):
        id = "demo.leak.finding"
        title = "A finding quoting a secret"
        severity = Severity.CRITICAL

        def run(self, ctx):
            return self.failed(f"secret {SECRET} in file", {"value": SECRET},
                               findings=[Finding("lib/main.dart", 12, f"webhook secret {SECRET}")])

    return run_checks(context("prod"), registry=reg)


def test_json_schema_is_stable(report) -> None:
    data = json.loads(render(report, "json"))
    assert list(data) == ["schema_version", "tool", "stack", "started_at", "duration_s", "ready", "strict",
                          "blocking_severities", "summary", "notices", "trust_levers", "results"]
    assert data["schema_version"] == 2 and data["stack"] == "prod" and data["ready"] is False
    assert data["tool"]["name"] == "launchready" and data["tool"]["version"]
    counts = {"pass", "fail", "warn", "skip", "error"}
    assert set(data["summary"]) == counts | {"blocking", "blocking_skips", "waived"}
    assert sum(v for k, v in data["summary"].items() if k in counts) == len(data["results"])
    for result in data["results"]:
        assert list(result) == ["id", "title", "severity", "status", "blocking", "live", "message",
                                "evidence", "remediation", "findings", "duration_s", "subject", "waived",
                                "location"]
        assert result["status"] in {"pass", "fail", "warn", "skip", "error"}
        assert result["severity"] in {"critical", "high", "medium", "low", "info"}
        for finding in result["findings"]:
            assert set(finding) == {"path", "line", "message"}


def test_junit_has_one_testcase_per_result(report, tmp_path) -> None:
    text = render(report, "junit")
    ET.fromstring(text)  # well-formed
    path = tmp_path / "report.xml"
    path.write_text(text)
    xml = JUnitXml.fromfile(str(path))
    cases = [case for suite in xml for case in suite]
    assert len(cases) == len(report.results)
    suite = next(iter(xml))
    summary = report.summary()
    assert suite.tests == len(report.results)
    assert suite.failures == summary["fail"]
    assert suite.errors == summary["error"]
    assert suite.skipped == summary["skip"]
    assert {c.classname for c in cases} == {f"launchready.{r.check_id}" for r in report.results}


def test_sarif_shape(report) -> None:
    doc = json.loads(render(report, "sarif"))
    assert doc["version"] == "2.1.0" and doc["$schema"].endswith("sarif-2.1.0.json")
    [run] = doc["runs"]
    rules = run["tool"]["driver"]["rules"]
    assert run["tool"]["driver"]["name"] == "launchready"
    assert len({r["id"] for r in rules}) == len(rules)
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] in {"error", "warning", "note", "none"}
        assert result["message"]["text"]
        for location in result["locations"]:
            physical = location["physicalLocation"]
            assert physical["artifactLocation"]["uri"]
            assert physical["region"]["startLine"] >= 1
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]}
    # no file of its own, or one that is not in the project (a.txt, lib/main.dart): the stack file
    assert uris == {"stacks/Pulumi.prod.yaml"}
    assert any("(in lib/main.dart, not a file of this repository)" in r["message"]["text"] for r in run["results"])
    failing = {r.check_id for r in report.results if r.status.value in ("fail", "error", "warn")}
    assert {r["ruleId"] for r in run["results"]} == failing


def test_markdown_puts_blocking_failures_first(report) -> None:
    text = render(report, "markdown")
    assert "Not ready: 4 blocking finding(s)" in text
    rows = [line for line in text.splitlines() if line.startswith("| ") and "`demo." in line]
    assert "(blocking)" in rows[0] and "✅" in rows[-1]
    assert "**Remediation:** Fix the beta thing." in text


def test_text_lists_failures_with_remediation(report) -> None:
    text = render(report, "text")
    assert "NOT READY" in text and "fix: Fix the beta thing." in text
    assert "\x1b[" not in text  # no colour codes when not a TTY
    assert text.index("demo.beta.critical") < text.index("demo.alpha.good")


@pytest.mark.parametrize("fmt", sorted(RENDERERS))
def test_secrets_are_redacted_in_every_format(report, fmt) -> None:
    assert SECRET not in render(report, fmt)
