"""DNS lookups for the live `dns.*` and `email.*` checks: one resolver per check, with timeouts.

With `--nameserver` every query goes there and nowhere else (no system resolver); without it the
system resolver answers. Names are re-based onto `--domain` so a plan for `acmenotes.com` can be
checked against a zone served elsewhere under another name.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from launchready.checks.framework.base import Check, Result
from launchready.infra.dns_records import DnsRecordSpec, desired_records

if TYPE_CHECKING:
    import dns.rdata
    import dns.resolver

    from launchready.checks.framework.context import CheckContext, LiveTargets

QUERY_TIMEOUT_S = 1.0     # per UDP attempt
LIFETIME_S = 3.0          # per lookup, all attempts included


class DnsUnreachable(RuntimeError):
    """No nameserver answered in time: the check cannot decide, which is an error, not a pass."""


class DnsCheck(Check):
    """A live check that resolves names: `inspect` does the work; a nameserver that does not answer
    becomes one clear `error` result instead of a crash or a misleading `fail`."""

    live = True
    preload = ("dns.resolver", "dns.rdata", "dns.rdatatype", "dns.exception", "dns.nameserver",
               "checkdmarc.spf", "checkdmarc.dmarc", "checkdmarc.utils", "dkim")

    def inspect(self, ctx: CheckContext) -> Result | Iterable[Result]:
        raise NotImplementedError

    def run(self, ctx: CheckContext) -> Result | list[Result]:
        results: list[Result] = []
        try:
            produced = self.inspect(ctx)
            if isinstance(produced, Result):
                return produced
            results.extend(produced)
        except DnsUnreachable as exc:
            results.append(self.errored(f"DNS did not answer via {where(ctx.targets)}: {exc}",
                                        {"nameserver": where(ctx.targets)}))
        return results


def make_resolver(targets: LiveTargets) -> dns.resolver.Resolver:
    import dns.nameserver  # dnspython loads in ~0.1 s: offline runs never need it
    import dns.resolver

    if targets.nameserver:
        resolver = dns.resolver.Resolver(configure=False)
        host, port = targets.nameserver
        resolver.nameservers = [dns.nameserver.Do53Nameserver(host, port)]
    else:
        try:
            resolver = dns.resolver.Resolver()
        except dns.resolver.NoResolverConfiguration:
            raise DnsUnreachable("no system resolver is configured; pass --nameserver HOST:PORT") from None
    resolver.timeout, resolver.lifetime = QUERY_TIMEOUT_S, LIFETIME_S
    resolver.cache = None
    return resolver


def where(targets: LiveTargets) -> str:
    host_port = targets.nameserver
    return f"{host_port[0]}:{host_port[1]}" if host_port else "the system resolver"


def lookup(resolver: dns.resolver.Resolver, name: str, rdtype: str) -> list[Any]:
    """The records of `rdtype` at `name`; [] when the name or type does not exist. (Any: dnspython's
    rdata classes carry the fields of their own type — `strings`, `exchange`, `tag`.)"""
    import dns.exception
    import dns.resolver

    try:
        return list(resolver.resolve(name, rdtype, raise_on_no_answer=False).rrset or [])
    except dns.resolver.NXDOMAIN:
        return []
    except (dns.exception.Timeout, dns.resolver.NoNameservers, OSError) as exc:
        raise DnsUnreachable(f"no answer for {rdtype} {name}: {exc}") from None


def txt_values(resolver: dns.resolver.Resolver, name: str) -> list[str]:
    """Each TXT record as one string (its character-strings joined, RFC 7208 3.3)."""
    return [b"".join(r.strings).decode("utf-8", "replace") for r in lookup(resolver, name, "TXT")]


def rdata_text(record: Any) -> str:
    """A record's value as `DnsRecordSpec.content` holds it (MX: `priority host`)."""
    import dns.rdatatype

    if record.rdtype == dns.rdatatype.TXT:
        return b"".join(record.strings).decode("utf-8", "replace")
    if record.rdtype == dns.rdatatype.MX:
        return f"{record.preference} {record.exchange.to_text().rstrip('.')}"
    if record.rdtype == dns.rdatatype.CAA:
        return f'{record.flags} {record.tag.decode()} "{record.value.decode()}"'
    return record.to_text().rstrip(".")


def checkdmarc_options(targets: LiveTargets, domain: str) -> dict:
    """Keyword arguments for checkdmarc: our resolver and timeout, no extra retries (the resolver
    retries within its lifetime); its cache emptied so a run never reports what an earlier run saw.
    Raises DnsUnreachable first when the nameserver does not answer at all, so that shows as an
    error of the check rather than as a record problem."""
    from checkdmarc import utils

    resolver = make_resolver(targets)
    lookup(resolver, domain, "SOA")
    utils.DNS_CACHE.clear()
    return {"resolver": resolver, "timeout": LIFETIME_S, "retries": 0}


# ---------------------------------------------------------------- planned names on the target domain

def _rebaser(ctx: CheckContext):
    """A function mapping names/values from the config's zone onto the target domain (identity when
    the target is the config's own mail domain)."""
    d = ctx.config.domain
    target = ctx.targets.domain.lower().rstrip(".")
    if target == d.mail_domain:
        return lambda text: text
    prefix = d.mail_domain[: -len(d.zone)] if d.mail_domain.endswith(d.zone) else ""
    new_zone = target[len(prefix):] if prefix and target.startswith(prefix) else target
    pattern = re.compile(rf"(?<![A-Za-z0-9-]){re.escape(d.zone)}(?![A-Za-z0-9-])", re.IGNORECASE)
    return lambda text: pattern.sub(new_zone, text)


def planned_records(ctx: CheckContext) -> list[DnsRecordSpec]:
    """The records the plan wants, named for the target domain."""
    rebase = _rebaser(ctx)
    return [replace(r, name=rebase(r.name), content=rebase(r.content)) for r in desired_records(ctx.config)]


def target_hostnames(ctx: CheckContext) -> list[str]:
    """The app hostnames, named for the target domain."""
    rebase = _rebaser(ctx)
    return [rebase(h) for h in ctx.targets.hostnames]
