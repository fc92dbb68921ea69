"""Structured log lines Cloud Logging parses (`severity`, `message`, fields) — one JSON per line.

Alert policies match on `jsonPayload.message`: the stable messages live in `backend.log_messages`,
shared with the infra program's log-based metrics.
"""
from __future__ import annotations

import json
import sys
import time
from typing import Any



def log(severity: str, message: str, **fields: Any) -> None:
    entry = {"severity": severity, "message": message, "time": time.time(), **fields}
    stream = sys.stderr if severity in ("ERROR", "CRITICAL") else sys.stdout
    print(json.dumps(entry, default=str, sort_keys=True), file=stream, flush=True)
