"""A core install (no `deploy`/`sandbox` extras) serves `scan`; commands needing an extra say which one.

The extras' packages are hidden from a fresh interpreter by an import hook (what a core venv lacks), so
the test needs no second venv; bench/install.py measures real installs.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

from launchready.errors import EXTRA_MODULES
from tests.checks_offline.real_apps import TUTORLY, write_app
from tests.conftest import REPO_ROOT

HIDE = textwrap.dedent("""
    import sys
    from importlib.abc import MetaPathFinder
    HIDDEN = {hidden!r}
    class Hide(MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if any(name == m or name.startswith(m + ".") for m in HIDDEN):
                raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
    sys.meta_path.insert(0, Hide())
    before = set(sys.modules)   # namespace stubs (google.cloud) that site's .pth files pre-create
    from launchready.cli import main
    code = main(sys.argv[1:])
    loaded = sorted(m for m in set(sys.modules) - before if any(m == h or m.startswith(h + ".") for h in HIDDEN))
    print("LOADED", loaded, file=sys.stderr)
    sys.exit(code)
""").format(hidden=sorted(EXTRA_MODULES))


def _core(*argv: str, cwd) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "LAUNCHREADY_PLAN_CACHE": "0"}
    return subprocess.run([sys.executable, "-c", HIDE, *argv], capture_output=True, text=True, timeout=300,
                          env=env, cwd=cwd)


def test_scan_runs_without_the_extras(tmp_path):
    repo = write_app(tmp_path / "tutorly", TUTORLY)
    done = _core("scan", str(repo), "--format", "json", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert "LOADED []" in done.stderr
    report = json.loads(done.stdout)
    assert {r["status"] for r in report["results"]} <= {"pass", "fail", "warn"}
    assert [r for r in report["results"] if r["id"] == "rules.static.billing_self_grant"][0]["status"] == "fail"


def test_plan_without_the_deploy_extra_says_what_to_install(tmp_path):
    done = _core("--project-dir", str(REPO_ROOT), "plan", "--stack", "dev", cwd=tmp_path)
    assert done.returncode == 2
    lines = [line for line in done.stderr.splitlines() if not line.startswith("LOADED")]
    assert len(lines) == 1 and lines[0].startswith("launchready: this command needs the deploy extra")
    assert lines[0].endswith("pip install -c constraints.txt 'launchready[deploy]'")
