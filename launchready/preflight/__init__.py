"""`launchready preflight`: what a deployer needs before `pulumi up`, checked live and read-only."""
from __future__ import annotations

from launchready.config.model import EnvironmentConfig
from launchready.preflight.model import BLOCKING, Endpoints, Finding


def run(config: EnvironmentConfig, endpoints: Endpoints) -> list[Finding]:
    """Every probe's findings: Google, then Cloudflare, then Stripe (key mode, account, its endpoints)."""
    from launchready.preflight import cloudflare, google, stripe_account

    return [*google.GoogleProbes(config, endpoints).findings(), *cloudflare.probe(config, endpoints),
            *stripe_account.probe(config, endpoints)]


def ready(findings: list[Finding]) -> bool:
    return not any(f.status in BLOCKING for f in findings)
