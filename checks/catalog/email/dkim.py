"""DKIM (RFC 6376): each configured selector publishes a key dkimpy can parse, RSA at least 2048-bit."""
from __future__ import annotations

from launchready.checks.catalog.dns._base import DnsCheck, make_resolver, txt_values, where
from launchready.checks.framework.base import Severity
from launchready.checks.framework.registry import register

MIN_RSA_BITS = 2048


@register
class DkimKeys(DnsCheck):
    id = "email.dkim.keys"
    title = "DKIM key records are valid and strong (RSA >= 2048 bits)"
    severity = Severity.HIGH
    remediation = ("Generate a 2048-bit DKIM key in your mail provider's admin console, publish its "
                   "`v=DKIM1; k=rsa; p=...` record at `<selector>._domainkey.<domain>` (`launchready:email.dkim` in the "
                   "stack) and run `pulumi up`.")

    def inspect(self, ctx):
        import dkim  # loads dnspython: only live runs pay for it

        resolver = make_resolver(ctx.targets)
        for key in ctx.config.email.dkim:
            name = f"{key.selector}._domainkey.{ctx.targets.domain}"
            evidence = {"selector": key.selector, "name": name, "nameserver": where(ctx.targets)}
            records = [v for v in txt_values(resolver, name) if "p=" in v]
            if len(records) != 1:
                yield self.failed(f"{name}: {'no' if not records else len(records)} DKIM key record(s), expected one",
                                  {**evidence, "records": len(records)})
                continue
            try:
                _, bits, ktag, _ = dkim.evaluate_pk(name.encode(), records[0])
            except (dkim.DKIMException, ValueError) as exc:  # ValueError: bad base64
                yield self.failed(f"{name}: DKIM key record is not valid: {exc}", evidence)
                continue
            algorithm = ktag.decode() if isinstance(ktag, bytes) else str(ktag)
            evidence.update(algorithm=algorithm, bits=bits)
            if algorithm == "rsa" and (bits or 0) < MIN_RSA_BITS:
                yield self.failed(f"{name}: RSA key is {bits}-bit, below {MIN_RSA_BITS}", evidence)
            else:
                yield self.passed(f"{name}: valid {algorithm} key ({bits} bits)", evidence)
