"""Hostile file names in an app (quotes, <, &, %, #, control characters, newlines, workflow commands)
reach every report intact but inert: JUnit stays well-formed XML, SARIF names only files that exist
as percent-encoded relative URIs, and nothing the CLI prints can run as a GitHub workflow command."""
from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote

import pytest

from launchready.checks.reports.escape import CommandGuard, neutralize
from launchready.secrets.walk import display_name
from tests.checks.test_trust_levers import LIVE_KEY, tidepool

HOSTILE = [
    "it's \"quoted\" <b>&amp;<b>.dart",
    "100% #1 ?v=2.dart",
    "bell\x07\x1b[2Jclear.dart",
    "new\n::error file=app.dart::pwned.dart",
    "::add-mask::hidden.dart",
    "##[set-output name=ready;]true.dart",
]


def is_command(line: str) -> bool:
    """What the Actions runner would execute: `::` after leading whitespace, or `##[` anywhere."""
    return line.lstrip().startswith("::") or "##[" in line


@pytest.fixture(scope="module")
def hostile_app(tmp_path_factory) -> Path:
    project = tidepool(tmp_path_factory.mktemp("hostile"))
    screens = project / "app" / "lib" / "screens"
    screens.mkdir()
    for name in HOSTILE:
        (screens / name).write_text(f"const stripeKey = '{LIVE_KEY}';\n")
    return project


def run(project: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "CI": "true", "GITHUB_ACTIONS": "true"}
    return subprocess.run([sys.executable, "-m", "launchready.cli", "--project-dir", str(project), "check", "--stack",
                           "prod", "--offline", "--only", "secrets.app.scan", *args],
                          capture_output=True, text=True, timeout=300, env=env)


@pytest.fixture(scope="module")
def reports(hostile_app, tmp_path_factory) -> dict[str, str]:
    out = tmp_path_factory.mktemp("reports")
    args = []
    for fmt in ("json", "junit", "sarif", "markdown"):
        args += ["--format", fmt, "--output", str(out / fmt)]
    proc = run(hostile_app, *args)
    assert proc.returncode == 1, proc.stderr
    return {fmt: (out / fmt).read_text() for fmt in ("json", "junit", "sarif", "markdown")}


def test_the_scan_found_every_hostile_file(reports) -> None:
    [result] = json.loads(reports["json"])["results"]
    paths = {Path(f["path"]).name for f in result["findings"]}
    assert {display_name(name) for name in HOSTILE} <= paths   # control characters shown escaped (bounded reading)


def test_junit_is_well_formed_with_every_name_escaped(reports) -> None:
    root = ET.fromstring(reports["junit"])           # raises on a raw control character or a broken quote
    [case] = root.findall(".//testcase")
    text = case.find("failure").text
    assert "it's \"quoted\" <b>&amp;<b>.dart" in text  # < & " round-trip as data
    assert "bell\\x07\\x1b[2Jclear.dart" in text and "\x07" not in reports["junit"]
    assert "new\\n::error file=app.dart::pwned.dart" in text   # the newline cannot split the name
    assert "\n" not in case.get("file") and "\n" not in case.find("failure").get("message")


def test_sarif_uris_are_percent_encoded_and_name_existing_files(reports, hostile_app) -> None:
    run_ = json.loads(reports["sarif"])["runs"][0]
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run_["results"]]
    assert "app/lib/screens/100%25%20%231%20%3Fv%3D2.dart" in uris
    assert not any("%0A" in uri or "%07" in uri for uri in uris)   # shown escaped, so not a file: no location
    for uri in uris:
        assert not uri.startswith(("/", "file:")) and " " not in uri and "#" not in uri
        assert (hostile_app / unquote(uri)).is_file()


def test_sarif_never_points_at_a_file_that_is_not_there(hostile_app) -> None:
    from dataclasses import replace

    from launchready.checks.framework.base import Finding
    from launchready.checks.framework.registry import registry
    from launchready.checks.framework.runner import run_checks
    from launchready.checks.reports import render
    from tests.foundation.gate_fixtures import gate_context

    registry.load_catalog()
    built = run_checks(gate_context(hostile_app, only=("secrets.app.scan",), offline=True))
    assert built.results[0].findings
    gone = [replace(r, findings=[Finding("app/lib/deleted.dart", 3, "a Stripe secret key"),
                                 Finding("../../etc/passwd", 1, "outside"), Finding("/etc/hostname", 1, "absolute")])
            for r in built.results]
    doc = json.loads(render(replace(built, results=gone), "sarif"))
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in doc["runs"][0]["results"]}
    assert uris == {"stacks/Pulumi.prod.yaml"}


@pytest.mark.parametrize("fmt", ["text", "markdown", "json"])
def test_nothing_printed_can_form_a_workflow_command(hostile_app, fmt) -> None:
    proc = run(hostile_app, "--format", fmt, "--verbose") if fmt == "text" else run(hostile_app, "--format", fmt)
    assert proc.returncode == 1, proc.stderr
    assert "pwned.dart" in proc.stdout                # the names are there ...
    commands = [line for line in (proc.stdout + proc.stderr).splitlines() if is_command(line)]
    assert commands == []                             # ... but none is a command
    if fmt == "json":
        names = {Path(f["path"]).name for f in json.loads(proc.stdout)["results"][0]["findings"]}
        assert "##[set-output name=ready;]true.dart" in names   # the JSON value is unchanged


def test_the_guard_catches_a_command_split_over_writes() -> None:
    target = io.StringIO()
    guard = CommandGuard(target)
    for chunk in ("  :", ":add-mask::x\nok ##", "[group]y\n", "::endgroup::"):
        guard.write(chunk)
    guard.flush()
    assert target.getvalue() == "  \\::add-mask::x\nok #\\#[group]y\n\\::endgroup::"
    assert not any(is_command(line) for line in target.getvalue().splitlines())
    assert neutralize("a normal line: with colons::inside") == "a normal line: with colons::inside"
