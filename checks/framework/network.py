"""One short reason per unreachable service, instead of an HTTP library's nested retry message
("HTTPSConnectionPool(...): Max retries exceeded ... [Errno 111] Connection refused")."""
from __future__ import annotations

import re

ERRNO = re.compile(r"\[Errno -?\d+\] ([^'\")\]]+)")
KNOWN = ("timed out", "Name or service not known", "Temporary failure in name resolution", "Connection refused",
         "No route to host", "Network is unreachable", "certificate verify failed")


def network_reason(exc: BaseException) -> str:
    """The root cause in a few words: 'Connection refused', 'timed out', 'certificate verify failed'."""
    text = " ".join(str(e) for e in _chain(exc))
    for known in KNOWN:
        if known.lower() in text.lower():
            return known
    match = ERRNO.search(text)
    return match.group(1).strip() if match else type(exc).__name__


def _chain(exc: BaseException | None):
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__
