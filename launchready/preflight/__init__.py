"""`launchready preflight`: what a deployer needs before `pulumi up`, checked live and read-only."""
from __future__ import annotations

from launchready.config.model import EnvironmentConfig
from launchready.preflight.model import BLOCKING, Endpoints, Finding


def run(config: EnvironmentConfig, endpoints: Endpoints) -> list[Finding]:
    """Every probe's findings: Google, then Cloudflare, then Stripe (key mode, account, its endpoints);
    no Cloudflare probe when DNS is elsewhere, no Stripe probe without payments (the app's architecture)."""
    from launchready.preflight import cloudflare, google, pulumi_cli, stripe_account

    return [*pulumi_cli.probe(config), *google.GoogleProbes(config, endpoints).findings(),
            *(cloudflare.probe(config, endpoints) if config.dns.provider == "cloudflare" else []),
            *(stripe_account.probe(config, endpoints) if config.payments == "stripe" else [])]


def ready(findings: list[Finding]) -> bool:
    return not any(f.status in BLOCKING for f in findings)
