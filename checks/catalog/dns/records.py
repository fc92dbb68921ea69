"""The zone serves the records the plan wants, with the planned values (drift is a finding)."""
from __future__ import annotations

from collections import defaultdict

from launchready.checks.catalog.dns._base import DnsCheck, lookup, make_resolver, planned_records, rdata_text, where
from launchready.checks.framework.base import Severity
from launchready.checks.framework.registry import register
from launchready.infra.dns_records import DnsRecordSpec


def _value(record: DnsRecordSpec) -> str:
    return f"{record.priority} {record.content}" if record.type == "MX" else record.content


def _norm(rdtype: str, value: str) -> str:
    """Compare hostnames case- and trailing-dot-insensitively; TXT values exactly."""
    return value if rdtype == "TXT" else value.lower().rstrip(".")


@register
class PlannedRecordsMatch(DnsCheck):
    id = "dns.records.planned"
    applies_to = ("cloudflare",)
    needs = ("plan",)
    title = "Planned DNS records exist with the planned values"
    severity = Severity.HIGH
    remediation = ("Run `pulumi up --stack <stack>` so the DNS provider serves the planned records again, or change "
                   "the stack config if the live value is the intended one. Records edited by hand in the DNS "
                   "dashboard are overwritten on the next deploy.")

    def inspect(self, ctx):
        resolver = make_resolver(ctx.targets)
        wanted: dict[tuple[str, str], list[DnsRecordSpec]] = defaultdict(list)
        for record in planned_records(ctx):
            wanted[(record.type, record.name)].append(record)
        drift, proxied = [], []
        for (rdtype, name), records in sorted(wanted.items()):
            if any(r.proxied for r in records):  # behind the CDN: DNS answers with its addresses
                proxied.append(f"{rdtype} {name}")
                continue
            expected = {_norm(rdtype, _value(r)) for r in records}
            actual = {_norm(rdtype, rdata_text(rd)) for rd in lookup(resolver, name, rdtype)}
            # other TXT records (site verifications) may share a name; only missing ones are drift
            if not (expected <= actual if rdtype == "TXT" else expected == actual):
                drift.append({"type": rdtype, "name": name, "expected": sorted(expected), "actual": sorted(actual)})
        evidence = {"domain": ctx.targets.domain, "nameserver": where(ctx.targets), "records_checked": len(wanted),
                    "proxied_not_compared": proxied}
        if drift:
            names = ", ".join(f"{d['type']} {d['name']}" for d in drift)
            return self.failed(f"{len(drift)} planned record set(s) missing or drifted: {names}",
                               {**evidence, "drift": drift})
        return self.passed(f"all {len(wanted)} planned record sets match", evidence)
