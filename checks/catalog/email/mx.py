"""MX: the mail domain can receive mail (replies, DMARC reports, support)."""
from __future__ import annotations

from launchready.checks.catalog.dns._base import DnsCheck, lookup, make_resolver, rdata_text, where
from launchready.checks.framework.base import Severity
from launchready.checks.framework.registry import register


@register
class MxPresent(DnsCheck):
    id = "email.mx.present"
    title = "The mail domain has MX records"
    severity = Severity.HIGH
    remediation = ("Publish the MX records of your mail provider (`launchready:email.mx` in the stack) and run `pulumi up`; "
                   "without MX, replies to your app's mail and DMARC reports bounce.")

    def inspect(self, ctx):
        domain = ctx.targets.domain
        mx = sorted(rdata_text(r) for r in lookup(make_resolver(ctx.targets), domain, "MX"))
        evidence = {"domain": domain, "nameserver": where(ctx.targets), "mx": mx}
        if not mx:
            return self.failed(f"{domain}: no MX records", evidence)
        return self.passed(f"{domain}: MX {', '.join(mx)}", evidence)
