"""Offline plan timings: `python bench/plan.py` (prints figures; nothing asserts on them).

Cold = a fresh process importing Pulumi + providers and planning dev, staging and prod once each, with
the on-disk plan cache off (`LAUNCHREADY_PLAN_CACHE=0`); re-run = the same with the disk cache
holding the plans (what a second `check --offline` with nothing changed pays); warm = planning again
in the same process with the in-memory cache cleared; cached = the in-memory hit.
"""
from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
STACKS = ("dev", "staging", "prod")
CHILD = """
import time; t0 = time.perf_counter()
from launchready.config.model import load_stack
from launchready.infra.plan import build_plan
for s in {stacks!r}:
    build_plan(load_stack({stacks_dir!r}, s))
print(time.perf_counter() - t0)
"""


def _child(label: str, cache: str) -> None:
    started = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run([sys.executable, "-c", CHILD.format(stacks=STACKS, stacks_dir=str(REPO_ROOT / "stacks"))],
                         cwd=REPO_ROOT, capture_output=True, text=True, check=True, timeout=300,
                         env={**os.environ, "LAUNCHREADY_PLAN_CACHE": cache})
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    print(f"{label}, 3 stacks: {time.perf_counter() - started:.2f} s wall, {cpu:.2f} s CPU "
          f"({float(out.stdout.strip()):.2f} s from first line to last plan)")


def main() -> None:
    _child("cold process, disk cache off", "0")
    _child("fill the disk cache", "1")
    _child("re-run process, disk cache hit", "1")
    os.environ["LAUNCHREADY_PLAN_CACHE"] = "0"

    from launchready.config.model import load_stack
    from launchready.infra import plan as planner

    configs = {s: load_stack(REPO_ROOT / "stacks", s) for s in STACKS}
    t0 = time.perf_counter()
    plans = {s: planner.build_plan(c) for s, c in configs.items()}
    print(f"in-process first plans (imports included): {time.perf_counter() - t0:.2f} s")
    for stack, config in configs.items():
        planner._CACHE.clear()
        t0 = time.perf_counter()
        planner.build_plan(config)
        print(f"  warm plan {stack:8s} {time.perf_counter() - t0:.3f} s  ({len(plans[stack].resources)} resources)")
    t0 = time.perf_counter()
    planner.build_plan(configs["prod"])
    print(f"  cached plan prod   {(time.perf_counter() - t0) * 1000:.1f} ms")
    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
