"""launchready: launch readiness for Flutter + Firebase + Stripe SaaS apps.

One import namespace. The design card keeps `checks/`, `infra/` and `functions/` at the repository's top
level; `launchready/checks`, `launchready/infra` and `launchready/functions` are links to them, so the
folder is the import name for every tool that reads files (language servers, mypy, ruff) and the wheel
carries them as ordinary sub-packages.
"""
from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("launchready")
except PackageNotFoundError:  # a source tree that was never installed
    __version__ = "0+unknown"
