"""Stripe mode per environment: prod takes real money (live); dev and staging never do (test)."""
from __future__ import annotations

from launchready.checks.catalog.config._base import load_stack_file
from launchready.checks.framework import Severity, register
from launchready.checks.framework.base import Check
from launchready.config.model import ConfigError
from launchready.config.stripe_keys import declared_mode, expected_mode


@register
class StripeModeFitsEnvironment(Check):
    id = "config.stripe.mode"
    applies_to = ("stripe",)
    title = "Stripe mode fits the environment (prod live, dev and staging test)"
    severity = Severity.CRITICAL
    remediation = ("Set `launchready:stripe.mode` to `live` in prod and `test` elsewhere, and store the matching "
                   "key (sk_live_/rk_live_ for live, sk_test_/rk_test_ for test) with `pulumi config set --secret "
                   "launchready:stripeSecretKey ...`.")

    def run(self, ctx):
        for name, cfg in ctx.checked_stacks.items():
            if isinstance(cfg, ConfigError) or cfg.stripe is None:
                continue  # reported by config.stacks.load; or no payments
            raw = load_stack_file(ctx.options.stacks_dir, name)
            want, mode = expected_mode(cfg.environment), cfg.stripe.mode
            findings = []
            if mode != want:
                findings.append(raw.finding(f"{cfg.environment} runs Stripe in {mode} mode; expected {want}",
                                            "launchready:stripe", "mode"))
            plain = (cfg.stripe_secret_key.reveal_plaintext() if cfg.stripe_secret_key else None) or ""
            key_mode = declared_mode(plain)
            if key_mode and key_mode != mode:
                findings.append(raw.finding(f"launchready:stripeSecretKey is a {key_mode}-mode key but the stack "
                                            f"is in {mode} mode", "launchready:stripeSecretKey"))
            evidence = {"stack": name, "environment": cfg.environment, "mode": mode, "expected": want}
            if not findings:
                yield self.passed(f"stack {name}: Stripe {mode} mode fits {cfg.environment}", evidence)
                continue
            # Live keys outside prod move real money from test traffic: critical. Prod in test mode: high.
            severity = Severity.CRITICAL if "live" in (mode, key_mode) and cfg.environment != "prod" else Severity.HIGH
            yield self.failed(f"stack {name}: Stripe mode does not fit {cfg.environment}", evidence,
                              findings=findings, severity=severity)
