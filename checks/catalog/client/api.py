"""Flutter code calling CRM, support-desk or Stripe secret APIs directly instead of via the backend.

Those APIs need a secret token; a token in the app is readable by every user who installs it. One
exception is by design: Zendesk's Requests API (`/api/v2/requests`) takes anonymous requests from end
users, so a call there that sends no credential is not reported (and the evidence says so).
"""
from __future__ import annotations

import re

from launchready.checks.catalog.client import ClientCodeCheck
from launchready.checks.framework import Finding, Severity, register
from launchready.flutter.dart import balanced_end, statement_start

SECRET_API_HOSTS = re.compile(
    r"(?P<HubSpot>api\.hubapi\.com|api\.hubspot\.com)"
    r"|(?P<Zendesk>[\w-]+\.zendesk\.com/api)"
    r"|(?P<Intercom>api\.(?:eu\.|au\.)?intercom\.io)")
ZENDESK_ANONYMOUS = re.compile(r"[\w-]+\.zendesk\.com/api/v2/requests(?:\.json)?\b")
CREDENTIAL_SENT = re.compile(r"(?i)authorization|\bbearer\b|basic\s|/token|api[_-]?key|x-api|password|token\s*[:=]")
STRIPE_API = re.compile(r"api\.stripe\.com")
# A Stripe secret key in the same file: a literal key prefix or a name that says so.
STRIPE_SECRET_USE = re.compile(r"\b(?:sk|rk)_(?:live|test)_|(?i:stripe_?secret|secret_?key)")


def _call_text(dart, offset: int) -> str:
    """The whole statement around `offset` (the call that uses the URL, with its headers)."""
    start = statement_start(dart.tokens, offset)
    end = dart.code.find(";", offset)
    open_at = dart.code.find("(", start)
    if 0 <= open_at < offset:
        end = max(end, balanced_end(dart.tokens, open_at))
    return dart.code[start:end if end > 0 else len(dart.code)]


@register
class DirectCrmSupportCalls(ClientCodeCheck):
    id = "client.api.crm_support"
    title = "The app does not call CRM or support-desk APIs directly"
    severity = Severity.HIGH
    remediation = ("Call the backend instead (e.g. the support-request callable); only backend functions hold "
                   "the HubSpot/Zendesk/Intercom tokens, in Secret Manager. If a call sent a token, rotate it.")
    what = "direct CRM/support API call(s)"
    trigger = ("hubapi", "hubspot", "zendesk", "intercom")

    def findings_in(self, dart, app):
        findings = []
        for match in SECRET_API_HOSTS.finditer(dart.code):
            if ZENDESK_ANONYMOUS.match(dart.code, match.start()) and \
                    not CREDENTIAL_SENT.search(_call_text(dart, match.start())):
                self.not_raised.append(f"{dart.rel}:{dart.line(match.start())}: Zendesk's anonymous Requests API, "
                                       "no credential sent")
                continue
            findings.append(Finding(str(dart.path), dart.line(match.start()),
                                    f"calls the {match.lastgroup} API ({match.group()}) from the app"))
        return findings


@register
class DirectStripeSecretCalls(ClientCodeCheck):
    id = "client.api.stripe_secret"
    title = "The app does not call the Stripe API with a secret key"
    severity = Severity.CRITICAL
    remediation = ("Create Checkout Sessions, PaymentIntents and portal links in a backend function; the app "
                   "may hold only the publishable key (pk_). Rotate the secret key the app carried.")
    what = "Stripe secret-key API call(s)"
    trigger = ("api.stripe.com",)

    def findings_in(self, dart, app):
        if not STRIPE_SECRET_USE.search(dart.code):
            return []  # api.stripe.com with a publishable key is allowed
        return [Finding(str(dart.path), dart.line(match.start()),
                        "calls api.stripe.com from a file that uses a Stripe secret key")
                for match in STRIPE_API.finditer(dart.code)]
