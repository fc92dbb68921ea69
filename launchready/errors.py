"""Errors the CLI turns into one clear line on stderr and exit code 2 (never a traceback)."""
from __future__ import annotations


class UsageError(Exception):
    """A problem with how a command was called."""
