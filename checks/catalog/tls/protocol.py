"""Protocol versions: TLS 1.2 or newer is negotiated, TLS 1.0/1.1 are refused."""
from __future__ import annotations

import ssl

from launchready.checks.catalog.tls._base import handshake, inspect_context, legacy_context, unreachable
from launchready.checks.framework.base import Check, Severity
from launchready.checks.framework.registry import register

MODERN = ("TLSv1.2", "TLSv1.3")


@register
class ModernTlsOnly(Check):
    id = "tls.protocol.version"
    title = "TLS 1.2+ negotiated and TLS 1.0/1.1 refused"
    severity = Severity.HIGH
    live = True
    remediation = ("Set the minimum TLS version to 1.2 (`launchready:tls.minTlsVersion: \"1.2\"` in the stack, applied to the "
                   "Cloudflare zone by `pulumi up`); TLS 1.0/1.1 are deprecated (RFC 8996).")

    def run(self, ctx):
        legacy = legacy_context()
        for hostname in ctx.targets.hostnames:
            try:
                version = handshake(ctx.targets, hostname, inspect_context()).version
            except (ssl.SSLError, OSError) as exc:
                yield self.failed(unreachable(hostname, ctx.targets, exc), {"hostname": hostname})
                continue
            evidence = {"hostname": hostname, "negotiated": version,
                        "legacy_probe": "not possible with this OpenSSL" if legacy is None else "refused"}
            if version not in MODERN:
                yield self.failed(f"{hostname}: negotiated {version}", evidence)
                continue
            if legacy is not None:
                try:
                    old = handshake(ctx.targets, hostname, legacy).version
                except (ssl.SSLError, OSError):
                    pass
                else:
                    evidence["legacy_probe"] = f"accepted {old}"
                    yield self.failed(f"{hostname}: still accepts {old}", evidence)
                    continue
            yield self.passed(f"{hostname}: negotiated {version}; TLS 1.0/1.1 refused", evidence)
