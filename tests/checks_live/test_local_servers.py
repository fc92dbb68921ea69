"""The local servers the live checks are tested against: Knot zone rendering and start-up errors,
the HTTPS server as a process (as the sandbox runs it)."""
from __future__ import annotations

import ssl
import subprocess
import sys

import dns.message
import dns.query
import dns.rcode
import httpx
import pytest

from launchready.infra.dns_records import DnsRecordSpec
from launchready.runtime.processes import ServiceError, free_port, port_open, stop_pid, wait_until
from launchready.sandbox.knot import KnotServer, render_zone

pytestmark = pytest.mark.live   # talks to running servers (Knot, TLS, stand-ins); `-m 'not live'` skips


def test_long_and_quoted_txt_values_are_split_and_escaped():
    value = 'say "hi" \\ ' + "x" * 600
    zone = render_zone("example.test", [DnsRecordSpec("TXT", "a.example.test", value, "test")])
    line = next(line for line in zone.splitlines() if line.startswith("a.example.test."))
    strings = line.split(" IN TXT ", 1)[1]
    assert strings.count('" "') == 2  # 611 bytes -> 255 + 255 + 101
    assert strings.startswith('"say \\"hi\\" \\\\ ')


def test_record_outside_the_zone_is_refused():
    with pytest.raises(ValueError, match="outside zone example.test."):
        render_zone("example.test", [DnsRecordSpec("A", "example.org", "192.0.2.1", "test")])


def test_served_txt_reassembles_to_the_planned_value(knot):
    answer = dns.query.udp(dns.message.make_query("_spf.mailer.test", "TXT"), "127.0.0.1", port=knot.port, timeout=2)
    assert b"".join(answer.answer[0][0].strings) == b"v=spf1 ip4:192.0.2.0/24 -all"


def test_parent_zone_answers_instead_of_refusing(knot):
    answer = dns.query.udp(dns.message.make_query("_dmarc.nowhere.test", "TXT"), "127.0.0.1", port=knot.port,
                           timeout=2)
    assert answer.rcode() == dns.rcode.NXDOMAIN


def test_a_zone_knot_rejects_is_a_clear_error_and_no_process_is_left(tmp_path):
    zones = {"bad.test": [DnsRecordSpec("CNAME", "x.bad.test", "elsewhere.test", "test"),
                          DnsRecordSpec("TXT", "x.bad.test", "conflict", "test")]}
    server = KnotServer(tmp_path, zones)
    with pytest.raises(ServiceError, match="another record exists beside CNAME"):
        server.start()
    assert server.pid is None and not port_open(server.port)


def test_tls_server_runs_as_a_process_for_the_sandbox(tmp_path):
    https_port, http_port, ca_file = free_port(), free_port(), tmp_path / "ca.pem"
    proc = subprocess.Popen([sys.executable, "-m", "launchready.sandbox.tls_server", "--hostname", "app.test", "--ca-file",
                             str(ca_file), "--https-port", str(https_port), "--http-port", str(http_port),
                             "--no-redirect"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        wait_until(lambda: port_open(https_port) and port_open(http_port), timeout=15, proc=proc, what="tls_server")
        context = ssl.create_default_context(cafile=str(ca_file))
        with httpx.Client(verify=context, timeout=3) as client:
            secure = client.get(f"https://127.0.0.1:{https_port}/", headers={"Host": "app.test"},
                                extensions={"sni_hostname": "app.test"})
            plain = client.get(f"http://127.0.0.1:{http_port}/", headers={"Host": "app.test"})
        assert secure.headers["strict-transport-security"].startswith("max-age=31536000")
        assert plain.status_code == 200  # --no-redirect
    finally:
        stop_pid(proc.pid)
