"""The certificate each app hostname presents: trusted, for that name, and not about to expire."""
from __future__ import annotations

import ssl

from launchready.checks.catalog.tls._base import (
    days_left,
    handshake,
    hostname_context,
    inspect_context,
    trust_context,
    unreachable,
)
from launchready.checks.framework.base import Check, Severity
from launchready.checks.framework.registry import register

HOSTNAME_MISMATCH = 62  # X509_V_ERR_HOSTNAME_MISMATCH
FAIL_UNDER_DAYS, WARN_UNDER_DAYS = 14, 30


@register
class CertificateTrusted(Check):
    id = "tls.certificate.trusted"
    title = "Certificate chain is valid and trusted"
    severity = Severity.CRITICAL
    live = True
    remediation = ("Serve a certificate from a public CA with its full chain: on Firebase Hosting re-run the custom "
                   "domain setup (it provisions one once DNS points at it); on Cloudflare use SSL mode `strict` "
                   "with a valid origin certificate.")

    def run(self, ctx):
        context = trust_context(ctx.targets)
        context.check_hostname = False  # the name is tls.certificate.hostname's concern
        for hostname in ctx.targets.hostnames:
            try:
                shake = handshake(ctx.targets, hostname, context)
            except ssl.SSLCertVerificationError as exc:
                yield self.failed(f"{hostname}: certificate not trusted: {exc.verify_message}",
                                  {"hostname": hostname, "verify_code": exc.verify_code})
            except (ssl.SSLError, OSError) as exc:
                yield self.failed(unreachable(hostname, ctx.targets, exc), {"hostname": hostname})
            else:
                cert = shake.certificate
                yield self.passed(f"{hostname}: trusted certificate from {cert.issuer.rfc4514_string()}",
                                  {"hostname": hostname, "issuer": cert.issuer.rfc4514_string(),
                                   "subject": cert.subject.rfc4514_string()})


@register
class CertificateHostname(Check):
    id = "tls.certificate.hostname"
    title = "Certificate is valid for the hostname"
    severity = Severity.HIGH
    live = True
    remediation = ("Add the hostname to the certificate (Firebase Hosting: connect this exact domain to the site; "
                   "Cloudflare: make sure the edge certificate covers it).")

    def run(self, ctx):
        for hostname in ctx.targets.hostnames:
            evidence = {"hostname": hostname}
            try:
                leaf = handshake(ctx.targets, hostname, inspect_context())
                evidence["names"] = _names(leaf.certificate)
                handshake(ctx.targets, hostname, hostname_context(ctx.targets, leaf.der))
            except ssl.SSLCertVerificationError as exc:
                if exc.verify_code == HOSTNAME_MISMATCH:
                    yield self.failed(f"{hostname}: certificate is for {', '.join(evidence['names']) or 'no names'}",
                                      evidence)
                else:  # OpenSSL checks the name before dates: a later error means the name matched
                    yield self.passed(f"{hostname}: certificate names the host", evidence)
            except (ssl.SSLError, OSError) as exc:
                yield self.failed(unreachable(hostname, ctx.targets, exc), evidence)
            else:
                yield self.passed(f"{hostname}: certificate names the host", evidence)


@register
class CertificateExpiry(Check):
    id = "tls.certificate.expiry"
    title = f"Certificate has at least {FAIL_UNDER_DAYS} days left (warn under {WARN_UNDER_DAYS})"
    severity = Severity.HIGH
    live = True
    remediation = ("Renew the certificate now; managed certificates (Firebase Hosting, Cloudflare) renew by "
                   "themselves unless DNS or CAA blocks the CA's validation, so check dns.caa.issuers and that the "
                   "hostname still points at the host.")

    def run(self, ctx):
        for hostname in ctx.targets.hostnames:
            try:
                cert = handshake(ctx.targets, hostname, inspect_context()).certificate
            except (ssl.SSLError, OSError) as exc:
                yield self.failed(unreachable(hostname, ctx.targets, exc), {"hostname": hostname})
                continue
            left = days_left(cert)
            evidence = {"hostname": hostname, "not_after": cert.not_valid_after_utc.isoformat(),
                        "days_left": round(left, 1)}
            if left < 0:
                yield self.failed(f"{hostname}: certificate expired {-left:.0f} day(s) ago", evidence,
                                  severity=Severity.CRITICAL)
            elif left < FAIL_UNDER_DAYS:
                yield self.failed(f"{hostname}: certificate expires in {left:.0f} day(s)", evidence)
            elif left < WARN_UNDER_DAYS:
                yield self.warned(f"{hostname}: certificate expires in {left:.0f} day(s)", evidence)
            else:
                yield self.passed(f"{hostname}: certificate valid for {left:.0f} more days", evidence)


def _names(cert) -> list[str]:
    from cryptography import x509

    try:
        return cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value.get_values_for_type(x509.DNSName)
    except x509.ExtensionNotFound:
        return []
