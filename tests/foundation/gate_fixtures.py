"""A small app project (not the bundled example) and a registry whose checks skip, fail per subject
and pass: what the gate-policy, waiver and report tests run against."""
from __future__ import annotations

from pathlib import Path

import yaml

from launchready.checks.framework import Check, CheckContext, CheckOptions, Finding, Severity
from launchready.checks.framework.registry import CheckRegistry

EXAMPLE_STACKS = Path(__file__).resolve().parents[2] / "stacks"


def app_project(root: Path, *, app: str = "Fernhill Tutors", zone: str = "fernhill-tutors.io",
                extra: dict | None = None, waivers: list | None = None) -> Path:
    """A project folder for another app: Pulumi.yaml, stacks/Pulumi.{dev,prod}.yaml, launchready.yaml."""
    (root / "stacks").mkdir(parents=True, exist_ok=True)
    (root / "Pulumi.yaml").write_text("name: fernhill\nruntime: python\nmain: infra/\nstackConfigDir: stacks\n")
    for stack in ("dev", "prod"):
        doc = yaml.safe_load((EXAMPLE_STACKS / f"Pulumi.{stack}.yaml").read_text())
        text = yaml.safe_dump(doc, sort_keys=False).replace("Acme Notes", app).replace("acmenotes.com", zone)
        doc = yaml.safe_load(text.replace("acme-notes", "fernhill"))
        doc["config"].update({f"launchready:{k}": v for k, v in (extra or {}).items()})
        (root / "stacks" / f"Pulumi.{stack}.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))
    if waivers is not None:
        (root / "launchready.yaml").write_text(yaml.safe_dump({"waivers": waivers}, sort_keys=False))
    return root


def gate_context(root: Path, stack: str = "prod", **options) -> CheckContext:
    from launchready.project import Project
    return CheckContext(CheckOptions(stack=stack, stacks_dir=root / "stacks", **options), project=Project.load(root))


def gate_registry() -> CheckRegistry:
    reg = CheckRegistry()

    @reg.register
    class NeedsApp(Check):
        """Reads the Flutter tree; without one it cannot look."""
        id = "app.code.scan"
        title = "Scans the app"
        severity = Severity.CRITICAL

        def run(self, ctx):
            return self.skipped("no --app-dir given: the Flutter code was not read")

    @reg.register
    class MinorSkip(Check):
        id = "app.code.style"
        title = "Style nit"
        severity = Severity.LOW

        def run(self, ctx):
            return self.skipped("nothing to read")

    @reg.register
    class PerHost(Check):
        id = "web.tls.expiry"
        title = "Certificates are not about to expire"
        severity = Severity.HIGH
        remediation = "Renew the certificate."
        config_key = "domain"

        def run(self, ctx):
            yield self.failed("expires in 3 days", {"hostname": "app.fernhill-tutors.io"})
            yield self.failed("expires in 5 days", {"hostname": "www.fernhill-tutors.io"})

    @reg.register
    class Payments(Check):
        id = "billing.stripe.endpoint"
        title = "Stripe endpoint exists"
        severity = Severity.CRITICAL

        def run(self, ctx):
            return self.failed("no endpoint")

    @reg.register
    class FileFinding(Check):
        id = "app.secrets.scan"
        title = "No secrets in the app"
        severity = Severity.CRITICAL

        def run(self, ctx):
            return self.failed("2 secrets", findings=[Finding("lib/env.dart", 4, "a Stripe secret key"),
                                                      Finding("lib/flavors/prod.dart", 9, "a HubSpot token")])

    @reg.register
    class Fine(Check):
        id = "web.http.redirect"
        title = "HTTP redirects to HTTPS"
        severity = Severity.HIGH

        def run(self, ctx):
            return self.passed("redirects", {"hostname": "app.fernhill-tutors.io"})

    return reg
