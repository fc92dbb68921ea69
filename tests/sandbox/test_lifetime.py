"""Nothing launchready starts outlives it: the real CLI is signalled at several moments (while the
emulator starts, during the suite, during the demo's sandbox and lifecycle) and every process it
started — found by an environment marker in /proc — must be gone within 5 seconds."""
from __future__ import annotations

import json
import signal

import pytest

from launchready.runtime.processes import port_open
from tests.sandbox.marked import MarkedRun, cmdline, handles


@pytest.fixture
def runs(tmp_path):
    started: list[MarkedRun] = []

    def start(*args: str, **kwargs) -> MarkedRun:
        run = MarkedRun(tmp_path, *args, **kwargs)
        started.append(run)
        return run
    yield start
    for run in started:
        run.cleanup()


def _emulators(run: MarkedRun) -> list[int]:
    return [pid for pid in run.children() if "CloudFirestore" in cmdline(pid)]


def _emulator_serving(run: MarkedRun) -> bool:
    ports = [arg.split("=", 1)[1] for pid in _emulators(run) for arg in cmdline(pid).split() if arg.startswith("--port=")]
    return any(port_open(int(port)) for port in ports)


# The gate starts a private emulator only when no verdict is remembered (functions.webhook.contract).
NOTHING_REMEMBERED = {"LAUNCHREADY_PLAN_CACHE": "0"}


def test_check_sigterm_while_the_emulator_starts_stops_it_and_exits_by_the_signal(runs):
    run = runs("check", "--stack", "prod", "--offline", env=NOTHING_REMEMBERED)
    run.wait_for(lambda: bool(_emulators(run)), "a Firestore emulator JVM")
    assert run.signal(signal.SIGTERM) == -signal.SIGTERM
    assert run.leftovers() == []


def test_check_sigkill_during_the_suite_leaves_no_emulator(runs):
    run = runs("check", "--stack", "prod", "--offline", env=NOTHING_REMEMBERED)
    run.wait_for(lambda: _emulator_serving(run), "an emulator serving the suite's checks")
    assert run.signal(signal.SIGKILL) == -signal.SIGKILL
    assert run.leftovers() == []


def test_demo_sigterm_while_the_sandbox_starts(runs, sandbox_dir):
    run = runs("demo", "--out", str(sandbox_dir.parent / "out"))
    run.wait_for(lambda: len(run.children()) >= 6, "the sandbox's first services")
    assert run.signal(signal.SIGTERM) == -signal.SIGTERM
    assert run.leftovers() == []
    assert not (sandbox_dir / "state.json").exists()  # it unwound and cleaned up after itself


def test_demo_sigkill_during_the_lifecycle_kills_every_service_and_worker(runs, sandbox_dir):
    from tests.sandbox.conftest import cli

    run = runs("demo", "--out", str(sandbox_dir.parent / "out"))
    run.wait_for(lambda: "customer lifecycle" in run.text(), "the sandbox to be up")
    workers = [pid for pid in run.children() if "functions_framework" in cmdline(pid)]
    assert len(workers) > 3  # three servers and their gunicorn workers: grandchildren are covered too
    assert run.signal(signal.SIGKILL) == -signal.SIGKILL
    assert run.leftovers() == []
    owner = json.loads((sandbox_dir / "state.json").read_text())["owner"]
    assert owner["command"] == "demo" and owner["pid"] == run.proc.pid
    status = cli("sandbox", "status")  # its processes are gone: stale, reported and removed
    assert status.returncode == 1 and "stale" in status.stdout, status.stdout
    assert not (sandbox_dir / "state.json").exists()


def test_sandbox_up_outlives_the_command_only_once_fully_up(runs, sandbox_dir):
    run = runs("sandbox", "up")
    run.wait_for(lambda: len(run.children()) >= 6, "the sandbox's first services")
    assert run.signal(signal.SIGTERM) == -signal.SIGTERM  # stopped half-way: what it started goes too
    assert run.leftovers() == []


@pytest.mark.parametrize("args, sig", [
    (("plan", "--stack", "prod"), signal.SIGTERM),
    (("handover", "--stack", "prod"), signal.SIGTERM),
    (("plan", "--stack", "staging"), signal.SIGINT),
    (("handover", "--stack", "dev"), signal.SIGHUP),
])
def test_plan_and_handover_exit_by_the_signal(runs, tmp_path, args, sig):
    extra = ("--out", str(tmp_path / "handover")) if args[0] == "handover" else ()
    # nothing remembered: a cached plan can finish the command before the signal arrives (exit 0, a race)
    run = runs(*args, *extra, env=NOTHING_REMEMBERED)
    run.wait_for(lambda: handles(run.proc.pid, signal.SIGTERM), "launchready's signal handlers")
    assert run.signal(sig) == -sig
    assert run.leftovers() == []
