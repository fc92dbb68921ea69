"""`launchready preflight`: what a deployer needs before `pulumi up`, checked live and read-only."""
from __future__ import annotations

from launchready.infra.config import EnvironmentConfig
from launchready.preflight.model import BLOCKING, Endpoints, Finding


def run(config: EnvironmentConfig, endpoints: Endpoints) -> list[Finding]:
    """Every probe's findings: Google, then Cloudflare, then the Stripe key."""
    from launchready.preflight import cloudflare, google, stripe_key

    return [*google.GoogleProbes(config, endpoints).findings(), *cloudflare.probe(config, endpoints),
            stripe_key.probe(config)]


def ready(findings: list[Finding]) -> bool:
    return not any(f.status in BLOCKING for f in findings)
