"""The CLI as CI meets it: --strict/--allow-skips, waivers, baselines, views, catalog commands,
text on screen beside report files, nothing third-party on stdout/stderr."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml

from tests.foundation.gate_fixtures import app_project

REPO = Path(__file__).resolve().parents[2]
APP_CHECKS = "client.api,client.state,client.credentials,secrets.app"   # offline checks that read the Flutter app; they skip without it


@pytest.fixture
def project(tmp_path) -> str:
    """Another app's project with no Flutter app in it (the backend repo sits beside the app's)."""
    return str(app_project(tmp_path / "fernhill"))


def cli(*args: str, ci: str = "", cwd: Path = REPO) -> subprocess.CompletedProcess:
    env = {**os.environ, "CI": ci, "PYTHONWARNINGS": "default"}  # show every warning that is not filtered
    return subprocess.run([sys.executable, "-m", "launchready.cli", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=300, env=env)


def test_without_the_app_a_prod_gate_is_not_ready_and_names_the_skips(project) -> None:
    proc = cli("--project-dir", project, "check", "--stack", "prod", "--offline", "--only", APP_CHECKS)
    assert proc.returncode == 1, proc.stderr
    # one root cause, one finding: secrets.app.scan blocks, the 6 other app checks wait for it
    assert "NOT READY" in proc.stdout and "1 blocking check(s) skipped: no app dir" in proc.stdout
    assert "SKIP ■ critical secrets.app.scan" in proc.stdout and "SKIP 6 check(s) until secrets.app.scan" in proc.stdout
    allowed = cli("--project-dir", project, "check", "--stack", "prod", "--offline", "--only", APP_CHECKS, "--allow-skips")
    assert allowed.returncode == 0, allowed.stdout
    assert "READY" in allowed.stdout and "skipped and allowed by --allow-skips" in allowed.stdout


def test_ci_makes_dev_strict_too(project) -> None:
    args = ("--project-dir", project, "check", "--stack", "dev", "--offline", "--only", "secrets.app.scan", "--format", "json")
    assert cli(*args, ci="").returncode == 0
    strict = cli(*args, ci="true")
    assert strict.returncode == 1 and json.loads(strict.stdout)["strict"] is True


def test_a_waiver_file_accepts_the_skips_with_reasons(tmp_path, project) -> None:
    expires = (date.today() + timedelta(days=14)).isoformat()
    waivers = [{"check": "secrets.app.scan", "reason": "the Flutter app is built in the mobile repository",
                "owner": "mobile@fernhill.io", "expires": expires}]   # the root cause; the others wait for it
    (Path(project) / "launchready.yaml").write_text(yaml.safe_dump({"waivers": waivers}))
    proc = cli("--project-dir", project, "check", "--stack", "prod", "--offline", "--only", APP_CHECKS)
    assert proc.returncode == 0, proc.stdout
    assert proc.stdout.count("waiver: the Flutter app is built in the mobile repository") == 1
    bad = tmp_path / "bad.yaml"
    bad.write_text("waivers:\n  - check: secrets.app.scan\n    reason: later\n")
    broken = cli("--project-dir", project, "check", "--stack", "prod", "--offline", "--only", APP_CHECKS, "--waivers", str(bad))
    assert broken.returncode == 2 and "waivers[0].owner: missing" in broken.stderr and "Traceback" not in broken.stderr


def test_text_on_stdout_and_json_to_a_file_in_one_run(tmp_path, project) -> None:
    out = tmp_path / "r.json"
    proc = cli("--project-dir", project, "check", "--stack", "prod", "--offline", "--only", APP_CHECKS, "--format", "text",
               "--format", "json", "--output", str(out), "--quiet")
    assert proc.stdout.startswith("launchready check — stack prod") and "NOT READY" in proc.stdout
    assert json.loads(out.read_text())["summary"]["blocking_skips"] == 1
    assert "FutureWarning" not in proc.stderr and "Warning" not in proc.stdout


def test_write_then_use_a_baseline(tmp_path) -> None:
    baseline = tmp_path / "baseline.json"
    first = cli("check", "--stack", "dev", "--offline", "--only", "config", "--write-baseline", str(baseline),
                "--format", "json")
    assert f"baseline written to {baseline}" in first.stderr
    assert json.loads(baseline.read_text())["tool"] == "launchready"
    second = cli("check", "--stack", "dev", "--offline", "--only", "config", "--baseline", str(baseline), "--format", "json")
    assert second.returncode == 0 and json.loads(second.stdout)["summary"]["blocking"] == 0


def test_version_checks_and_explain() -> None:
    version = cli("--version")
    assert version.returncode == 0 and version.stdout.startswith("launchready ")
    listing = cli("checks", "--format", "json")
    rows = json.loads(listing.stdout)
    assert {"id", "severity", "kind", "title"} == set(rows[0]) and len(rows) == len({r["id"] for r in rows}) > 30
    assert {r["kind"] for r in rows} == {"live", "offline"}
    text = cli("checks", "--only", "rules.static").stdout.splitlines()
    assert text and all(line.startswith("rules.static.") for line in text)
    explained = cli("explain", "rules.static.test_mode")
    assert explained.returncode == 0
    for part in ("rules.static.test_mode —", "What and why:", "How to fix a failure:", "Docs: docs/checks.md#rules.static.test_mode"):
        assert part in explained.stdout
    typo = cli("explain", "rules.static.testmode")
    assert typo.returncode == 2 and "did you mean rules.static.test_mode" in typo.stderr


def test_third_party_import_warnings_stay_off_the_terminal() -> None:
    # google-api-core warns about the Python support calendar on import (the firestore/functions checks import it)
    code = "import launchready.cli, google.api_core"
    proc = subprocess.run([sys.executable, "-W", "default", "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and "Warning" not in proc.stderr, proc.stderr


def test_without_java_a_prod_gate_names_the_emulator_checks_it_could_not_run(tmp_path) -> None:
    env = {**os.environ, "CI": "", "PATH": str(tmp_path)}   # no java on PATH
    args = [sys.executable, "-m", "launchready.cli", "check", "--stack", "prod", "--offline",
            "--only", "functions.webhook.contract"]
    proc = subprocess.run(args, capture_output=True, text=True, cwd=REPO, timeout=300, env=env)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "SKIP ■ critical functions.webhook.contract" in proc.stdout
    assert "1 blocking check(s) skipped: Firestore emulator unavailable: Java is not installed" in proc.stdout
    allowed = subprocess.run([*args, "--allow-skips"], capture_output=True, text=True, cwd=REPO, timeout=300, env=env)
    assert allowed.returncode == 0 and "READY" in allowed.stdout and "allowed by --allow-skips" in allowed.stdout
