"""Who a PID is: the kernel's start time and boot id from /proc, so launchready never signals a
process it did not start (a PID recorded earlier may since belong to another program).

Standard library only: the run's watchdog imports it too.
"""
from __future__ import annotations

import os
from pathlib import Path


def boot_id() -> str:
    """This boot's id: ticks since boot only identify a process within one boot."""
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return ""


def _stat(pid: int) -> list[str] | None:
    """Fields of /proc/PID/stat after the command name (which may hold spaces); None when gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def start_ticks(pid: int) -> int | None:
    """The process's start time in clock ticks since boot (field 22 of /proc/PID/stat)."""
    stat = _stat(pid)
    return int(stat[19]) if stat else None


def pid_alive(pid: int) -> bool:
    """True while the process runs; a zombie (exited, not yet reaped) counts as gone, since a
    process started by an earlier CLI run is reparented to an init that may never reap it."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    stat = _stat(pid)
    return stat is None or stat[0] not in ("Z", "X")


def is_same(pid: int, ticks: int | None, boot: str | None = None) -> bool:
    """The process that was recorded as (`pid`, `ticks`, `boot`) still runs. Unverifiable records
    (no start time, another boot) are never taken for ours."""
    if not isinstance(pid, int) or pid <= 0 or ticks is None or (boot and boot != boot_id()):
        return False
    return pid_alive(pid) and start_ticks(pid) == ticks


def group_is_ours(pgid: int, ticks: int | None) -> bool:
    """Signalling process group `pgid` (created by our child `pgid` with setsid) reaches only our
    processes: its leader is still the recorded one, or no process holds that PID any more — the
    kernel never reuses a PID that still names a live group, so members left there are ours."""
    if ticks is None:
        return False
    leader = start_ticks(pgid)
    return leader is None or leader == ticks
