"""Stand-ins for the third-party DNS an environment's records point at (SPF includes), so SPF
evaluation in the sandbox ends in real records instead of NXDOMAIN.

Each include gets a record that costs the same number of DNS lookups as the offline estimate in
`infra.dns_records.KNOWN_SPF_LOOKUPS` (nested includes down to documentation-range `ip4:` blocks),
so `email.spf.lookups` sees in the sandbox what it would see on the internet.
"""
from __future__ import annotations

from launchready.config.model import EnvironmentConfig
from launchready.infra.dns_records import KNOWN_SPF_LOOKUPS, DnsRecordSpec

PURPOSE = "sandbox stand-in for a third-party SPF include"


def _registrable(host: str) -> str:
    return ".".join(host.rstrip(".").split(".")[-2:])


def spf_include_zones(config: EnvironmentConfig) -> dict[str, list[DnsRecordSpec]]:
    """Zone origin -> records for every SPF include of the environment."""
    zones: dict[str, list[DnsRecordSpec]] = {}
    for index, host in enumerate(sorted(set(config.email.spf_includes))):
        nested = [f"_nb{n}.{host}" for n in range(1, KNOWN_SPF_LOOKUPS.get(host, 1))]
        records = zones.setdefault(_registrable(host), [])
        mechanisms = " ".join(f"include:{n}" for n in nested) or f"ip4:192.0.2.{index}/32"
        records.append(DnsRecordSpec("TXT", host, f"v=spf1 {mechanisms} ~all", PURPOSE))
        for n, name in enumerate(nested):
            records.append(DnsRecordSpec("TXT", name, f"v=spf1 ip4:198.51.100.{index * 16 + n}/32 ~all", PURPOSE))
    return zones
