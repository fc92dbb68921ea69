"""Children started while gRPC is loaded survive their fork: with gRPC's fork support on, Popen's
fork-then-exec (a preexec step closes fds first) let gRPC's restarted poller hit a closed epoll fd and
abort the child before exec (grpc/grpc#43055) — the sandbox's stand-ins died that way in a test run."""
from __future__ import annotations

import os
import subprocess
import sys

CHILDREN = 60
PROBE = f"""
import subprocess
import launchready            # before gRPC, as every launchready entry point imports it
import grpc
channel = grpc.insecure_channel("127.0.0.1:1")
try:
    grpc.channel_ready_future(channel).result(timeout=0.2)   # a live poller, as after a Firestore call
except Exception:
    pass
failed = sum(subprocess.run(["true"], preexec_fn=lambda: None, close_fds=True,
                            stderr=subprocess.DEVNULL).returncode != 0 for _ in range({CHILDREN}))
print(failed)
"""


def test_no_child_dies_before_exec_while_grpc_runs():
    # gRPC's default (the variable unset) is what a user's shell has: 11-20 of 60 children died with it
    env = {k: v for k, v in os.environ.items() if k != "GRPC_ENABLE_FORK_SUPPORT"}
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "0", f"{done.stdout.strip()} of {CHILDREN} children aborted before exec"
