"""Start and stop local service processes: free ports, log files (never unread pipes), PIDs."""
from __future__ import annotations

import os
import random
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from launchready.runtime import identity, lifetime
from launchready.runtime.identity import pid_alive  # noqa: F401 - re-exported


class ServiceError(RuntimeError):
    """A local service could not be started; the message says what to do."""


def _ephemeral_range() -> tuple[int, int]:
    try:
        low, high = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
        return int(low), int(high)
    except (OSError, ValueError):
        return 32768, 60999


_HANDED_OUT: set[int] = set()
_HANDED_OUT_LOCK = threading.Lock()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now and not handed out before by this process.

    Chosen below the kernel's ephemeral range, so an outgoing connection (which takes its local port
    from that range) cannot grab it between this call and the service binding it; never the same port
    twice, so services given ports up front (the sandbox) cannot collide with each other.
    """
    low, _ = _ephemeral_range()
    candidates = range(10_000, low) if low > 12_000 else range(low, 65_535)
    with _HANDED_OUT_LOCK:
        for _ in range(200):
            port = random.choice(candidates)
            if port not in _HANDED_OUT and _bindable(port):
                _HANDED_OUT.add(port)
                return port
    raise ServiceError("no free TCP port found on 127.0.0.1")


def _bindable(port: int) -> bool:
    """Free for TCP and UDP alike (Knot serves DNS on both)."""
    for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
        with socket.socket(socket.AF_INET, kind) as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                return False
    return True


def port_open(port: int, host: str = "127.0.0.1", timeout: float = 0.2) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def spawn(argv: Sequence[str], log_file: Path, env: dict[str, str] | None = None,
          cwd: Path | None = None) -> subprocess.Popen:
    """Start a process tied to this run (`lifetime`), stdout+stderr going to `log_file`."""
    log_file.parent.mkdir(parents=True, exist_ok=True)
    with open(log_file, "ab") as log:
        try:
            return lifetime.popen(argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                  env={**os.environ, **(env or {})}, cwd=cwd)
        except lifetime.Stopping as exc:
            raise ServiceError(str(exc)) from None


def wait_until(ready: Callable[[], bool], *, timeout: float, proc: subprocess.Popen | None = None,
               what: str, log_file: Path | None = None) -> None:
    """Poll `ready` until true; fail fast with the log's tail if the process died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ready():
            return
        if proc is not None and proc.poll() is not None:
            raise ServiceError(f"{what} exited with code {proc.returncode}{_tail(log_file)}")
        time.sleep(0.05)
    raise ServiceError(f"{what} did not become ready within {timeout:.0f}s{_tail(log_file)}")


def _tail(log_file: Path | None, lines: int = 5) -> str:
    if not log_file or not log_file.exists():
        return ""
    text = log_file.read_text(errors="replace").strip().splitlines()[-lines:]
    return ("; log " + str(log_file) + ":\n  " + "\n  ".join(text)) if text else ""


def stop_pid(pid: int, timeout: float = 5.0, start_ticks: int | None = None) -> bool:
    """Stop the process group led by `pid` (TERM, then KILL), if it is still the process recorded
    with `start_ticks` (default: the one this run started, else whatever runs as `pid` now).
    Returns False if it was not running."""
    ticks = start_ticks or lifetime.recorded_ticks(pid) or identity.start_ticks(pid)
    running = identity.is_same(pid, ticks)
    lifetime.stop([(pid, ticks)], timeout)
    return running
