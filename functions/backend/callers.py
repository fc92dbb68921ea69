"""The entry points Cloud Run lets anyone reach (`allUsers` holds `run.invoker`), and how each one
verifies its caller in code instead. The infra program grants public invocation only to these, and the
launch policy `public-functions-verify-callers` fails any public function missing here."""
from __future__ import annotations

VERIFIED_CALLERS: dict[str, str] = {
    "stripe_webhook": "Stripe-Signature HMAC over the raw body, with the endpoint's signing secret",
    "request_support": "Firebase ID token (Authorization: Bearer) with a verified email, checked by firebase_admin",
}
