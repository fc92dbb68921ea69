"""`launchready demo`: the lifecycle proves the plumbing, the check is green, files are written."""
from __future__ import annotations

import json
import re

from tests.sandbox.conftest import cli, state


def test_demo_runs_end_to_end_and_keep_leaves_the_sandbox_up(sandbox_dir, tmp_path):
    out = tmp_path / "build"
    result = cli("demo", "--keep", "--out", str(out), timeout=240)
    assert result.returncode == 0, result.stdout + result.stderr
    for step in ("sign-up", "checkout + subscription", "failed invoice", "forged webhook", "support request",
                 "CRM outage recovers", "support desk", "reconcile"):
        assert f"  ✓ {step}: " in result.stdout
    assert "✗" not in result.stdout
    assert re.search(r"sync tasks \{'done': \d+\}", result.stdout)  # every task done despite the outage

    report = json.loads((out / "reports" / "dev.json").read_text())
    assert report["ready"] and report["summary"]["fail"] == 0 and report["summary"]["error"] == 0
    live = {r["id"].split(".")[0] for r in report["results"] if r["live"] and r["status"] == "pass"}
    assert {"dns", "email", "tls", "http", "webhook", "stripe", "monitoring"} <= live
    assert [r["id"] for r in report["results"] if r["status"] == "skip"] == []  # every check really ran
    assert "rules" in live  # rules.deployed.match read the Rules API stand-in
    for name in ("dev.txt", "dev.xml", "dev.md"):
        assert (out / "reports" / name).stat().st_size > 0
    readiness = (out / "handover" / "readiness.md").read_text()
    assert report["started_at"] in readiness and "**ready**" in readiness

    # --keep: still running and healthy, then stopped by the usual command
    assert set(state(sandbox_dir)["targets"]) >= {"webhook_url", "nameserver", "stripe_api_key"}
    assert cli("sandbox", "status").returncode == 0
    assert cli("sandbox", "down").returncode == 0
    assert not (sandbox_dir / "state.json").exists()
