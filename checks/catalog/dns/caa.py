"""CAA: the app hostnames publish which certificate authorities may issue for them (RFC 8659)."""
from __future__ import annotations

from launchready.checks.catalog.dns._base import DnsCheck, lookup, make_resolver, target_hostnames
from launchready.checks.framework.base import Severity
from launchready.checks.framework.registry import register


def relevant_caa(resolver, hostname: str) -> tuple[str | None, list]:
    """The CAA set that governs `hostname`: its own, else the closest ancestor's (RFC 8659 3)."""
    labels = hostname.rstrip(".").split(".")
    for i in range(len(labels) - 1):
        name = ".".join(labels[i:])
        records = lookup(resolver, name, "CAA")
        if records:
            return name, records
    return None, []


@register
class CaaAllowsIssuers(DnsCheck):
    id = "dns.caa.issuers"
    title = "CAA records exist and allow the certificate authorities in use"
    severity = Severity.MEDIUM
    remediation = ("Publish CAA `issue` records for every CA in the stack's `caaIssuers` (Firebase Hosting needs "
                   "letsencrypt.org and pki.goog) and run `pulumi up`; without CAA any CA may issue, with a "
                   "wrong one certificate renewal fails.")

    def inspect(self, ctx):
        resolver = make_resolver(ctx.targets)
        wanted = sorted(i.lower() for i in ctx.config.caa_issuers)
        for hostname in target_hostnames(ctx):
            found_at, records = relevant_caa(resolver, hostname)
            issuers = sorted({r.value.decode().split(";")[0].strip().lower()
                              for r in records if r.tag.decode().lower() == "issue"})
            evidence = {"hostname": hostname, "caa_at": found_at, "issue": issuers, "expected": wanted}
            if not records:
                yield self.failed(f"{hostname}: no CAA records (any CA may issue certificates)", evidence)
            elif missing := [i for i in wanted if i not in issuers]:
                yield self.failed(f"{hostname}: CAA does not allow {', '.join(missing)}",
                                  {**evidence, "missing": missing})
            else:
                yield self.passed(f"{hostname}: CAA allows {', '.join(wanted)}", evidence)
