"""Hostname validation for stack config: IDNA (UTS #46) and DNS label rules.

An internationalised name is converted explicitly to its ASCII (`xn--`) form, which is what DNS,
TLS certificates and Cloudflare use; a name IDNA forbids (emoji such as `🚀.example.com`) is refused.
"""
from __future__ import annotations

import re

import idna

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def hostname(value: str) -> str:
    """The lower-case ASCII form of a fully qualified hostname, or ValueError saying what is wrong."""
    name = value.strip().rstrip(".").lower()
    if not name.isascii():
        try:
            name = idna.encode(name, uts46=True).decode("ascii")
        except (idna.IDNAError, UnicodeError) as exc:
            raise ValueError(f"not a valid hostname: IDNA refuses it ({exc})") from None
    labels = name.split(".")
    if len(labels) < 2:
        raise ValueError("expected a fully qualified hostname (e.g. app.example.com)")
    if len(name) > 253:
        raise ValueError("not a valid hostname: longer than 253 characters")
    bad = next((label for label in labels if not _LABEL.match(label)), None)
    if bad is not None:
        raise ValueError(f"not a valid hostname: label {bad[:63]!r} must be 1-63 letters, digits or "
                         "hyphens, not starting or ending with a hyphen")
    return name
