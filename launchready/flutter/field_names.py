"""How the app spells a field: the same name in snake_case, camelCase or another case is one field to
a reader and two fields to Firestore. Used to find rules that name a field the app never stores."""
from __future__ import annotations

import re
from collections.abc import Iterable

from launchready.flutter.app_scan import AppScan
from launchready.rules.analysis.intent import normalise


def variants(name: str) -> set[str]:
    """`verificationStatus` <-> `verification_status` (and the name itself)."""
    words = [w for w in re.split(r"[_\-]|(?<=[a-z0-9])(?=[A-Z])", name) if w]
    if not words:
        return {name}
    lower = [w.lower() for w in words]
    return {name, "_".join(lower), lower[0] + "".join(w.title() for w in lower[1:]), "".join(lower),
            "-".join(lower)}


def stored_spellings(app: AppScan, names: Iterable[str]) -> dict[str, set[str]]:
    """normalised name -> the spellings of it the app's Dart and backend sources quote (`'x'`, `"x"`)."""
    texts = [dart.raw for dart in app.dart] + [t.encode() for rel, t in app.texts.items() if "functions/" in rel]
    found: dict[str, set[str]] = {}
    for name in names:
        for spelling in variants(name):
            quoted = (f"'{spelling}'".encode(), f'"{spelling}"'.encode())
            if any(q in text for text in texts for q in quoted):
                found.setdefault(normalise(name), set()).add(spelling)
    return found
