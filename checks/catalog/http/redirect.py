"""Plain HTTP on every app hostname redirects to HTTPS on the same hostname."""
from __future__ import annotations

import re

import httpx

from launchready.checks.catalog.tls._base import get
from launchready.checks.framework.base import Check, Severity
from launchready.checks.framework.registry import register

PERMANENT = (301, 308)


@register
class HttpRedirectsToHttps(Check):
    id = "http.redirect.https"
    title = "HTTP redirects to HTTPS"
    severity = Severity.HIGH
    live = True
    remediation = ("Turn on `launchready:tls.alwaysUseHttps` in the stack (Cloudflare \"Always Use HTTPS\") and run "
                   "`pulumi up`; Firebase Hosting redirects by itself once the domain is connected.")

    def run(self, ctx):
        for hostname in ctx.targets.hostnames:
            try:
                response = get(ctx.targets, hostname, "http")
            except httpx.HTTPError as exc:
                yield self.failed(f"{hostname}: HTTP on port {ctx.targets.http_port} unreachable: {exc}",
                                  {"hostname": hostname})
                continue
            location = response.headers.get("location", "")
            evidence = {"hostname": hostname, "status": response.status_code, "location": location}
            to_https = re.match(rf"https://{re.escape(hostname)}(?=[:/]|$)", location, re.IGNORECASE)
            if not response.is_redirect or not to_https:
                yield self.failed(f"{hostname}: HTTP answers {response.status_code} "
                                  f"{'-> ' + location if location else 'without redirecting to HTTPS'}", evidence)
            elif response.status_code not in PERMANENT:
                yield self.warned(f"{hostname}: HTTP redirects to HTTPS with a temporary {response.status_code}",
                                  evidence, remediation="Use a permanent redirect (301 or 308).")
            else:
                yield self.passed(f"{hostname}: HTTP {response.status_code} -> {location}", evidence)
