"""The mechanisms under `lifetime`, without a JVM: a child and its own child die with a parent that
is SIGKILLed (PDEATHSIG + the watchdog) or exits, even when a short-lived thread started them; a
PID launchready did not start is never signalled; orphaned and stale sandbox state is reported."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
import uuid

import pytest

from launchready.project import Project
from launchready.runtime import identity
from launchready.runtime.processes import stop_pid
from launchready.sandbox.state import save_state
from tests.sandbox.conftest import REPO, cli
from tests.sandbox.marked import MARK, marked, wait_for

# A parent that starts `sh` (which starts its own `sleep`) from a worker thread that then ends.
PARENT = textwrap.dedent("""
    import sys, threading, time
    from pathlib import Path
    from launchready.runtime.processes import spawn

    started, log = {}, Path(sys.argv[1])
    def work():
        started["sh"] = spawn(["sh", "-c", "sleep 300 & echo forked; sleep 301"], log)
    worker = threading.Thread(target=work)
    worker.start()
    worker.join()
    while "forked" not in log.read_text():  # sh has started its own child
        time.sleep(0.05)
    print(started["sh"].pid, flush=True)
    if sys.argv[2] == "wait":
        time.sleep(300)
""")


def _parent(tmp_path, mode: str) -> tuple[subprocess.Popen, str, int]:
    token = uuid.uuid4().hex
    proc = subprocess.Popen([sys.executable, "-c", PARENT, str(tmp_path / "child.log"), mode],
                            stdout=subprocess.PIPE, text=True, env={**os.environ, MARK: token})
    child = int(proc.stdout.readline())
    return proc, token, child


def _gone(token: str) -> list[int]:
    wait_for(lambda: not marked(token), 5, "every process of the killed run to end")
    return marked(token)


def test_sigkilled_parent_takes_its_child_and_grandchild_along(tmp_path):
    proc, token, child = _parent(tmp_path, "wait")
    try:
        time.sleep(0.5)  # the worker thread that forked `sh` has ended: PDEATHSIG must not fire for that
        assert identity.pid_alive(child)
        proc.kill()
        proc.wait()
        assert _gone(token) == []
    finally:
        for pid in marked(token):
            os.kill(pid, 9)


def test_a_parent_that_just_exits_stops_its_children(tmp_path):
    proc, token, _ = _parent(tmp_path, "exit")
    assert proc.wait(timeout=30) == 0
    assert _gone(token) == []


def test_never_signals_a_pid_it_did_not_start():
    stranger = subprocess.Popen(["sleep", "30"], start_new_session=True)
    try:
        ticks = identity.start_ticks(stranger.pid)
        assert stop_pid(stranger.pid, start_ticks=ticks + 1) is False  # recorded start time differs: reused
        assert stranger.poll() is None
        assert identity.is_same(stranger.pid, ticks) and not identity.is_same(stranger.pid, None)
    finally:
        stranger.kill()
        stranger.wait()


@pytest.fixture
def stray(tmp_path):
    """A process standing in for a sandbox service that survived its owner."""
    proc = subprocess.Popen(["sleep", "300"], start_new_session=True)
    yield proc
    if proc.poll() is None:
        proc.kill()
    proc.wait()


def _state(services: list[dict], owner: dict | None) -> None:
    save_state(Project.load(REPO), {"version": 1, "stack": "dev", "started_at": "2026-01-01T00:00:00+00:00", "boot_id": identity.boot_id(),
                "owner": owner, "services": services})


def test_an_orphaned_sandbox_is_reported_refused_by_demo_and_stopped_by_down(sandbox_dir, stray):
    gone = subprocess.Popen(["true"])
    gone.wait()
    _state([{"name": "firestore", "pid": stray.pid, "ports": [1], "detail": "", "log": "",
             "start_ticks": identity.start_ticks(stray.pid)}],
           {"command": "demo", "pid": gone.pid, "start_ticks": 1})

    status = cli("sandbox", "status")
    assert status.returncode == 1 and f"ORPHANED: its owner `launchready demo` (pid {gone.pid})" in status.stdout

    demo = cli("demo", "--out", str(sandbox_dir.parent / "out"))
    assert demo.returncode == 2 and len(demo.stderr.strip().splitlines()) == 1, demo.stderr
    assert "orphaned" in demo.stderr and "`launchready sandbox down`" in demo.stderr
    assert stray.poll() is None  # refusing touched nothing

    down = cli("sandbox", "down")
    assert down.returncode == 0 and f"firestore (pid {stray.pid})" in down.stdout
    assert stray.wait(timeout=5) is not None
    assert not (sandbox_dir / "state.json").exists()


def test_stale_state_whose_pids_belong_to_other_programs_is_cleaned(sandbox_dir):
    mine = os.getpid()  # alive, but not the recorded process: its start time differs
    _state([{"name": "dns", "pid": mine, "ports": [1], "detail": "", "log": "",
             "start_ticks": identity.start_ticks(mine) - 1}], {"command": "demo", "pid": mine, "start_ticks": 1})
    status = cli("sandbox", "status")
    assert status.returncode == 1 and "stale" in status.stdout
    assert not (sandbox_dir / "state.json").exists()


def test_state_from_another_boot_is_never_trusted(sandbox_dir, stray):
    ticks = identity.start_ticks(stray.pid)
    save_state(Project.load(REPO), {"stack": "dev", "boot_id": "another-boot", "owner": None,
                "services": [{"name": "dns", "pid": stray.pid, "ports": [1], "detail": "", "log": "",
                              "start_ticks": ticks}]})
    assert cli("sandbox", "down").returncode == 0
    assert stray.poll() is None and not (sandbox_dir / "state.json").exists()
