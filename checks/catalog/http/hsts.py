"""HSTS: browsers are told to use HTTPS only, for at least a year in prod."""
from __future__ import annotations

import re

import httpx

from launchready.checks.catalog.tls._base import get
from launchready.checks.framework.base import Check, Severity
from launchready.checks.framework.registry import register

ONE_YEAR = 31_536_000
MAX_AGE = re.compile(r"(?:^|;)\s*max-age\s*=\s*\"?(\d+)\"?", re.IGNORECASE)


@register
class HstsHeader(Check):
    id = "http.hsts.header"
    title = "HSTS header present (max-age >= 1 year in prod)"
    severity = Severity.HIGH
    live = True
    remediation = ("Set `launchready:tls.hstsMaxAge: 31536000` in the stack (Cloudflare HSTS settings, applied by `pulumi up`) "
                   "or send `Strict-Transport-Security: max-age=31536000; includeSubDomains` from the host.")

    def run(self, ctx):
        prod = ctx.config.environment == "prod"
        severity = Severity.HIGH if prod else Severity.MEDIUM
        for hostname in ctx.targets.hostnames:
            try:
                response = get(ctx.targets, hostname, "https")
            except httpx.HTTPError as exc:
                yield self.failed(f"{hostname}: HTTPS on port {ctx.targets.https_port} unreachable: {exc}",
                                  {"hostname": hostname}, severity=severity)
                continue
            header = response.headers.get("strict-transport-security")
            match = MAX_AGE.search(header or "")
            max_age = int(match.group(1)) if match else None
            evidence = {"hostname": hostname, "header": header, "max_age": max_age, "required": ONE_YEAR if prod else None}
            if max_age is None:
                message = f"{hostname}: no Strict-Transport-Security header" if header is None else \
                    f"{hostname}: Strict-Transport-Security has no max-age"
                yield self.failed(message, evidence, severity=severity) if prod else self.warned(message, evidence)
            elif prod and max_age < ONE_YEAR:
                yield self.failed(f"{hostname}: HSTS max-age={max_age}, prod needs >= {ONE_YEAR}", evidence)
            else:
                yield self.passed(f"{hostname}: HSTS max-age={max_age}", evidence)
