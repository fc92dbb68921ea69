"""A local HTTPS server (plus a plain-HTTP one that redirects to it) with throwaway-CA certificates.

Stands in for Firebase Hosting/Cloudflare in the live `tls.*`/`http.*` checks: one site per
hostname, picked by SNI for the certificate and by the Host header for the response, each
configurable (days left or expired, a certificate for the wrong name, HSTS max-age or none, HTTP
redirect or not). The CA's PEM is written to `ca_file` for `--ca-file`.
Threaded in-process (`TlsServer(...).start()`), or as a process: `python -m sandbox.tls_server ...`.
"""
from __future__ import annotations

import argparse
import ssl
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import trustme

from launchready.runtime.processes import free_port

ONE_YEAR = 31_536_000


@dataclass(frozen=True)
class Site:
    """How one hostname is served. `days_left` < 0 means an expired certificate."""

    hostname: str
    days_left: float = 365
    cert_hostname: str | None = None       # issue the certificate for this name instead (a mismatch)
    hsts_max_age: int | None = ONE_YEAR    # None: no Strict-Transport-Security header
    redirect: bool = True                  # plain HTTP answers 301 to HTTPS; False: 200 over HTTP


def _site_context(ca: trustme.CA, site: Site, legacy_tls: bool) -> ssl.SSLContext:
    now = datetime.now(UTC)
    not_after = now + timedelta(days=site.days_left)
    not_before = min(now - timedelta(days=1), not_after - timedelta(days=90))
    cert = ca.issue_cert(site.cert_hostname or site.hostname, not_before=not_before, not_after=not_after)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    if legacy_tls:  # only to test that the checks notice a server still accepting TLS 1.0/1.1
        context.set_ciphers("DEFAULT:@SECLEVEL=0")
        context.minimum_version = ssl.TLSVersion.TLSv1
    else:
        context.minimum_version = ssl.TLSVersion.TLSv1_2
    cert.configure_cert(context)
    return context


class _Handler(BaseHTTPRequestHandler):
    server: _SiteServer
    timeout = 5

    def log_message(self, *args) -> None:  # stand-ins log nothing per request
        pass

    def _site(self) -> Site | None:
        host = (self.headers.get("Host") or "").rsplit(":", 1)[0].lower()
        return self.server.sites.get(host) or next(iter(self.server.sites.values()), None)

    def do_GET(self) -> None:  # noqa: N802 - http.server naming
        site = self._site()
        if not self.server.tls and site is not None and site.redirect:
            port = self.server.https_port
            where = site.hostname if port == 443 else f"{site.hostname}:{port}"
            self.send_response(301)
            self.send_header("Location", f"https://{where}{self.path}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = b"ok\n"
        self.send_response(200)
        if self.server.tls and site is not None and site.hsts_max_age is not None:
            self.send_header("Strict-Transport-Security", f"max-age={site.hsts_max_age}; includeSubDomains")
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_HEAD = do_GET


class _SiteServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, port: int, sites: dict[str, Site], https_port: int,
                 tls: ssl.SSLContext | None = None):
        self.sites, self.https_port, self.tls = sites, https_port, tls
        super().__init__(("127.0.0.1", port), _Handler)

    def get_request(self):
        sock, addr = super().get_request()
        if self.tls is None:
            return sock, addr
        # the handshake happens on first read, in the request's own thread: a stalled client
        # cannot block the accept loop
        return self.tls.wrap_socket(sock, server_side=True, do_handshake_on_connect=False), addr

    def handle_error(self, request, client_address) -> None:  # failed handshakes are expected
        pass


class TlsServer:
    """HTTPS on `https_port` and plain HTTP on `http_port` (free ports by default) for `sites`."""

    def __init__(self, sites: Sequence[Site], ca_file: Path, *, https_port: int = 0, http_port: int = 0,
                 legacy_tls: bool = False):
        if not sites:
            raise ValueError("TlsServer needs at least one site")
        self.sites = {s.hostname.lower(): s for s in sites}
        self.ca_file = Path(ca_file)
        self.https_port, self.http_port = https_port, http_port
        self.legacy_tls = legacy_tls
        self._servers: list[_SiteServer] = []

    def _tls_context(self) -> ssl.SSLContext:
        ca = trustme.CA()
        self.ca_file.parent.mkdir(parents=True, exist_ok=True)
        ca.cert_pem.write_to_path(str(self.ca_file))
        contexts = {name: _site_context(ca, site, self.legacy_tls) for name, site in self.sites.items()}
        default = next(iter(contexts.values()))

        def pick(sock: ssl.SSLObject, server_name: str | None, _ctx: ssl.SSLContext) -> None:
            chosen = contexts.get((server_name or "").lower())
            if chosen is not None:
                sock.context = chosen
        default.sni_callback = pick
        return default

    def build(self) -> list[_SiteServer]:
        self.https_port = self.https_port or free_port()
        self.http_port = self.http_port or free_port()
        tls = self._tls_context()
        self._servers = [_SiteServer(self.https_port, self.sites, self.https_port, tls),
                         _SiteServer(self.http_port, self.sites, self.https_port)]
        return self._servers

    def start(self) -> TlsServer:
        for server in self.build():
            threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True,
                             name=f"TlsServer:{server.server_address[1]}").start()
        return self

    def stop(self) -> None:
        for server in self._servers:
            server.shutdown()
            server.server_close()
        self._servers = []

    def serve_forever(self) -> None:
        """Foreground mode for `python -m` (the sandbox runs it as its own process)."""
        https, http = self.build()
        threading.Thread(target=http.serve_forever, daemon=True).start()
        https.serve_forever()

    def __enter__(self) -> TlsServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve hostnames over HTTPS with a throwaway CA.")
    parser.add_argument("--hostname", action="append", required=True, help="Serve this name (repeatable).")
    parser.add_argument("--ca-file", type=Path, required=True, help="Write the CA certificate (PEM) here.")
    parser.add_argument("--https-port", type=int, default=0)
    parser.add_argument("--http-port", type=int, default=0)
    parser.add_argument("--days-left", type=float, default=365, help="Certificate lifetime left (<0: expired).")
    parser.add_argument("--hsts-max-age", type=int, default=ONE_YEAR)
    parser.add_argument("--no-hsts", action="store_true", help="Send no Strict-Transport-Security header.")
    parser.add_argument("--no-redirect", action="store_true", help="Serve plain HTTP instead of redirecting.")
    args = parser.parse_args(argv)
    sites = [Site(h, days_left=args.days_left, hsts_max_age=None if args.no_hsts else args.hsts_max_age,
                  redirect=not args.no_redirect) for h in args.hostname]
    TlsServer(sites, args.ca_file, https_port=args.https_port, http_port=args.http_port).serve_forever()


if __name__ == "__main__":
    main()
