"""launchready: launch readiness for Flutter + Firebase + Stripe SaaS apps.

One import namespace. The design card keeps `checks/`, `infra/` and `functions/` at the repository's top
level; `launchready/checks`, `launchready/infra` and `launchready/functions` are links to them, so the
folder is the import name for every tool that reads files (language servers, mypy, ruff) and the wheel
carries them as ordinary sub-packages.
"""
import os
from importlib.metadata import PackageNotFoundError, version

# launchready starts child processes (the emulator, stand-ins, functions, the watchdog) with Popen and a
# preexec step, i.e. fork then exec. When gRPC (the Pulumi SDK, Firestore) is loaded, its fork support
# restarts its poller thread in the child, where Popen has closed the epoll fd: the child aborts with
# "epoll_wait error: Bad file descriptor" before exec (grpc/grpc#43055, #13873). Fork support only
# matters for fork without exec, which launchready never does; it must be off before gRPC loads.
os.environ.setdefault("GRPC_ENABLE_FORK_SUPPORT", "false")

try:
    __version__ = version("launchready")
except PackageNotFoundError:  # a source tree that was never installed
    __version__ = "0+unknown"
