"""Redaction: secret-looking values never reach output, logs, reports or docs."""
from __future__ import annotations

import re
from typing import Any

# Kept deliberately broad: a false redaction costs nothing, a leak costs a rotation.
_SECRET_VALUE = re.compile(
    r"(?:sk|rk)_(?:live|test)_[0-9A-Za-z]{8,}"
    r"|whsec_[0-9A-Za-z+/=]{8,}"
    r"|pat-(?:na|eu)\d?-[0-9a-f-]{20,}"
    r"|-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)"
    r"|(?i:bearer)\s+[A-Za-z0-9._~+/=-]{16,}"
)
REDACTED = "[redacted]"


def redact_text(text: str) -> str:
    return _SECRET_VALUE.sub(REDACTED, text)


def redact(value: Any) -> Any:
    """Redact strings inside any JSON-like structure."""
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, dict):
        return {k: redact(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [redact(v) for v in value]
    return value
