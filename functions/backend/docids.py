"""Firestore document ids from ids Stripe or a buyer controls.

Firestore refuses `.`/`..`, `__name__`-style reserved ids, `/` and ids over 1,500 bytes; a Payment
Link buyer chooses `client_reference_id` freely. An id that is safe is used as is (readable in the
console); anything else becomes a hash that cannot collide with a safe id (`~` is never in one).
"""
from __future__ import annotations

import hashlib
import re

_SAFE = re.compile(r"^[A-Za-z0-9_\-.:]{1,255}$")
_RESERVED = re.compile(r"^__.*__$")
_UID = re.compile(r"^[^/\s]{1,128}$")


def is_safe(value: object) -> bool:
    return isinstance(value, str) and bool(_SAFE.match(value)) and not _RESERVED.match(value) \
        and value not in (".", "..")


def safe_id(value: object) -> str:
    """`value` itself when it is a safe document id, else `x~<sha256>` of its text."""
    if is_safe(value):
        return value  # type: ignore[return-value]
    return "x~" + hashlib.sha256(repr(value).encode("utf-8", "surrogatepass")).hexdigest()


def is_uid(value: object) -> bool:
    """A Firebase uid that can key `customers/{uid}` (the rules compare it with request.auth.uid)."""
    return isinstance(value, str) and bool(_UID.match(value)) and not _RESERVED.match(value) \
        and value not in (".", "..")
