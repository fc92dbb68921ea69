"""What `request_support` does before trusting a request: CORS for the app's own origins, a body
limit enforced while reading (chunked bodies included), bounded JSON nesting, and clean text.

The function is publicly invokable (Cloud Run ingress), so these checks are the gate, not a proxy's.
"""
from __future__ import annotations

import json
import re
import unicodedata
from typing import Any

MAX_BODY_BYTES = 64 * 1024
MAX_JSON_DEPTH = 8
_READ_CHUNK = 16 * 1024
# C0/C1 controls except tab and newline, bidi overrides/isolates (Trojan Source), zero-width marks.
_UNSAFE_CHARS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
ALLOWED_HEADERS = "Authorization, Content-Type, Idempotency-Key"


class Rejected(Exception):
    """A request refused before any work: HTTP status and a short public reason."""

    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status, self.reason = status, reason


def read_body(request: Any, limit: int = MAX_BODY_BYTES) -> bytes:
    """At most `limit` bytes of the body, read in chunks: a larger body is refused as soon as it
    passes the limit, whatever Content-Length says (or whether it is sent at all)."""
    if (request.content_length or 0) > limit:
        _settle(request, b"")
        raise Rejected(413, "payload too large")
    stream, total = request.stream, 0
    chunks: list[bytes] = []
    while True:
        chunk = stream.read(min(_READ_CHUNK, limit + 1 - total))
        if not chunk:
            return _settle(request, b"".join(chunks))
        chunks.append(chunk)
        total += len(chunk)
        if total > limit:
            _settle(request, b"")
            raise Rejected(413, "payload too large")


def _settle(request: Any, body: bytes) -> bytes:
    """Tell Werkzeug the body has been read. functions-framework reads "the entire request" after
    every response (its `read_request` hook calls `get_data()`), which would buffer a 30 MiB chunked
    body we just refused; with the cache set that read returns at once."""
    request._cached_data = body
    return body


def parse_json(body: bytes, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """The JSON value of `body`, refusing nesting deeper than `max_depth` before parsing."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise Rejected(400, "body must be UTF-8 JSON") from None
    if _depth(text) > max_depth:
        raise Rejected(400, f"JSON nested deeper than {max_depth} levels")
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        raise Rejected(400, "body must be a JSON object") from None


def _depth(text: str) -> int:
    """Deepest bracket nesting outside strings: linear in the text, no recursion."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            escaped, in_string = (False, True) if escaped else (char == "\\", char != '"')
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def clean_text(value: str) -> str:
    """NFC text without control, bidi-override or zero-width characters (kept: newlines, tabs)."""
    return _UNSAFE_CHARS.sub("", unicodedata.normalize("NFC", value)).strip()


def cors_headers(origin: str | None, allowed: frozenset[str]) -> dict[str, str]:
    """CORS headers for an allowed browser origin; none for other origins or native apps (no Origin).

    Raises Rejected(403) for a browser origin that is not one of the app's."""
    if origin is None:
        return {}
    if origin.rstrip("/").lower() not in allowed:
        raise Rejected(403, "origin not allowed")
    return {"Access-Control-Allow-Origin": origin, "Vary": "Origin",
            "Access-Control-Expose-Headers": "Retry-After"}


def preflight_headers(origin: str | None, allowed: frozenset[str]) -> dict[str, str]:
    """The answer to an OPTIONS preflight from one of the app's origins."""
    headers = cors_headers(origin, allowed)
    if not headers:
        raise Rejected(403, "origin not allowed")
    return {**headers, "Access-Control-Allow-Methods": "POST", "Access-Control-Allow-Headers": ALLOWED_HEADERS,
            "Access-Control-Max-Age": "3600"}
