"""DMARC (RFC 7489) for the mail domain: present, valid, enforcing in prod/staging, reporting."""
from __future__ import annotations

from launchready.checks.catalog.dns._base import DnsCheck, checkdmarc_options, where
from launchready.checks.framework.base import Severity
from launchready.checks.framework.registry import register

ENFORCING = ("quarantine", "reject")


def _dmarc(ctx) -> tuple[dict, dict]:
    from checkdmarc.dmarc import check_dmarc  # a quarter second to import: only live runs pay it

    result = check_dmarc(ctx.targets.domain, **checkdmarc_options(ctx.targets, ctx.targets.domain))
    evidence = {"domain": ctx.targets.domain, "nameserver": where(ctx.targets), "record": result.get("record"),
                "location": result.get("location"), "error": result.get("error"),
                "warnings": result.get("warnings", [])}
    return result, evidence


def _tag(result: dict, name: str):
    return (result.get("tags") or {}).get(name, {}).get("value")


@register
class DmarcValid(DnsCheck):
    id = "email.dmarc.valid"
    title = "A valid DMARC record is published"
    severity = Severity.HIGH
    remediation = ("Publish one TXT record at `_dmarc.<domain>` such as `v=DMARC1; p=quarantine; "
                   "rua=mailto:dmarc@<domain>` (set `launchready:email.dmarcPolicy`/`launchready:email.dmarcRua` and run `pulumi up`).")

    def inspect(self, ctx):
        result, evidence = _dmarc(ctx)
        if result["valid"]:
            return self.passed(f"{ctx.targets.domain}: valid DMARC record at {result['location']}", evidence)
        return self.failed(f"{ctx.targets.domain}: {result.get('error') or 'DMARC record is not valid'}", evidence)


class _ValidDmarcCheck(DnsCheck):
    """Judges one aspect of a valid record; with no valid record it skips (email.dmarc.valid fails)."""

    def judge(self, ctx, result: dict, evidence: dict):
        raise NotImplementedError

    def inspect(self, ctx):
        result, evidence = _dmarc(ctx)
        if not result["valid"]:
            return self.skipped(f"{ctx.targets.domain}: no valid DMARC record (see email.dmarc.valid)")
        return self.judge(ctx, result, evidence)


@register
class DmarcPolicy(_ValidDmarcCheck):
    id = "email.dmarc.policy"
    title = "DMARC policy fits the environment (prod and staging enforce)"
    severity = Severity.HIGH
    remediation = ("Set `launchready:email.dmarcPolicy: quarantine` (or `reject` once reports show all your mail passes) in "
                   "the prod and staging stacks and run `pulumi up`; `p=none` only monitors, spoofed mail is "
                   "still delivered.")

    def judge(self, ctx, result, evidence):
        policy = _tag(result, "p")
        evidence["policy"] = policy
        env = ctx.config.environment
        if policy in ENFORCING or env == "dev":
            return self.passed(f"{ctx.targets.domain}: DMARC p={policy} ({env})", evidence)
        return self.failed(f"{ctx.targets.domain}: DMARC p={policy} does not enforce in {env}", evidence)


@register
class DmarcReports(_ValidDmarcCheck):
    id = "email.dmarc.rua"
    title = "DMARC aggregate reports (rua) are sent somewhere"
    severity = Severity.MEDIUM
    remediation = ("Add `rua=mailto:<mailbox you read>` to the DMARC record (`launchready:email.dmarcRua` in the stack): "
                   "without reports nobody sees spoofing or a misconfigured sender.")

    def judge(self, ctx, result, evidence):
        rua = [f"{u['scheme']}:{u['address']}" for u in _tag(result, "rua") or []]
        evidence["rua"] = rua
        if not rua:
            return self.failed(f"{ctx.targets.domain}: DMARC record has no rua", evidence)
        return self.passed(f"{ctx.targets.domain}: DMARC reports go to {', '.join(rua)}", evidence)
