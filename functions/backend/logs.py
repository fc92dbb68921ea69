"""Structured log lines Cloud Logging parses (`severity`, `message`, fields) — one JSON per line.

Alert policies match on `jsonPayload.message`, so the messages below are a contract with infra.
"""
from __future__ import annotations

import json
import sys
import time
from typing import Any

DEAD_LETTER_MESSAGE = "sync task dead-lettered"
UNMATCHED_EVENT_MESSAGE = "stripe event unmatched"


def log(severity: str, message: str, **fields: Any) -> None:
    entry = {"severity": severity, "message": message, "time": time.time(), **fields}
    stream = sys.stderr if severity in ("ERROR", "CRITICAL") else sys.stdout
    print(json.dumps(entry, default=str, sort_keys=True), file=stream, flush=True)
