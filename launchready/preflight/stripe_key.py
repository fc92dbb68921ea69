"""The Stripe key the deploy will use is of the stack's mode (test for dev/staging, live for prod):
a test key in prod creates the webhook endpoint where no real payment ever arrives. Offline: the
mode is in the key's prefix. (The endpoint's account is checked by the `stripe.endpoint.*` checks.)"""
from __future__ import annotations

import os

from launchready.checks.catalog.stripe.endpoint import key_mode
from launchready.infra.config import EnvironmentConfig
from launchready.preflight.model import Finding

KEY_ENV = "STRIPE_SECRET_KEY"


def probe(config: EnvironmentConfig) -> Finding:
    key = os.environ.get(KEY_ENV, "")
    wanted = "live" if config.stripe.mode == "live" else "test"
    if not key:
        return Finding("stripe.key_mode", "warn", f"${KEY_ENV} is not set: the key's mode was not checked",
                       f"Export the stack's key (`pulumi config get launchready:stripeSecretKey --stack "
                       f"{config.stack or config.environment}`) as {KEY_ENV} to check it.")
    mode = key_mode(key)
    if mode != wanted:
        return Finding("stripe.key_mode", "fail", f"the Stripe key is a {mode}-mode key but the stack runs in "
                       f"{wanted} mode", f"Use the {wanted}-mode key of this environment's Stripe account.")
    return Finding("stripe.key_mode", "pass", f"the Stripe key is a {mode}-mode key, as the stack needs")
