"""What a detector's match is, judged by what it holds and where it lives (only hits get here: rare).

A shape is not a leak. Silent: placeholders (`sk_live_xxxx…`, `your_…`, `sample_…`, `<…>`), the test
values Stripe's own docs print, and PEM *templates* (a BEGIN/END pair around no key material).
Lowered: a Google Maps/Places SDK key in AndroidManifest.xml, AppDelegate or Info.plist must ship (the
SDK reads it there) and is protected by key restrictions, so it is advice, not a leak; a Google key in a
Markdown note is not blocking; a JWT whose `exp` has passed can no longer be used.
"""
from __future__ import annotations

import base64
import binascii
import json
import re
import time
from typing import NamedTuple

from launchready.secrets.detectors import Detector
from launchready.severity import Severity

SILENT = "silent"
PLACEHOLDER = re.compile(r"(?i)^x{3}|^[x*.0_-]+$|your[_-]?|sample|placeholder|example|dummy|changeme|replace_?me|"
                         r"insert|redacted|<[^>]*>|\{\{|\.\.\.|\u2026|\*{3}")
PEM_TEMPLATE = re.compile(rb"(?i)^\s*$|<|your|\.\.\.|\xe2\x80\xa6|x{4}|key here|insert|paste|replace")
# Test keys printed in Stripe's documentation: public, and shared by everyone who copied the docs.
STRIPE_DOC_VALUES = frozenset({"sk_test_4eC39HqLyjWDarjtT1zdp7dc", "pk_test_TYooMQauvdEDq54NiTphI7jx",
                               "sk_test_BQokikJOvBiI2HlWgH4olfQ2", "pk_test_6pRNASCoBOKtIshFeQd4XMUh",
                               "whsec_test_secret"})
KEY_MATERIAL = re.compile(rb"[A-Za-z0-9+/=]{40,}")
MAPS_SDK_FILES = re.compile(r"(?:^|/)(?:AndroidManifest\.xml|AppDelegate\.(?:swift|m|mm)|Info\.plist)$")
MARKDOWN = re.compile(r"(?i)\.(?:md|markdown|mdx)$")
JWT = re.compile(rb"eyJ[A-Za-z0-9_-]+\.(eyJ[A-Za-z0-9_-]+)\.[A-Za-z0-9_-]*")
RESTRICT = ("ships by design (the Maps/Places SDK reads it from here): restrict it in the Google Cloud console "
            "to this app's package name / bundle id and to the Maps APIs it uses")


class Verdict(NamedTuple):
    severity: Severity | str   # SILENT: never reported
    note: str                  # why the severity differs from the detector's


def judge(detector: Detector, value: bytes, rel: str) -> Verdict | None:
    """None when the detector's own severity stands; otherwise the severity this hit deserves."""
    text = value.decode("ascii", errors="replace")
    if detector.name in ("private-key", "gcp-service-account-key"):
        body = re.sub(rb"-----(?:BEGIN|END)[A-Z ]*-----|\\n|\"private_key\"\s*:\s*\"", b"", value).strip(b"\"' \n")
        template = PEM_TEMPLATE.search(body) and not KEY_MATERIAL.search(body)
        return Verdict(SILENT, "a PEM template: no key material") if template else None
    if is_placeholder(text):
        return Verdict(SILENT, "a placeholder or documented test value")
    if detector.name == "google-api-key":
        if MAPS_SDK_FILES.search(rel):
            return Verdict(Severity.INFO, RESTRICT)
        if MARKDOWN.search(rel):
            return Verdict(Severity.INFO, "in a Markdown note (not shipped): restrict or remove it")
    expired = expired_jwt(value)
    if expired:
        return Verdict(Severity.LOW, f"a JWT that expired on {time.strftime('%Y-%m-%d', time.gmtime(expired))}")
    return None


def is_placeholder(text: str) -> bool:
    """A value nobody can use: a template marker, a repeated or counting run, or a documented test value."""
    token = re.sub(r"^(?i:bearer|basic|token)\s+", "", text.strip())
    if token in STRIPE_DOC_VALUES:
        return True
    body = re.sub(r"^(?:sk|pk|rk|whsec)_(?:live|test)_|^whsec_|^AIza", "", token)
    return bool(PLACEHOLDER.search(body))


def expired_jwt(value: bytes) -> int | None:
    """The `exp` (epoch seconds) of a JWT in `value` when it lies in the past; None otherwise."""
    found = JWT.search(value)
    if not found:
        return None
    payload = found.group(1)
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload + b"=" * (-len(payload) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None
    exp = claims.get("exp") if isinstance(claims, dict) else None
    return int(exp) if isinstance(exp, (int, float)) and exp < time.time() else None
