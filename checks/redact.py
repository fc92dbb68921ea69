"""Redaction: secret-looking values never reach output, logs, reports or docs.

The patterns are the secret scanner's detectors (one source of truth for what a secret looks like),
publishable and Firebase keys included: a false redaction costs nothing, a leak costs a rotation.
"""
from __future__ import annotations

from typing import Any

from launchready.checks.secrets.registry import default_set

REDACTED = "[redacted]"


def redact_text(text: str) -> str:
    return default_set().text_pattern.sub(REDACTED, text)


def redact(value: Any) -> Any:
    """Redact strings inside any JSON-like structure."""
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, dict):
        return {k: redact(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [redact(v) for v in value]
    return value
