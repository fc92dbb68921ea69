"""Structured log lines Cloud Logging parses (`severity`, `message`, fields) — one JSON per line.

Alert policies match on `jsonPayload.message`: the stable messages live in `backend.log_messages`,
shared with the infra program's log-based metrics. `captured()` diverts this thread's (context's)
lines into a list — for callers that run the handler in-process (the readiness checks), whose own
output must stay theirs.
"""
from __future__ import annotations

import contextvars
import json
import os
import re
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

# The functions deploy without the CLI, so they carry their own small copy of the redaction rule:
# the values of their secret variables, and the shapes of the secrets they handle.
SECRET_ENV = ("STRIPE_WEBHOOK_SECRET", "STRIPE_WEBHOOK_SECRET_NEXT", "STRIPE_SECRET_KEY", "CRM_API_TOKEN",
              "SUPPORT_API_TOKEN")
_SECRET_SHAPES = re.compile(r"(?:whsec_|sk_live_|sk_test_|rk_live_|rk_test_)[0-9A-Za-z+/=]{16,}|"
                            r"pat-(?:na|eu)\d?-[0-9a-f-]{36}|Bearer [0-9A-Za-z._~+/=-]{20,}")


def redact(line: str) -> str:
    for name in SECRET_ENV:
        value = os.environ.get(name)
        if value and len(value) >= 8:
            line = line.replace(value, "[redacted]")
    return _SECRET_SHAPES.sub("[redacted]", line)


_sink: contextvars.ContextVar[list[dict[str, Any]] | None] = contextvars.ContextVar("launchready_log_sink",
                                                                                    default=None)


def log(severity: str, message: str, **fields: Any) -> None:
    entry = {"severity": severity, "message": message, "time": time.time(), **fields}
    sink = _sink.get()
    if sink is not None:
        sink.append(entry)
        return
    stream = sys.stderr if severity in ("ERROR", "CRITICAL") else sys.stdout
    print(redact(json.dumps(entry, default=str, sort_keys=True)), file=stream, flush=True)


@contextmanager
def captured() -> Iterator[list[dict[str, Any]]]:
    """Collect the lines logged in this context instead of printing them."""
    lines: list[dict[str, Any]] = []
    token = _sink.set(lines)
    try:
        yield lines
    finally:
        _sink.reset(token)
