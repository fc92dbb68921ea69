"""The CLI contract users' CI relies on: formats, exit codes, --output, selection flags."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def cli(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "launchready.cli", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=300)


def test_offline_json_report_is_valid_and_exit_code_matches() -> None:
    proc = cli("check", "--stack", "dev", "--offline", "--format", "json")
    assert "Traceback" not in proc.stderr
    report = json.loads(proc.stdout)
    assert report["stack"] == "dev"
    assert report["results"], "the catalog registered no offline checks"
    assert all(not r["live"] for r in report["results"])
    assert proc.returncode == (0 if report["ready"] else 1)
    assert report["ready"] == (report["summary"]["blocking"] == 0)


def test_only_and_output_file(tmp_path: Path) -> None:
    out = tmp_path / "nested" / "report.sarif"
    proc = cli("check", "--stack", "dev", "--offline", "--only", "config", "--format", "sarif", "--output", str(out))
    assert proc.returncode in (0, 1), proc.stderr
    doc = json.loads(out.read_text())
    rule_ids = [r["id"] for r in doc["runs"][0]["tool"]["driver"]["rules"]]
    assert rule_ids and all(rule_id.startswith("config.") for rule_id in rule_ids)
    assert "report written to" in proc.stderr


def test_usage_errors_exit_2_without_traceback(tmp_path: Path) -> None:
    for args, message in [
        (("check", "--stack", "dev", "--format", "yaml"), "--format: expected one of"),
        (("check", "--stack", "dev", "--rules", str(tmp_path / "missing.rules")), "--rules:"),
        (("check", "--stack", "dev", "--stacks-dir", str(tmp_path / "nowhere")), "--stacks-dir:"),
        (("check", "--stack", "dev", "--nameserver", "nocolon"), "--nameserver: expected HOST:PORT"),
        (("check",), "Missing option '--stack'"),
    ]:
        proc = cli(*args)
        assert proc.returncode == 2, (args, proc.stderr)
        assert message in proc.stderr, (args, proc.stderr)
        assert "Traceback" not in proc.stderr


def test_every_subcommand_has_help() -> None:
    for args in (("check",), ("checks",), ("explain",), ("plan",), ("handover",), ("demo",), ("sandbox",), ("sandbox", "up"),
                 ("sandbox", "down"), ("sandbox", "status")):
        proc = cli(*args, "--help")
        assert proc.returncode == 0, (args, proc.stderr)
        assert "Usage" in proc.stdout


def test_a_selection_that_matches_nothing_is_a_usage_error() -> None:
    proc = cli("check", "--stack", "dev", "--offline", "--only", "no.such.area")
    assert proc.returncode == 2
    assert "no checks match" in proc.stderr


def test_several_formats_from_one_run(tmp_path: Path) -> None:
    outputs = {fmt: tmp_path / f"report.{fmt}" for fmt in ("json", "junit", "markdown")}
    args = ["check", "--stack", "dev", "--offline", "--only", "config"]
    for fmt, path in outputs.items():
        args += ["--format", fmt, "--output", str(path)]
    proc = cli(*args)
    assert proc.returncode in (0, 1), proc.stderr
    report = json.loads(outputs["json"].read_text())
    assert proc.returncode == (0 if report["ready"] else 1)
    assert "<testsuite" in outputs["junit"].read_text()
    assert outputs["markdown"].read_text().startswith("## launchready")
    mismatch = cli("check", "--stack", "dev", "--format", "json", "--format", "sarif", "--output", str(tmp_path / "x"))
    assert mismatch.returncode == 2 and "one --output per --format" in mismatch.stderr
