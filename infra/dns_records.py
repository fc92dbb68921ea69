"""The DNS records one environment needs, derived from its config and nothing else.

One pure function feeds the Cloudflare resources in the Pulumi program, the zone the sandbox serves
with Knot, the live `dns.*`/`email.*` drift checks and the handover docs, so they cannot disagree.
"""
from __future__ import annotations

from dataclasses import dataclass

from launchready.config.model import EnvironmentConfig

FIREBASE_HOSTING_IPV4 = "199.36.158.100"  # Firebase Hosting's anycast address for apex custom domains

# DNS lookups each well-known SPF include costs (itself plus nested include/a/mx), as published by the
# providers; an include not listed here counts as 1 and is flagged as unverified offline.
KNOWN_SPF_LOOKUPS: dict[str, int] = {
    "_spf.google.com": 4,
    "sendgrid.net": 1,
    "mailgun.org": 3,
    "spf.protection.outlook.com": 1,
    "amazonses.com": 1,
    "spf.mtasv.net": 1,
    "servers.mcsv.net": 1,
    "_spf.intercom.io": 1,
    "mail.zendesk.com": 1,
    "_spf.hubspotemail.net": 2,
}
SPF_LOOKUP_LIMIT = 10


@dataclass(frozen=True)
class DnsRecordSpec:
    """One record as Cloudflare and a zone file both understand it. `name` is fully qualified."""

    type: str
    name: str
    content: str
    purpose: str
    priority: int | None = None
    proxied: bool = False
    ttl: int = 300

    @property
    def role(self) -> str | None:
        """`spf`/`dmarc`/`dkim`/`hosting-verify` for a record that must be the only one of its kind at
        its name, else None (MX, CAA: several values share a name)."""
        return single_valued_role(self.type, self.content)

    @property
    def key(self) -> str:
        """Stable, collision-free resource suffix. A single-valued record is named by its role, e.g.
        `txt-spf-dev-acmenotes-com`, so a new value updates it in place: named by content, a change
        created the new record before deleting the old one and the domain briefly published two SPF
        (a permerror) or two DMARC records. Multi-valued records keep a content digest."""
        name = self.name.replace(".", "-")
        if self.role:
            return f"{self.type.lower()}-{self.role}-{name}"
        return self.legacy_key

    @property
    def named_by_content(self) -> bool:
        """A change to this record's value is a create + delete (its name carries a content digest), so
        it must not be `protect`ed: the delete of the old value would fail (MX, CAA, other TXT)."""
        return self.role is None and self.type in ("TXT", "CAA", "MX")

    @property
    def legacy_key(self) -> str:
        """The content-hash name every TXT/CAA/MX record had before role names (kept as an alias)."""
        digest = abs(hash_content(self.content)) % 10_000 if self.type in ("TXT", "CAA", "MX") else None
        base = f"{self.type.lower()}-{self.name.replace('.', '-')}"
        return f"{base}-{digest:04d}" if digest is not None else base


# TXT content prefix -> role of records that must be unique at their name.
SINGLE_VALUED_TXT: dict[str, str] = {
    "v=spf1": "spf", "v=DMARC1": "dmarc", "v=DKIM1": "dkim", "hosting-site=": "hosting-verify",
}


def single_valued_role(record_type: str, content: str) -> str | None:
    if record_type != "TXT":
        return None
    text = content.strip('"')
    return next((role for prefix, role in SINGLE_VALUED_TXT.items() if text.startswith(prefix)), None)


def hash_content(content: str) -> int:
    """Deterministic (unlike hash()) small hash so resource names are stable across runs."""
    value = 0
    for char in content:
        value = (value * 31 + ord(char)) % 1_000_003
    return value


def hosting_site_id(config: EnvironmentConfig) -> str:
    """The default Firebase Hosting site of a project is named after the project id."""
    return config.gcp.project_id


def api_site_id(config: EnvironmentConfig) -> str:
    """The API hostname's own Hosting site: the program owns its release (the webhook rewrite, no
    files), so a rewrite change never replaces the web app's release with an empty one."""
    return f"{config.gcp.project_id}-api"


def site_for(config: EnvironmentConfig, host: str) -> str:
    return api_site_id(config) if host == config.domain.api_host and host != config.domain.app_host \
        else hosting_site_id(config)


def spf_value(config: EnvironmentConfig) -> str:
    terms = [*config.email.spf_mechanisms, *(f"include:{host}" for host in config.email.spf_includes)]
    return f"v=spf1 {' '.join(terms)} {config.email.spf_all}"


def spf_lookup_estimate(includes: list[str]) -> tuple[int, list[str]]:
    """(estimated DNS lookups, includes whose nested cost is unknown offline)."""
    unknown = [i for i in includes if i not in KNOWN_SPF_LOOKUPS]
    return sum(KNOWN_SPF_LOOKUPS.get(i, 1) for i in includes), unknown


def dmarc_value(config: EnvironmentConfig) -> str:
    return f"v=DMARC1; p={config.email.dmarc_policy}; rua={config.email.dmarc_rua}; pct=100; fo=1"


def _hosting(config: EnvironmentConfig, host: str, zone: str) -> list[DnsRecordSpec]:
    """An A record (Firebase's quick setup, apex or not) beside the ownership TXT: a CNAME could not
    share its name with the TXT (RFC 1034 3.6.2; Cloudflare and Knot both reject it)."""
    site = site_for(config, host)
    where = "apex" if host == zone else "subdomain"
    target = DnsRecordSpec("A", host, FIREBASE_HOSTING_IPV4, f"Firebase Hosting ({where}) for this hostname")
    verify = DnsRecordSpec("TXT", host, f"hosting-site={site}", "Firebase Hosting domain ownership verification")
    return [target, verify]


def desired_records(config: EnvironmentConfig) -> list[DnsRecordSpec]:
    """Every record the environment owns, sorted (type, name, content)."""
    d, email = config.domain, config.email
    records: list[DnsRecordSpec] = []
    records += _hosting(config, d.app_host, d.zone)
    records += _hosting(config, d.api_host, d.zone)
    if d.www_redirect:
        records.append(DnsRecordSpec("CNAME", f"www.{d.zone}", d.zone,
                                     "www -> apex redirect (proxied so the Cloudflare redirect rule runs)",
                                     proxied=True))
    for mx in email.mx:
        records.append(DnsRecordSpec("MX", d.mail_domain, mx.host, f"inbound mail ({email.provider})",
                                     priority=mx.priority))
    records.append(DnsRecordSpec("TXT", d.mail_domain, spf_value(config),
                                 "SPF: which servers may send mail for the domain"))
    for key in email.dkim:
        records.append(DnsRecordSpec(key.type, f"{key.selector}._domainkey.{d.mail_domain}", key.value,
                                     f"DKIM public key, selector `{key.selector}` ({email.provider})"))
    records.append(DnsRecordSpec("TXT", f"_dmarc.{d.mail_domain}", dmarc_value(config),
                                 "DMARC: policy for mail failing SPF/DKIM alignment, reports to rua"))
    for issuer in config.caa_issuers:
        records.append(DnsRecordSpec("CAA", d.app_host, f'0 issue "{issuer}"',
                                     "CAA: certificate authorities allowed to issue for these hostnames"))
    return sorted(records, key=lambda r: (r.type, r.name, r.content))
