"""TLS handshakes with the app's hostnames, for the `tls.*` and `http.*` checks.

Connect to `--connect-host` (else the hostname itself) on the HTTPS port and send the hostname as
SNI, as a browser would. Trust is the system store plus `--ca-file`.
"""
from __future__ import annotations

import socket
import ssl
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from cryptography import x509

if TYPE_CHECKING:
    from launchready.checks.framework.context import LiveTargets

TIMEOUT_S = 3.0


@dataclass(frozen=True)
class Handshake:
    version: str
    certificate: x509.Certificate | None
    der: bytes | None


def address(targets: LiveTargets, hostname: str) -> tuple[str, int]:
    return targets.connect_host or hostname, targets.https_port


def trust_context(targets: LiveTargets) -> ssl.SSLContext:
    """Verifying client context: system CAs plus `--ca-file`."""
    context = ssl.create_default_context()
    if targets.ca_file:
        context.load_verify_locations(cafile=str(targets.ca_file))
    return context


def inspect_context() -> ssl.SSLContext:
    """Non-verifying context, to read what the server presents even when it would not be trusted."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def legacy_context() -> ssl.SSLContext | None:
    """A client offering only TLS 1.0/1.1 (None when the local OpenSSL cannot)."""
    context = inspect_context()
    try:
        context.set_ciphers("DEFAULT:@SECLEVEL=0")
        context.minimum_version = ssl.TLSVersion.TLSv1
        context.maximum_version = ssl.TLSVersion.TLSv1_1
    except (ssl.SSLError, ValueError):
        return None
    return context


def handshake(targets: LiveTargets, hostname: str, context: ssl.SSLContext) -> Handshake:
    """One handshake; raises ssl.SSLError (incl. verification errors) or OSError."""
    with socket.create_connection(address(targets, hostname), timeout=TIMEOUT_S) as raw:
        with context.wrap_socket(raw, server_hostname=hostname) as tls:
            der = tls.getpeercert(binary_form=True)
            cert = x509.load_der_x509_certificate(der) if der else None
            return Handshake(tls.version() or "unknown", cert, der)


def hostname_context(targets: LiveTargets, leaf_der: bytes) -> ssl.SSLContext:
    """Verifies the name only: the leaf itself is trusted (partial chain), so an untrusted chain
    cannot hide a name mismatch (OpenSSL checks the name before validity dates)."""
    context = trust_context(targets)
    context.load_verify_locations(cadata=leaf_der)
    context.verify_flags |= ssl.VERIFY_X509_PARTIAL_CHAIN
    return context


def days_left(cert: x509.Certificate) -> float:
    return (cert.not_valid_after_utc - datetime.now(UTC)).total_seconds() / 86400


def unreachable(hostname: str, targets: LiveTargets, exc: Exception) -> str:
    host, port = address(targets, hostname)
    return f"{hostname}: cannot connect to {host}:{port}: {exc}"


def get(targets: LiveTargets, hostname: str, scheme: str):
    """GET / on `hostname` over `scheme`, not following redirects; the certificate is not verified
    here (tls.certificate.* judge it) so a header can be read even behind a bad certificate."""
    import httpx

    host = targets.connect_host or hostname
    port = targets.https_port if scheme == "https" else targets.http_port
    with httpx.Client(verify=inspect_context(), timeout=TIMEOUT_S, follow_redirects=False, trust_env=False) as client:
        return client.get(f"{scheme}://{host}:{port}/", headers={"Host": hostname},
                          extensions={"sni_hostname": hostname} if scheme == "https" else None)
