"""Full readiness-check timings against the local sandbox: `python bench/check_suite.py [--runs N]`.

Starts a sandbox for `dev` in a temporary folder (or uses the running one with `--use-running`),
then runs `launchready check --stack dev --sandbox --app-dir examples/acme_notes_app` N times as a fresh process each
(what CI pays) and prints wall time, the suite's own duration, counts, and the slowest checks.
Prints figures only; nothing asserts on them.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
LAUNCHREADY = str(Path(sys.executable).parent / "launchready")
EXAMPLE_APP = REPO_ROOT / "examples" / "acme_notes_app"


def run_check(env: dict[str, str], out: Path) -> tuple[float, dict]:
    t0 = time.perf_counter()
    argv = [LAUNCHREADY, "check", "--stack", "dev", "--sandbox", "--app-dir", str(EXAMPLE_APP),
            "--format", "json", "--output", str(out)]
    done = subprocess.run(argv, env=env, cwd=REPO_ROOT, capture_output=True, text=True, timeout=600)
    wall = time.perf_counter() - t0
    if done.returncode not in (0, 1):
        sys.exit(f"check failed to run (exit {done.returncode}): {done.stderr.strip()}")
    return wall, json.loads(out.read_text())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--use-running", action="store_true", help="Use the sandbox already running.")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-check-"))
    env = dict(os.environ)
    if not args.use_running:
        env["LAUNCHREADY_SANDBOX_DIR"] = str(tmp / "sandbox")
        t0 = time.perf_counter()
        up = subprocess.run([LAUNCHREADY, "sandbox", "up", "--stack", "dev"], env=env, cwd=REPO_ROOT,
                            capture_output=True, text=True, timeout=300)
        if up.returncode != 0:
            sys.exit(up.stderr.strip())
        print(f"sandbox up: {time.perf_counter() - t0:.2f} s")
    try:
        walls, suites, report = [], [], {}
        for i in range(args.runs):
            wall, report = run_check(env, tmp / f"report-{i}.json")
            walls.append(wall)
            suites.append(report["duration_s"])
        s = report["summary"]
        print(f"checks: {len(report['results'])} results (pass {s['pass']}, fail {s['fail']}, warn {s['warn']}, "
              f"skip {s['skip']}, error {s['error']}; live {sum(r['live'] for r in report['results'])})")
        print(f"full check, fresh process, {args.runs} run(s): median {statistics.median(walls):.2f} s wall "
              f"(min {min(walls):.2f}, max {max(walls):.2f}); suite itself median {statistics.median(suites):.2f} s")
        print("slowest checks (last run):")
        for r in sorted(report["results"], key=lambda r: -r["duration_s"])[:5]:
            print(f"  {r['duration_s']:6.2f} s  {r['id']}")
    finally:
        if not args.use_running:
            subprocess.run([LAUNCHREADY, "sandbox", "down"], env=env, cwd=REPO_ROOT, capture_output=True, timeout=120)


if __name__ == "__main__":
    main()
