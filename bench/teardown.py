"""How fast a signalled launchready takes everything it started down with it.

Starts `demo` and `check --offline` as the tests do (an environment marker finds every process of
the run in /proc), signals each once its children run, and prints the seconds from the signal until
launchready exited and until its last process was gone. The goal: under 5 s in every case.

    .venv/bin/python bench/teardown.py [--runs N]
"""
from __future__ import annotations

import argparse
import os
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.sandbox.marked import MarkedRun  # noqa: E402

CASES = [
    ("check --offline, SIGTERM", ("check", "--stack", "prod", "--offline"), signal.SIGTERM, 1),
    ("check --offline, SIGKILL", ("check", "--stack", "prod", "--offline"), signal.SIGKILL, 1),
    ("demo, SIGTERM", ("demo",), signal.SIGTERM, 12),
    ("demo, SIGKILL", ("demo",), signal.SIGKILL, 12),
]


def measure(folder: Path, args: tuple[str, ...], sig: int, children: int) -> tuple[float, float, int]:
    """(seconds to exit, seconds until no process of the run is left, processes at the signal)."""
    # check: nothing remembered, so it starts its private emulator (functions.webhook.contract)
    run = MarkedRun(folder, *args, "--out", str(folder / "out")) if args[0] == "demo" else \
        MarkedRun(folder, *args, env={"LAUNCHREADY_PLAN_CACHE": "0"})
    try:
        run.wait_for(lambda: len(run.children()) >= children, f"{children} child processes", timeout=120)
        running = len(run.processes())
        t0 = time.monotonic()
        run.proc.send_signal(sig)
        run.proc.wait(timeout=30)
        exited = time.monotonic() - t0
        while run.processes() and time.monotonic() - t0 < 30:
            time.sleep(0.02)
        return exited, time.monotonic() - t0, running
    finally:
        run.cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="launchready-teardown-") as tmp:
        os.environ["LAUNCHREADY_SANDBOX_DIR"] = str(Path(tmp) / "sandbox")
        for label, argv, sig, children in CASES:
            figures = [measure(Path(tmp), argv, sig, children) for _ in range(args.runs)]
            print(f"{label:<26} processes {max(f[2] for f in figures):>3}  exit "
                  f"{statistics.median(f[0] for f in figures):5.2f}s  all gone "
                  f"{statistics.median(f[1] for f in figures):5.2f}s (max {max(f[1] for f in figures):.2f}s)")


if __name__ == "__main__":
    main()
