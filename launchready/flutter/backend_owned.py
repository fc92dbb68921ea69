"""What the project itself says is backend-owned, beyond the vocabulary in `checks.billing_state`.

- Fields its own backend writes from payment code: in `functions/` (next to the app or one level up),
  a JS/TS/Python file that handles Stripe, RevenueCat, webhooks or subscriptions; every key of an object
  it passes to a write (`.set({...})`, `.update({...})`, `ref.update(...)`) is backend-owned.
- Collections its rules close to clients: a top-level collection whose match grants no create/update
  and says so explicitly (`allow write: if false`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from launchready.billing_state import normalise
from launchready.rules.analysis.expressions import never_holds
from launchready.rules.analysis.model import Ruleset

BACKEND_SOURCE = re.compile(r"(?:^|/)functions/(?:.*/)?[^/]+\.(?:js|mjs|ts|py)$")
PAYMENT_CODE = re.compile(r"(?i)stripe|revenuecat|webhook|subscription|invoice|checkout")
BACKEND_WRITE = re.compile(r"\.(?:set|update|create|set_document|update_document)\s*\(|\bmerge\s*[:=]")
OBJECT_KEY = re.compile(r"""(?:^|[{,\s])['"]?([A-Za-z_][\w.]*)['"]?\s*:(?!:)""")
WRITE_OPS = frozenset({"create", "update"})


@dataclass(frozen=True)
class BackendOwned:
    fields: frozenset[str]                 # normalised field names
    closed_collections: dict[str, int]     # collection -> line of the rule that closes it


BACKEND_COLLECTION = re.compile(r"""collection\s*\(\s*['"]([\w-]+)['"]""")
# Keys every backend writes somewhere (identity, bookkeeping): never evidence of billing state.
NOT_FIELDS = frozenset({"merge", "timeout", "email", "uid", "userId", "user_id", "id", "name", "displayName",
                        "display_name", "photoUrl", "photo_url", "status", "type", "created", "createdAt", "created_at",
                        "updated", "updatedAt", "updated_at", "timestamp", "data", "metadata", "message", "error"})
# Profile fields a webhook may copy from the payment provider's customer (name, phone, address): a
# backend writing one does not make it billing state, and a client editing its own is normal.
PROFILE_FIELD = re.compile(r"^(?:first|last|full|given|family|middle|nick|user|display)?name$|^description$|^bio$|"
                           r"^about|^phone|^avatar|^photo|^picture|^image|^title$|^address|^city$|^country|"
                           r"^postal|^zip|^locale$|^language$|^timezone$|^gender$|^birth|^website$")


def backend_writes(texts: dict[str, str]) -> dict[str, set[str]]:
    """collection -> keys the project's payment backend writes there ("" when the collection is not
    named in the statement); see the module docstring."""
    found: dict[str, set[str]] = {}
    for rel, text in texts.items():
        if not BACKEND_SOURCE.search(rel) or not PAYMENT_CODE.search(text):
            continue
        for call in BACKEND_WRITE.finditer(text):
            window = text[call.end():call.end() + 800]
            named = BACKEND_COLLECTION.findall(text[max(0, call.start() - 300):call.start()])
            keys = {k for k in OBJECT_KEY.findall(window[:_object_end(window)])
                    if k not in NOT_FIELDS and len(k) > 3 and not PROFILE_FIELD.match(normalise(k))}
            found.setdefault(named[-1] if named else "", set()).update(keys)
    return found


def backend_fields(texts: dict[str, str]) -> frozenset[str]:
    """Normalised names of every key the project's payment backend writes, in any collection."""
    return frozenset(normalise(key) for keys in backend_writes(texts).values() for key in keys)


def _object_end(window: str) -> int:
    depth = 0
    for i, char in enumerate(window):
        if char in "({[":
            depth += 1
        elif char in ")}]":
            depth -= 1
            if depth < 0:
                return i
    return len(window)


def closed_collections(rules: Ruleset | None) -> dict[str, int]:
    """Top-level collections whose rules explicitly deny every client create/update."""
    if rules is None:
        return {}
    grants: dict[str, bool] = {}
    closing: dict[str, int] = {}
    for allow in rules.allows():
        segments = allow.match.document_segments
        if len(segments) != 2 or "{" in segments[0] or not allow.operations & WRITE_OPS:
            continue
        if never_holds(allow.condition):
            closing.setdefault(segments[0], allow.line)
        else:
            grants[segments[0]] = True
    return {name: line for name, line in closing.items() if not grants.get(name)}
