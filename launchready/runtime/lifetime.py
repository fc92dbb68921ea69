"""Nothing launchready starts outlives the run that started it.

Every child is started here, in its own session (so its whole process group — gunicorn workers, a
JVM's helpers — is stopped together) and is tied to this run three ways:

- normal exit and exceptions: the owner's `stop()`/`finally`, and `atexit` for whatever is left;
- SIGINT, SIGTERM, SIGHUP (`signals_handled()`, around the CLI's run): the handler stops every child,
  then unwinds and re-raises the signal, so the exit status is the conventional one;
- SIGKILL of launchready, which no handler sees: the kernel kills each direct child
  (`PR_SET_PDEATHSIG`), and a small watchdog process, which notices its pipe from launchready close,
  kills each child's process group (the grandchildren PDEATHSIG does not reach).

PDEATHSIG fires when the *thread* that forked exits, so children are forked by one long-lived
spawner thread, never by the short-lived worker threads of the check runner or the sandbox.
`sandbox up` (and `demo --keep`) are the deliberate exception: `outlive()` starts children without
the death signal and `release()` hands them to the state file once the sandbox is fully up.
"""
from __future__ import annotations

import atexit
import ctypes
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from launchready.runtime.identity import group_is_ours, pid_alive, start_ticks

HANDLED_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
UNWIND_GRACE = 3.0  # seconds the main thread gets to unwind (run `finally`s) before a hard exit
PR_SET_PDEATHSIG = 1

_prctl: Any
try:
    _prctl = ctypes.CDLL(None, use_errno=True).prctl  # resolved here: the child must not load libraries
except (OSError, AttributeError):  # not Linux: the watchdog alone covers a killed launchready
    _prctl = None


class Stopping(RuntimeError):
    """launchready is stopping: no new process is started."""


class Terminated(BaseException):
    """Raised in the main thread by a handled signal, so `finally` blocks run before the re-raise."""

    def __init__(self, signum: int):
        super().__init__(f"terminated by {signal.Signals(signum).name}")
        self.signum = signum


@dataclass
class Child:
    proc: subprocess.Popen
    ticks: int | None


_lock = threading.RLock()
_children: dict[int, Child] = {}
_state = {"closing": False, "outlive": False}
_watchdog: list[subprocess.Popen] = []


# ---------------------------------------------------------------- starting

class _Spawner:
    """One long-lived thread that forks every child (PDEATHSIG is bound to the forking thread)."""

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._guard = threading.Lock()

    def call(self, fn: Callable[[], Any]) -> Any:
        with self._guard:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._serve, name="launchready-spawner", daemon=True)
                self._thread.start()
        done: Future = Future()
        self._jobs.put((fn, done))
        return done.result()

    def _serve(self) -> None:
        while True:
            fn, done = self._jobs.get()
            try:
                done.set_result(fn())
            except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
                done.set_exception(exc)


_spawner = _Spawner()


def _die_with(parent: int) -> Callable[[], None]:
    """The child's pre-exec: SIGKILL when the parent dies; if it already died, die now."""
    def preexec() -> None:
        _prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
        if os.getppid() != parent:  # the parent died between fork and prctl
            os._exit(1)
    return preexec


def popen(argv: Sequence[str], **kwargs: Any) -> subprocess.Popen:
    """`subprocess.Popen` in a new session, tied to this run (see the module docstring)."""
    return _spawner.call(lambda: _start(list(argv), kwargs))


def _start(argv: list[str], kwargs: dict[str, Any]) -> subprocess.Popen:
    with _lock:
        if _state["closing"]:
            raise Stopping(f"launchready is stopping: not starting {os.path.basename(argv[0])}")
        tied = not _state["outlive"] and _prctl is not None
        proc = subprocess.Popen(argv, start_new_session=True,
                                preexec_fn=_die_with(os.getpid()) if tied else None, **kwargs)
        child = Child(proc, start_ticks(proc.pid))
        _children[proc.pid] = child
        _tell_watchdog(f"+ {proc.pid} {child.ticks}")
        return proc


def _tell_watchdog(line: str) -> None:
    """Keep the watchdog's list of process groups current, starting it when a child is added."""
    if line.startswith("+") and (not _watchdog or _watchdog[0].poll() is not None):
        _watchdog[:] = [subprocess.Popen([sys.executable, "-m", "launchready.runtime.watchdog"],
                                         stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                         stderr=subprocess.DEVNULL, start_new_session=True)]
        for pid, child in _children.items():  # a restarted watchdog learns every group (repeats are harmless)
            _write(f"+ {pid} {child.ticks}")
    _write(line)


def _write(line: str) -> None:
    if not _watchdog:
        return
    try:
        stdin = _watchdog[0].stdin
        if stdin is not None:
            stdin.write(line.encode() + b"\n")
            stdin.flush()
    except (OSError, ValueError):
        pass  # the watchdog is gone: PDEATHSIG still covers the direct children


def outlive() -> None:
    """Children started from now on are meant to outlive this run (`sandbox up`, `demo --keep`)."""
    _state["outlive"] = True


def release(pids: Iterable[int]) -> None:
    """Hand these children over (to the sandbox's state file): this run no longer stops them."""
    with _lock:
        for pid in pids:
            if _children.pop(pid, None) is not None:
                _tell_watchdog(f"- {pid}")


def stopping() -> bool:
    return _state["closing"]


# ---------------------------------------------------------------- stopping

def recorded_ticks(pid: int) -> int | None:
    """The start time recorded when this run started `pid`, or None if it did not."""
    child = _children.get(pid)
    return child.ticks if child else None


def stop(targets: Iterable[tuple[int, int | None]], timeout: float = 5.0) -> None:
    """Stop each (pid, start ticks) process group: TERM, wait, then KILL what is left of the group.

    A group is signalled only while it is provably ours (`identity.group_is_ours`); our own children
    are reaped only after their group got its KILL, so their PID cannot be reused in between.
    """
    targets = list(targets)
    ours = [(pid, ticks) for pid, ticks in targets if group_is_ours(pid, ticks)]
    for pid, _ in ours:
        _signal_group(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not all(_exited(pid) for pid, _ in ours):
        time.sleep(0.05)
    for pid, ticks in ours:
        if group_is_ours(pid, ticks):
            _signal_group(pid, signal.SIGKILL)
    for pid, _ in targets:
        _reap(pid)


def stop_all(timeout: float = 2.0) -> None:
    """Stop every child this run still owns (on exit and on a handled signal)."""
    with _lock:
        owned = [(pid, child.ticks) for pid, child in _children.items()]
    stop(owned, timeout)


def _signal_group(pid: int, sig: int) -> None:
    try:
        os.killpg(pid, sig)
    except ProcessLookupError:
        pass
    except PermissionError:
        try:
            os.kill(pid, sig)
        except OSError:
            pass


def _exited(pid: int) -> bool:
    """The process ended; our own child is left a zombie (not reaped) so its PID stays reserved."""
    if pid in _children:
        try:
            return os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None
        except ChildProcessError:
            pass
    return not pid_alive(pid)


def _reap(pid: int) -> None:
    with _lock:
        child = _children.pop(pid, None)
        if child is not None:
            _tell_watchdog(f"- {pid}")
    if child is not None:
        try:
            child.proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            pass  # not ours to KILL any more (its PID was reused): left alone
        return
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


atexit.register(stop_all)


# ---------------------------------------------------------------- signals

@contextmanager
def signals_handled() -> Iterator[None]:
    """Handle SIGINT, SIGTERM and SIGHUP while the block runs (the previous handlers come back
    after it, so an in-process caller such as a test keeps its own). Main thread only."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.signal(sig, _on_signal) for sig in HANDLED_SIGNALS}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _on_signal(signum: int, _frame: object) -> None:
    if _state["closing"]:  # a second signal while unwinding: stop waiting
        stop_all(timeout=0.5)
        _hard_exit(signum)
    _state["closing"] = True
    stop_all()
    timer = threading.Timer(UNWIND_GRACE, _hard_exit, args=(signum,))
    timer.daemon = True
    timer.start()
    raise Terminated(signum)


def _hard_exit(signum: int) -> None:
    """From any thread: children are already stopped; exit with the shell's 128+N now."""
    stop_all(timeout=0.5)
    _flush()
    os._exit(128 + signum)


def reraise(signum: int) -> None:
    """After unwinding: stop what is left, then die by the same signal (the conventional status)."""
    stop_all()
    _flush()
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)
    os._exit(128 + signum)  # only reached if the signal is blocked


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
