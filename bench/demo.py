"""`launchready demo` timings: `python bench/demo.py [--runs N]` (prints figures; asserts nothing).

Each run is a fresh `launchready demo` process with its own sandbox folder and output folder; the
phase times are the ones the demo prints (sandbox up, lifecycle, check + reports + handover).
"""
from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
LAUNCHREADY = str(Path(sys.executable).parent / "launchready")
STAMP = re.compile(r"^\[\s*([\d.]+)s\] (\w+)", re.MULTILINE)


def one_run(folder: Path) -> dict[str, float]:
    env = {**os.environ, "LAUNCHREADY_SANDBOX_DIR": str(folder / "sandbox")}
    t0 = time.perf_counter()
    done = subprocess.run([LAUNCHREADY, "demo", "--out", str(folder / "build")], env=env, cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=600)
    total = time.perf_counter() - t0
    if done.returncode != 0:
        sys.exit(f"demo exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
    marks = {word: float(at) for at, word in STAMP.findall(done.stdout)}
    return {"sandbox up": marks["sandbox"], "lifecycle": marks["readiness"] - marks["customer"],
            "check + reports + handover": marks.get("READY", marks.get("NOT", 0.0)) - marks["readiness"],
            "total (process wall)": total}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    runs = [one_run(Path(tempfile.mkdtemp(prefix="bench-demo-"))) for _ in range(args.runs)]
    print(f"launchready demo, {args.runs} run(s), median (min-max):")
    for phase in runs[0]:
        values = [r[phase] for r in runs]
        print(f"  {phase:<28} {statistics.median(values):6.2f} s  ({min(values):.2f}-{max(values):.2f})")


if __name__ == "__main__":
    main()
