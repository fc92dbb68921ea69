"""The run's watchdog: `python -m launchready.runtime.watchdog`, started by `lifetime` in its own
session, reading `+ PID TICKS` / `- PID` lines on stdin. When stdin closes — launchready exited,
however it died, SIGKILL included — it kills every process group still listed and exits.

PDEATHSIG already kills launchready's direct children; this reaches their children too
(functions-framework's gunicorn workers), which the kernel would otherwise reparent and keep.
"""
from __future__ import annotations

import os
import signal
import sys

from launchready.runtime.identity import group_is_ours


def parse(line: str, groups: dict[int, int | None]) -> None:
    """Apply one `+ PID TICKS` or `- PID` line to `groups` (pid -> start ticks)."""
    parts = line.split()
    if len(parts) >= 2 and parts[1].isdigit():
        pid = int(parts[1])
        if parts[0] == "+":
            groups[pid] = int(parts[2]) if len(parts) > 2 and parts[2].isdigit() else None
        elif parts[0] == "-":
            groups.pop(pid, None)


def kill_groups(groups: dict[int, int | None]) -> None:
    for pid, ticks in groups.items():
        if ticks is not None and group_is_ours(pid, ticks):
            try:
                os.killpg(pid, signal.SIGKILL)
            except OSError:
                pass


def main() -> None:
    for sig in (signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, signal.SIG_IGN)  # only the end of launchready ends the watch
    groups: dict[int, int | None] = {}
    for line in sys.stdin.buffer:
        parse(line.decode(errors="replace"), groups)
    kill_groups(groups)


if __name__ == "__main__":
    main()
