"""Redaction: the ONE layer every output goes through — check reports (all formats), `plan` (table,
JSON, diff), handover docs, CLI messages and logs.

It removes two things wherever they were typed (a `whsec_…` pasted into a non-secret field included):
- known secret values: the stack's plaintext secret values (remembered when a stack loads) and the
  values of secret-named environment variables (`*_TOKEN`, `*_SECRET`, `*_KEY`, `*PASSWORD*`, …);
- anything secret-shaped: the secret scanner's detectors (one source of truth for what a secret
  looks like), publishable and Firebase keys included: a false redaction costs nothing, a leak costs
  a rotation.
The CLI wraps stdout and stderr in `RedactingStream` for its whole run; files are written through
`redact_text`. Checks redact their results as well (`checks.framework.runner`), so a report is clean
before it is rendered.
"""
from __future__ import annotations

import json
import os
import re
import threading
from typing import Any, TextIO

from launchready.secrets.registry import default_set

REDACTED = "[redacted]"
MIN_KNOWN_LENGTH = 8
_SECRET_ENV_NAME = re.compile(r"(TOKEN|SECRET|PASSWORD|PASSPHRASE|PRIVATE_KEY|CREDENTIALS?|_KEY|APIKEY)$", re.I)
_PEM_BEGIN = re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----")
_PEM_END = re.compile(r"-----END [A-Z ]*PRIVATE KEY-----")
_known: set[str] = set()
_version = 0
_cache: tuple[Any, re.Pattern[str] | None, tuple[str, ...]] = (None, None, ())
_lock = threading.Lock()


def remember(*values: str | None) -> None:
    """Add known secret values (e.g. a stack's plaintext secrets) to what every output removes."""
    global _version
    with _lock:
        _known.update(v for v in values if isinstance(v, str) and len(v) >= MIN_KNOWN_LENGTH)
        _version += 1


def known_values() -> list[str]:
    """Every known secret value, longest first (so a value containing another goes first)."""
    return list(_known_pattern()[1])


def _known_pattern() -> tuple[re.Pattern[str] | None, tuple[str, ...]]:
    """One alternation of every known value (and its JSON-escaped form), rebuilt only when the
    secret environment or the remembered values change: it runs on every line of output."""
    global _cache
    env = tuple(sorted(v for n, v in os.environ.items() if len(v) >= MIN_KNOWN_LENGTH and _SECRET_ENV_NAME.search(n)))
    key = (env, _version)
    if _cache[0] != key:
        with _lock:
            values = set(env) | _known
        variants = tuple(sorted(values | {json.dumps(v)[1:-1] for v in values}, key=len, reverse=True))
        pattern = re.compile("|".join(map(re.escape, variants))) if variants else None
        _cache = (key, pattern, variants)
    return _cache[1], _cache[2]


def redact_text(text: str) -> str:
    pattern, _ = _known_pattern()
    if pattern is not None:
        text = pattern.sub(REDACTED, text)
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


class RedactingStream:
    """A text stream that redacts whole lines before they reach `target` (a secret split over two
    `write` calls, as `json.dump` writes, is still seen whole); PEM private-key blocks are dropped
    from BEGIN to END. Anything else (isatty, encoding, fileno) is the target's."""

    def __init__(self, target: TextIO):
        self._target = target
        self._pending = ""
        self._in_pem = False
        self._lock = threading.Lock()

    def write(self, text: str) -> int:
        with self._lock:
            self._pending += text
            if "\n" in self._pending:
                complete, _, self._pending = self._pending.rpartition("\n")
                self._target.write("".join(self._line(line) + "\n" for line in complete.split("\n")))
        return len(text)

    def flush(self) -> None:
        with self._lock:
            if self._pending:
                self._target.write(self._line(self._pending))
                self._pending = ""
        self._target.flush()

    def _line(self, line: str) -> str:
        if self._in_pem:
            self._in_pem = not _PEM_END.search(line)
            return REDACTED
        if _PEM_BEGIN.search(line) and not _PEM_END.search(line):
            self._in_pem = True
        return redact_text(_PEM_BEGIN.sub(REDACTED, line))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._target, name)
