"""Flutter code calling CRM, support-desk or Stripe secret APIs directly instead of via the backend.

Those APIs need a secret token; a token in the app is readable by every user who installs it.
"""
from __future__ import annotations

import re

from launchready.checks.catalog.client import ClientCodeCheck
from launchready.checks.framework import Finding, Severity, register

SECRET_API_HOSTS = re.compile(
    r"(?P<HubSpot>api\.hubapi\.com|api\.hubspot\.com)"
    r"|(?P<Zendesk>[\w-]+\.zendesk\.com/api)"
    r"|(?P<Intercom>api\.(?:eu\.|au\.)?intercom\.io)")
STRIPE_API = re.compile(r"api\.stripe\.com")
# A Stripe secret key in the same file: a literal key prefix or a name that says so.
STRIPE_SECRET_USE = re.compile(r"\b(?:sk|rk)_(?:live|test)_|(?i:stripe_?secret|secret_?key)")


@register
class DirectCrmSupportCalls(ClientCodeCheck):
    id = "client.api.crm_support"
    title = "The app does not call CRM or support-desk APIs directly"
    severity = Severity.HIGH
    remediation = ("Call the backend instead (e.g. the support-request callable); only backend functions hold "
                   "the HubSpot/Zendesk/Intercom tokens, in Secret Manager. Rotate any token the app shipped.")
    what = "direct CRM/support API call(s)"

    def findings_in(self, dart):
        return [Finding(str(dart.path), dart.line(match.start()),
                        f"calls the {match.lastgroup} API ({match.group()}) from the app")
                for match in SECRET_API_HOSTS.finditer(dart.code)]


@register
class DirectStripeSecretCalls(ClientCodeCheck):
    id = "client.api.stripe_secret"
    title = "The app does not call the Stripe API with a secret key"
    severity = Severity.CRITICAL
    remediation = ("Create Checkout Sessions, PaymentIntents and portal links in a backend function; the app "
                   "may hold only the publishable key (pk_). Rotate the secret key the app carried.")
    what = "Stripe secret-key API call(s)"

    def findings_in(self, dart):
        if not STRIPE_SECRET_USE.search(dart.code):
            return []  # api.stripe.com with a publishable key is allowed
        return [Finding(str(dart.path), dart.line(match.start()),
                        "calls api.stripe.com from a file that uses a Stripe secret key")
                for match in STRIPE_API.finditer(dart.code)]
