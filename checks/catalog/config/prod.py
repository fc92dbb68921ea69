"""Prod has someone to page and someone who owns each integration: alerts need a recipient, and an
incident needs a name to call."""
from __future__ import annotations

from launchready.checks.catalog.config._base import load_stack_file
from launchready.checks.framework import Severity, register
from launchready.checks.framework.base import Check
from launchready.config.model import NONE, ConfigError

REQUIRED_OWNERS = ("gcp", "stripe", "crm", "support", "dns")


def owner_roles(cfg) -> list[str]:
    """The owners prod needs: one per service the app uses (no Stripe owner without payments, ...)."""
    unused = {"stripe": cfg.payments == NONE, "crm": cfg.crm.provider == NONE, "support": cfg.support.provider == NONE}
    return [role for role in REQUIRED_OWNERS if not unused.get(role)]


def _is_email(value: object) -> bool:
    return isinstance(value, str) and "@" in value.strip(" @")


@register
class ProdOwnership(Check):
    id = "config.prod.ownership"
    title = "Prod has alert recipients and owners set"
    severity = Severity.HIGH
    remediation = ("In the prod stack set `launchready:alerts.emails` (an on-call address) and "
                   "`launchready:owners` with an email for each of: " + ", ".join(REQUIRED_OWNERS) + ".")

    def run(self, ctx):
        prod = {n: c for n, c in ctx.checked_stacks.items() if not isinstance(c, ConfigError) and c.environment == "prod"}
        if not prod and ctx.config.environment != "prod":
            yield self.passed(f"stack {ctx.stack} is {ctx.config.environment}: ownership is judged on the prod stack")
        elif not prod:
            yield self.skipped(f"stack {ctx.stack} does not load (see config.stacks.load)")
        for name, cfg in prod.items():
            raw = load_stack_file(ctx.options.stacks_dir, name)
            findings = []
            if not any(_is_email(e) for e in cfg.alerts.emails):
                findings.append(raw.finding("no alert recipient: launchready:alerts.emails is empty", "launchready:alerts", "emails"))
            for bad in [e for e in cfg.alerts.emails if not _is_email(e)]:
                findings.append(raw.finding(f"alert recipient {bad!r} is not an email address", "launchready:alerts", "emails"))
            for role in owner_roles(cfg):
                if not _is_email(cfg.owners.get(role)):
                    findings.append(raw.finding(f"no owner email for {role}", "launchready:owners", role))
            for section, settings in (("crm", cfg.crm), ("support", cfg.support)):
                if settings.provider != NONE and not _is_email(settings.owner):
                    findings.append(raw.finding(f"launchready:{section}.owner is not an email address",
                                                f"launchready:{section}", "owner"))
            evidence = {"stack": name, "alert_recipients": len(cfg.alerts.emails), "owners": sorted(cfg.owners)}
            if findings:
                yield self.failed(f"stack {name}: {len(findings)} ownership gap(s)", evidence, findings=findings)
            else:
                yield self.passed(f"stack {name}: alerts go to {len(cfg.alerts.emails)} recipient(s); every "
                                  "integration has an owner", evidence)
