"""What a secret looks like: one declarative line per kind (in the style of detect-secrets plugins).

Each detector is literal `prefixes` plus a regex `body`. Starting every alternative with a literal
lets the combined pattern (see `registry.py`) use the regex engine's first-character prefilter, which
is what makes one pass over a file fast. `public_in` lists file-name globs where a match is public by
design (`*` = everywhere): it is recognised, counted, and never reported.
"""
from __future__ import annotations

from dataclasses import dataclass

from launchready.severity import Severity

_PEM_BLOCK = r"[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|\Z)"
_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


@dataclass(frozen=True)
class Detector:
    name: str
    kind: str
    prefixes: tuple[str, ...]
    body: str
    severity: Severity
    public_in: tuple[str, ...] = ()
    generic: bool = False   # a shape, not an issuer: never claims a match a known-format detector owns
    firebase_config: bool = False   # public by design inside Firebase client config (see firebase_config.py)


DETECTORS: tuple[Detector, ...] = (
    Detector("stripe-live-secret-key", "Stripe live secret key", ("sk_live_",), r"[0-9A-Za-z]{16,}", Severity.CRITICAL),
    Detector("stripe-test-secret-key", "Stripe test secret key", ("sk_test_",), r"[0-9A-Za-z]{16,}", Severity.HIGH),
    Detector("stripe-live-restricted-key", "Stripe live restricted key", ("rk_live_",), r"[0-9A-Za-z]{16,}", Severity.CRITICAL),
    Detector("stripe-test-restricted-key", "Stripe test restricted key", ("rk_test_",), r"[0-9A-Za-z]{16,}", Severity.HIGH),
    Detector("stripe-webhook-secret", "Stripe webhook signing secret", ("whsec_",), r"[0-9A-Za-z+/=]{16,}", Severity.CRITICAL),
    Detector("stripe-publishable-key", "Stripe publishable key", ("pk_live_", "pk_test_"), r"[0-9A-Za-z]{16,}",
             Severity.INFO, public_in=("*",)),
    Detector("gcp-service-account-key", "GCP service-account private key", ('"private_key"',),
             r'\s*:\s*"-----BEGIN (?:RSA )?PRIVATE KEY-----' + _PEM_BLOCK, Severity.CRITICAL),
    Detector("private-key", "private key", ("-----BEGIN ",),
             r"(?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?-----" + _PEM_BLOCK, Severity.CRITICAL),
    Detector("hubspot-private-app-token", "HubSpot private-app token", ("pat-na", "pat-eu"), r"\d?-" + _UUID,
             Severity.CRITICAL),
    Detector("hubspot-api-key", "HubSpot API key", ("hapikey=",), _UUID, Severity.HIGH),
    Detector("zendesk-api-token", "Zendesk API token", ("zendesk", "Zendesk", "ZENDESK"),
             r"""[\w.-]{0,30}(?i:token|key|secret)\w*["']?\s*[:=]\s*["']?[0-9A-Za-z]{40}\b""", Severity.CRITICAL),
    Detector("zendesk-basic-auth-token", "Zendesk API token", ("/token:",), r"[0-9A-Za-z]{40}\b", Severity.CRITICAL),
    Detector("intercom-access-token", "Intercom access token", ("dG9rOj",), r"[0-9A-Za-z+/=_-]{40,}", Severity.CRITICAL),
    Detector("google-oauth-client-secret", "Google OAuth client secret", ("GOCSPX-",), r"[0-9A-Za-z_-]{28}",
             Severity.HIGH),
    Detector("google-api-key", "Google/Firebase API key", ("AIza",), r"[0-9A-Za-z_-]{35}", Severity.LOW,
             firebase_config=True),
    Detector("bearer-token", "hard-coded bearer token", ("Bearer ", "bearer "),
             r"(?=[0-9A-Za-z._~+/=-]*[0-9])[0-9A-Za-z._~+/=-]{20,}",
             Severity.HIGH, generic=True),
)
