"""Client code writing backend-owned customer fields to Firestore.

Billing and sync state (`plan_status`, `billing_provider_id`, ...) is written only by the backend from
verified Stripe events; a client that writes them either fails against the rules or, worse, grants
itself a plan. A write targets `customers` when its receiver (or, for transactions and batches, its
document argument) mentions the collection, directly or through a variable defined in the same file.
"""
from __future__ import annotations

import re

from launchready.checks.catalog.client import ClientCodeCheck
from launchready.checks.catalog.client.dart import DartFile, balanced_end, statement_start
from launchready.checks.framework import Finding, Severity, register
from launchready.checks.rules_testing.matrix import PROTECTED_FIELDS

WRITE_CALL = re.compile(r"\.(?:update|set|add)\s*\(")
CUSTOMERS = re.compile(r"""['"]customers(?:/|['"])""")
IDENTIFIER = re.compile(r"\b[A-Za-z_$][\w$]*\b")
PROTECTED_KEY = re.compile(r"""['"](%s)['"]\s*:""" % "|".join(map(re.escape, PROTECTED_FIELDS)))
# Receivers whose first argument is the document (Transaction.update(ref, data), WriteBatch.set(ref, data)).
TWO_ARG_RECEIVERS = re.compile(r"(?i)(?:transaction|batch|\btxn?|\bt)\s*$")


def _targets_customers(dart: DartFile, target: str, seen: frozenset[str] = frozenset()) -> bool:
    if CUSTOMERS.search(target):
        return True
    for name in set(IDENTIFIER.findall(target)) - seen:
        definition = re.search(rf"\b{re.escape(name)}\s*(?:=>|=(?!=))([^;]*);", dart.code)
        if definition and _targets_customers(dart, definition.group(1), seen | {name}):
            return True
    return False


def _split_first_arg(args: str) -> tuple[str, str]:
    """(first argument, the rest) of an argument list's inner text, split at a depth-0 comma."""
    depth = 0
    for i, char in enumerate(args):
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif char == "," and depth == 0:
            return args[:i], args[i + 1:]
    return args, ""


def protected_writes(dart: DartFile) -> list[Finding]:
    findings = []
    for call in WRITE_CALL.finditer(dart.code):
        open_at = call.end() - 1
        args_start, args_end = open_at + 1, balanced_end(dart.code, open_at) - 1
        args = dart.code[args_start:args_end]
        receiver = dart.code[statement_start(dart.code, call.start()):call.start()]
        target, data, data_offset = receiver, args, args_start
        if TWO_ARG_RECEIVERS.search(receiver):
            target, data = _split_first_arg(args)
            data_offset = args_start + len(target) + 1
        if not PROTECTED_KEY.search(data) or not _targets_customers(dart, target):
            continue
        for key in PROTECTED_KEY.finditer(data):
            findings.append(Finding(str(dart.path), dart.line(data_offset + key.start()),
                                    f"writes backend-owned field {key.group(1)!r} to customers"))
    return findings


@register
class ClientWritesProtectedFields(ClientCodeCheck):
    id = "client.firestore.protected_fields"
    title = "The app does not write backend-owned customer fields"
    severity = Severity.HIGH
    remediation = ("Remove these writes from the app: plan, billing, CRM and support fields are set only by the "
                   "backend from verified Stripe events. The app may update profile fields only.")
    what = "write(s) of backend-owned customer fields"

    def findings_in(self, dart):
        return protected_writes(dart)
