"""SPF (RFC 7208) for the mail domain, parsed and counted by checkdmarc."""
from __future__ import annotations

from launchready.checks.catalog.dns._base import DnsCheck, checkdmarc_options, where
from launchready.checks.framework.base import Severity
from launchready.checks.framework.registry import register
from launchready.infra.dns_records import SPF_LOOKUP_LIMIT

REMEDIATION = ("Publish exactly one TXT record starting `v=spf1` at the mail domain, listing your senders as "
               "`include:` mechanisms and ending in `-all` (or `~all`); set `launchready:email.spfIncludes`/`launchready:email.spfAll` in "
               "the stack and run `pulumi up`.")


def _spf(ctx) -> dict:
    from checkdmarc.spf import check_spf  # a quarter second to import: only live runs pay it

    return check_spf(ctx.targets.domain, **checkdmarc_options(ctx.targets, ctx.targets.domain))


def _too_many_lookups(result: dict) -> bool:
    return (result.get("dns_lookups") or 0) > SPF_LOOKUP_LIMIT


def _evidence(ctx, result: dict) -> dict:
    return {"domain": ctx.targets.domain, "nameserver": where(ctx.targets), "record": result.get("record"),
            "dns_lookups": result.get("dns_lookups"), "error": result.get("error"),
            "warnings": result.get("warnings", [])}


@register
class SpfValid(DnsCheck):
    id = "email.spf.valid"
    title = "One valid SPF record is published"
    severity = Severity.HIGH
    remediation = REMEDIATION

    def inspect(self, ctx):
        result = _spf(ctx)
        evidence = _evidence(ctx, result)
        if result["valid"] or _too_many_lookups(result):  # the lookup count is email.spf.lookups' finding
            return self.passed(f"{ctx.targets.domain}: one valid SPF record", evidence)
        return self.failed(f"{ctx.targets.domain}: {result.get('error') or 'SPF record is not valid'}", evidence)


@register
class SpfLookups(DnsCheck):
    id = "email.spf.lookups"
    title = f"SPF needs at most {SPF_LOOKUP_LIMIT} DNS lookups"
    severity = Severity.HIGH
    remediation = ("Receivers treat an SPF record needing more than 10 DNS lookups as a permanent error and mail "
                   "fails SPF. Remove unused `include:`s, replace `a`/`mx` with `ip4:`/`ip6:`, or ask a provider "
                   "for a flatter include.")

    def inspect(self, ctx):
        result = _spf(ctx)
        evidence = _evidence(ctx, result)
        lookups = result.get("dns_lookups")
        if lookups is None:
            return self.skipped(f"{ctx.targets.domain}: no parsable SPF record to count (see email.spf.valid)")
        if lookups > SPF_LOOKUP_LIMIT:
            return self.failed(f"{ctx.targets.domain}: SPF needs {lookups} DNS lookups (limit {SPF_LOOKUP_LIMIT})",
                               evidence)
        return self.passed(f"{ctx.targets.domain}: SPF needs {lookups} DNS lookup(s)", evidence)


@register
class SpfEndsWithAll(DnsCheck):
    id = "email.spf.all"
    title = "SPF ends in -all or ~all"
    severity = Severity.MEDIUM
    remediation = ("End the SPF record with `-all` (reject others) or `~all` (soft-fail others); `?all`, `+all` or "
                   "no `all` lets anyone send as your domain.")

    def inspect(self, ctx):
        result = _spf(ctx)
        parsed = result.get("parsed")
        if not parsed:
            return self.skipped(f"{ctx.targets.domain}: no parsable SPF record (see email.spf.valid)")
        action = parsed.get("all")
        evidence = {**_evidence(ctx, result), "all": action}
        if action in ("fail", "softfail"):
            return self.passed(f"{ctx.targets.domain}: SPF ends in {'-all' if action == 'fail' else '~all'}", evidence)
        shown = {"neutral": "?all", "pass": "+all"}.get(action or "", "no `all`")
        return self.failed(f"{ctx.targets.domain}: SPF ends in {shown}", evidence)
