"""Run `launchready init` in many repositories from one interpreter: one forked child per repository
(launchready is imported once), each bounded by a timeout and killed past it, optionally as an
unprivileged user (so read-only folders and unreadable files mean something when tests run as root).

    python init_driver.py RESULTS.json TIMEOUT_S UID|-1 CASES.json

CASES.json: [{"name", "cwd", "args"}]; RESULTS.json: {name: {"code", "stdout", "stderr", "hung"}}.
"""
from __future__ import annotations

import json
import os
import signal
import sys
import time


def _child(cwd: str, args: list[str], out: str, err: str, uid: int) -> None:
    os.chdir(cwd)
    for fd, path in ((1, out), (2, err)):
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(handle, fd)
        os.close(handle)
    if uid >= 0:
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)
    from launchready.cli import main
    code = main(args)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code if isinstance(code, int) else 1)


def _wait(pid: int, timeout: float) -> tuple[int | None, bool]:
    """(exit code, hung): polls without blocking past the deadline; a hung child is killed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status), False
        time.sleep(0.02)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    return None, True


def _warm_up() -> None:
    """Run `init` once as the parent's user before forking: the unprivileged child may not be able to read
    the checkout or the interpreter (a 0700 folder above them), so every module the CLI imports lazily —
    typer's invocation machinery included — must already be loaded."""
    import contextlib
    import io
    import tempfile

    from launchready.cli import main as cli

    cwd = os.getcwd()
    with tempfile.TemporaryDirectory() as tmp, contextlib.redirect_stdout(io.StringIO()), \
            contextlib.redirect_stderr(io.StringIO()):
        for name, text in (("pubspec.yaml", "name: warm_up\ndependencies:\n  flutter:\n    sdk: flutter\n"),
                           ("firestore.rules", "rules_version = '2';\nservice cloud.firestore {\n  match /databases/"
                            "{database}/documents {\n    match /notes/{id} { allow read: if request.auth != null; }\n"
                            "  }\n}\n")):
            with open(os.path.join(tmp, name), "w", encoding="utf-8") as handle:
                handle.write(text)
        os.chdir(tmp)
        try:
            cli(["init", "--yes", "--domain", "warm-up.example"])
            cli(["init", "--yes"])   # and an error path: exit 2, one line
        finally:
            os.chdir(cwd)


def main() -> None:
    results_path, timeout, uid, cases_path = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    import launchready.cli  # noqa: F401 - imported once, before forking
    from launchready.commands import init  # noqa: F401
    from launchready.rules.analysis import audits, model  # noqa: F401 - init's lazy imports, also once
    from launchready.rules.testing import access_file  # noqa: F401
    _warm_up()
    with open(cases_path, encoding="utf-8") as handle:
        cases = json.load(handle)
    results = {}
    logs = os.path.dirname(os.path.abspath(results_path))
    for case in cases:
        out, err = (os.path.join(logs, f"{case['name']}.{s}") for s in ("out", "err"))
        pid = os.fork()
        if pid == 0:
            try:
                _child(case["cwd"], case["args"], out, err, uid)
            finally:
                os._exit(70)
        code, hung = _wait(pid, timeout)
        with open(out, encoding="utf-8", errors="replace") as o, open(err, encoding="utf-8", errors="replace") as e:
            results[case["name"]] = {"code": code, "hung": hung, "stdout": o.read(), "stderr": e.read()}
    with open(results_path, "w", encoding="utf-8") as handle:
        json.dump(results, handle)


if __name__ == "__main__":
    main()
