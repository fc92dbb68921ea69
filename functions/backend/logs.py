"""Structured log lines Cloud Logging parses (`severity`, `message`, fields) — one JSON per line.

Alert policies match on `jsonPayload.message`: the stable messages live in `backend.log_messages`,
shared with the infra program's log-based metrics.
"""
from __future__ import annotations

import json
import os
import re
import sys
import time
from typing import Any

# The functions deploy without the CLI, so they carry their own small copy of the redaction rule:
# the values of their secret variables, and the shapes of the secrets they handle.
SECRET_ENV = ("STRIPE_WEBHOOK_SECRET", "STRIPE_SECRET_KEY", "CRM_API_TOKEN", "SUPPORT_API_TOKEN")
_SECRET_SHAPES = re.compile(r"(?:whsec_|sk_live_|sk_test_|rk_live_|rk_test_)[0-9A-Za-z+/=]{16,}|"
                            r"pat-(?:na|eu)\d?-[0-9a-f-]{36}|Bearer [0-9A-Za-z._~+/=-]{20,}")


def redact(line: str) -> str:
    for name in SECRET_ENV:
        value = os.environ.get(name)
        if value and len(value) >= 8:
            line = line.replace(value, "[redacted]")
    return _SECRET_SHAPES.sub("[redacted]", line)


def log(severity: str, message: str, **fields: Any) -> None:
    entry = {"severity": severity, "message": message, "time": time.time(), **fields}
    stream = sys.stderr if severity in ("ERROR", "CRITICAL") else sys.stdout
    print(redact(json.dumps(entry, default=str, sort_keys=True)), file=stream, flush=True)
