"""Errors the CLI turns into one clear line on stderr and exit code 2 (never a traceback)."""
from __future__ import annotations


class UsageError(Exception):
    """A problem with how a command was called."""


# Top-level modules of the optional extras (pyproject.toml): the core install serves `scan`.
EXTRA_MODULES = {"pulumi": "deploy", "pulumi_gcp": "deploy", "pulumi_cloudflare": "deploy", "pulumi_policy": "deploy",
                 "pulumiverse_time": "deploy", "functions_framework": "sandbox", "firebase_admin": "sandbox",
                 "google.cloud": "sandbox", "werkzeug": "sandbox", "grpc": "sandbox",
                 "flask": "sandbox"}


def missing_extra(exc: ModuleNotFoundError) -> str | None:
    """The one line saying which extra to install when `exc` is a module of one; None otherwise."""
    name = exc.name or ""
    extra = next((EXTRA_MODULES[m] for m in EXTRA_MODULES if name == m or name.startswith(m + ".")), None)
    if extra is None:
        return None
    return (f"this command needs the {extra} extra (module {name} is not installed): "
            f"pip install -c constraints.txt 'launchready[{extra}]'")
