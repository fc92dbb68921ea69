"""Backend-owned state found by data flow, not by name.

A field is backend-owned when the app gates a feature or access on it (reads it back in a condition, in
Dart or in the rules) and its source of truth is a server, a webhook or a payment provider. A client write
of such a field is a self-grant when the written value comes from something only the backend can trust:

- a payment SDK's client-side result (RevenueCat `CustomerInfo`/`entitlements`, an in-app purchase's
  `PurchaseDetails`, a Stripe PaymentSheet that just closed, Paystack/Razorpay/Flutterwave callbacks);
- a client-side Stripe Connect status check (`charges_enabled` read by the app);
- the device clock, for a deadline (`trialEndsAt: DateTime.now().add(...)`: a user sets their own clock);
- a comparison made on the device with a secret read from the database (a class PIN, an invite code),
  then `arrayUnion` of the caller into an access list.

Names are whatever the app uses (`stripChargesEnabled` too): what counts is where the value comes from
and that the app relies on the field.
"""
from __future__ import annotations

import re
from typing import NamedTuple

import re2

from launchready.flutter.app_scan import AppScan, DartSource

SOURCES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\bCustomerInfo\b|\bcustomerInfo\b|\bentitlements\b|\bPurchaserInfo\b|\bpurchaserInfo\b|"
                r"\bPurchases\s*\.\s*(?:purchase|restore|getCustomerInfo)"),
     "RevenueCat's client-side CustomerInfo"),
    (re.compile(r"\bPurchaseDetails\b|\bpurchaseDetails\b|\bpurchaseStream\b|\bcompletePurchase\b"),
     "the store's unverified client-side purchase result"),
    (re.compile(r"presentPaymentSheet|confirmPaymentSheetPayment|confirmPayment\s*\(|initPaymentSheet"),
     "a client-side Stripe PaymentSheet"),
    (re.compile(r"api\.stripe\.com/v1/accounts|charges_enabled|payouts_enabled|details_submitted|"
                r"\bchargesEnabled\b|\bpayoutsEnabled\b"),
     "a client-side Stripe Connect status check"),
    (re.compile(r"\bPaystack\w*|\bchargeCard\b|\bRazorpay\b|\bPaymentSuccessResponse\b|\bFlutterwave\b|"
                r"\bMpesa\w*"),
     "a client-side payment SDK callback"),
)
DEADLINE = re.compile(r"trial|expir|deadline|until|endsat|enddate|endat|validtill|renew|periodend")
CLOCK = re.compile(r"DateTime\s*\.\s*now\s*\(")
ARRAY_UNION = re.compile(r"FieldValue\s*\.\s*arrayUnion\s*\(")
SECRET_READ = re.compile(r"""\[\s*['"](\w*(?:pin|code|passcode|password|secret)\w*)['"]\s*\]|"""
                         r"""\.(\w*(?:[pP]in|[cC]ode|[pP]asscode|[pP]assword|[sS]ecret))\b(?!\s*\()""", re.I)
WINDOW = 2500
# Words one of the sources needs, searched as bytes by RE2 (a DFA): a file with none is skipped at memory speed.
ANY_SOURCE = re2.compile(rb"ustomerInfo|entitlements|urchaserInfo|Purchases|urchaseDetails|purchaseStream|"
                         rb"completePurchase|PaymentSheet|confirmPayment|api\.stripe\.com|_enabled|details_submitted|"
                         rb"Enabled|Paystack|chargeCard|Razorpay|PaymentSuccessResponse|Flutterwave|Mpesa|DateTime|"
                         rb"arrayUnion")
BLOCK_HEAD = re.compile(r"\b(?:if|for|while|switch|catch)\s*\([^()]*(?:\([^()]*\)[^()]*)*\)\s*$")


class Source(NamedTuple):
    what: str
    line: int   # where the source shows, in the write's file


def _window(dart: DartSource, at: int) -> tuple[int, str]:
    """The code of the enclosing function up to the write (bounded): where the value was decided."""
    start = max(0, at - WINDOW)
    code = dart.code[start:at]
    depth, cut = 0, 0
    for i in range(len(code) - 1, -1, -1):   # back to the `{` opening the enclosing function or callback
        char = code[i]
        if char == "}":
            depth += 1
        elif char == "{" and depth:
            depth -= 1
        elif char == "{" and re.search(r"\)\s*(?:async\s*)?$", code[max(0, i - 40):i]) and \
                not BLOCK_HEAD.search(code[max(0, i - 200):i]):
            cut = i
            break
    return start + cut, code[cut:]


def source_of(dart: DartSource, at: int, name: str, value: str) -> Source | None:
    """What decided the value written to `name` at offset `at`, when only the backend should decide it."""
    if "flow_sources" not in dart.facts:   # most files hold none of the sources: skip them cheaply
        dart.facts["flow_sources"] = bool(ANY_SOURCE.search(dart.raw or dart.source.encode()))
    if not dart.facts["flow_sources"]:
        return None
    offset, before = _window(dart, at)
    for pattern, what in SOURCES:
        found = list(pattern.finditer(before))
        if found or pattern.search(value):
            return Source(what, dart.line(offset + found[0].start()) if found else dart.line(at))
    key = re.sub(r"[^a-z0-9]", "", name.lower())
    if DEADLINE.search(key) and CLOCK.search(value):
        return Source("the device clock (DateTime.now())", dart.line(at))
    if ARRAY_UNION.search(value):
        secret = [m for m in SECRET_READ.finditer(before) if "==" in before[m.start():m.end() + 80] or
                  "==" in before[max(0, m.start() - 80):m.start()]]
        if secret:
            field = secret[-1].group(1) or secret[-1].group(2)
            return Source(f"a comparison made on the device with `{field}` read from the database", dart.line(offset + secret[-1].start()))
    return None


class Gates:
    """Where the app reads a field back in a condition (Dart `if`/ternary/`where`/`contains`, or the rules)."""

    CONDITION = re.compile(r"\bif\s*\(|\?|&&|\|\||==|!=|\bwhere\s*\(|\.contains\s*\(|\bin\s+resource|!\s*[\w(]")

    def __init__(self, app: AppScan, rules_text: str = "", rules_name: str = "firestore.rules"):
        self.app, self.rules_text, self.rules_name = app, rules_text, rules_name
        self._cache: dict[str, str | None] = {}

    def where(self, name: str) -> str | None:
        """`file:line` of a condition reading `name`; None when the app never relies on it."""
        if name not in self._cache:
            self._cache[name] = self._find(name)
        return self._cache[name]

    def _find(self, name: str) -> str | None:
        read = re.compile(rf"""\[\s*['"]{re.escape(name)}['"]\s*\]|\.{re.escape(name)}\b(?!\s*[:=(])|"""
                          rf"""['"]{re.escape(name)}['"](?!\s*:)""")
        for dart in self.app.dart:
            if name not in dart.source:
                continue
            for found in read.finditer(dart.code):
                line_start = dart.code.rfind("\n", 0, found.start()) + 1
                line_end = dart.code.find("\n", found.end())
                if self.CONDITION.search(dart.code[line_start:line_end if line_end >= 0 else None]):
                    return f"{dart.rel}:{dart.line(found.start())}"
        rules = re.search(rf"\.data\.{re.escape(name)}\b|\.data\[\s*['\"]{re.escape(name)}", self.rules_text)
        if rules:
            return f"{self.rules_name}:{self.rules_text.count(chr(10), 0, rules.start()) + 1}"
        return None
