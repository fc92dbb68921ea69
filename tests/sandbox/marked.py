"""Run the real CLI with an environment marker, signal it at a chosen moment, and find every process
it left behind by scanning /proc/*/environ for the marker (children inherit the environment, so
this sees the JVM, functions-framework's gunicorn workers and the watchdog alike)."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from tests.sandbox.conftest import LAUNCHREADY, REPO

MARK = "LAUNCHREADY_TEST_RUN"


def marked(token: str) -> list[int]:
    """PIDs of live (non-zombie) processes whose environment carries `MARK=token`."""
    needle = f"{MARK}={token}".encode() + b"\0"
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if needle in (entry / "environ").read_bytes() and not _zombie(entry):
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def _zombie(entry: Path) -> bool:
    return (entry / "stat").read_text().rsplit(")", 1)[1].split()[0] in ("Z", "X")


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def handles(pid: int, sig: int) -> bool:
    """The process has a handler installed for `sig` (SigCgt in /proc/PID/status)."""
    try:
        caught = re.search(r"^SigCgt:\s*([0-9a-f]+)", Path(f"/proc/{pid}/status").read_text(), re.M)
    except OSError:
        return False
    return bool(caught) and bool(int(caught.group(1), 16) >> (sig - 1) & 1)


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


class MarkedRun:
    """One `launchready ...` in a subprocess, its output in a file, every descendant findable."""

    def __init__(self, tmp_path: Path, *args: str, env: dict[str, str] | None = None):
        self.token = uuid.uuid4().hex
        self.output = tmp_path / f"run-{self.token[:8]}.out"
        with open(self.output, "wb") as out:
            self.proc = subprocess.Popen([LAUNCHREADY, *args], cwd=REPO, stdout=out, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL,
                                         env={**os.environ, **(env or {}), MARK: self.token})

    def processes(self) -> list[int]:
        return marked(self.token)

    def children(self) -> list[int]:
        return [pid for pid in self.processes() if pid != self.proc.pid]

    def text(self) -> str:
        return self.output.read_text(errors="replace")

    def wait_for(self, condition: Callable[[], bool], what: str, timeout: float = 90) -> None:
        def ready() -> bool:
            if self.proc.poll() is not None:
                raise AssertionError(f"launchready exited ({self.proc.returncode}) before {what}:\n{self.text()}")
            return condition()
        wait_for(ready, timeout, what)

    def signal(self, sig: int) -> int:
        """Send `sig`, wait for launchready to end; returns its return code (negative: killed by a signal)."""
        self.proc.send_signal(sig)
        return self.proc.wait(timeout=30)

    def leftovers(self, within: float = 5.0) -> list[str]:
        """Processes of this run still alive `within` seconds after it ended (cmdlines, for the message)."""
        deadline = time.monotonic() + within
        while self.processes() and time.monotonic() < deadline:
            time.sleep(0.1)
        return [f"{pid}: {cmdline(pid)}" for pid in self.processes()]

    def cleanup(self) -> None:
        """Whatever a failed test left: KILL it, so one failure does not leak into the next test."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        for pid in self.processes():
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
