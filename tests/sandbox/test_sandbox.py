"""`launchready sandbox up|down|status`: every part really answers; idempotence; clear refusals."""
from __future__ import annotations

import json
import os
import socket
import ssl

import dns.message
import dns.query
import dns.rdatatype
import httpx
import pytest

from launchready.functions.backend.events import STRIPE_API_VERSION, endpoint_events
from launchready.project import Project
from launchready.sandbox import knot, manager
from tests.sandbox.conftest import REPO, cli, state


def _txt(nameserver: str, name: str) -> list[str]:
    host, port = nameserver.split(":")
    answer = dns.query.udp(dns.message.make_query(name, dns.rdatatype.TXT), host, port=int(port), timeout=2)
    return [b"".join(r.strings).decode() for rrset in answer.answer for r in rrset]


def _https(targets: dict, path: str = "/") -> httpx.Response:
    context = ssl.create_default_context(cafile=targets["ca_file"])
    host = targets["hostnames"][0]
    with socket.create_connection(("127.0.0.1", targets["https_port"]), timeout=5) as raw:
        with context.wrap_socket(raw, server_hostname=host) as tls:  # SNI + hostname verification
            tls.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
            data = b""
            while chunk := tls.recv(4096):
                data += chunk
    head = data.split(b"\r\n\r\n", 1)[0].decode()
    status = int(head.split()[1])
    headers = dict(line.split(": ", 1) for line in head.split("\r\n")[1:])
    return httpx.Response(status, headers=headers)


def _deployed_rules_check(*extra: str) -> dict:
    run = cli("check", "--stack", "dev", "--sandbox", "--only", "rules.deployed.match", "--format", "json", *extra)
    [result] = json.loads(run.stdout)["results"]
    return result


def test_up_serves_every_part_then_refuses_twice_and_stops_exactly_its_pids(sandbox_dir, tmp_path):
    up = cli("sandbox", "up", "--stack", "dev")
    assert up.returncode == 0, up.stderr
    for name in ("firestore", "dns", "https", "stripe", "crm", "support", "monitoring", "firebase_rules", "auth",
                 "stripe_webhook", "request_support", "on_user_created"):
        assert f"  {name} " in up.stdout
    first = state(sandbox_dir)
    targets = first["targets"]
    assert oct((sandbox_dir / "state.json").stat().st_mode)[-3:] == "600"

    # DNS: the planned zone and the SPF include stand-ins
    assert any(v.startswith("v=DMARC1; p=none") for v in _txt(targets["nameserver"], "_dmarc.dev.acmenotes.com"))
    assert _txt(targets["nameserver"], "_spf.google.com")[0].startswith("v=spf1 include:")
    # HTTPS with the throwaway CA and HSTS from the config; HTTP redirects
    page = _https(targets)
    assert page.status_code == 200 and "max-age=31536000" in page.headers["Strict-Transport-Security"]
    plain = httpx.get(f"http://127.0.0.1:{targets['http_port']}/x", headers={"Host": "dev.acmenotes.com"})
    assert plain.status_code == 301 and plain.headers["location"].startswith("https://dev.acmenotes.com")
    # the webhook function rejects an unsigned request; Stripe knows the endpoint with the handled events
    assert httpx.post(targets["webhook_url"], content=b"{}").status_code == 400
    endpoints = httpx.get(f"{targets['stripe_api_base']}/v1/webhook_endpoints",
                          headers={"Authorization": f"Bearer {targets['stripe_api_key']}"}).json()["data"]
    assert [(e["url"], e["enabled_events"], e["api_version"]) for e in endpoints] == \
        [(targets["webhook_url"], endpoint_events(STRIPE_API_VERSION), STRIPE_API_VERSION)]
    policies = httpx.get(f"{targets['monitoring_api_base']}/v3/projects/acme-notes-dev/alertPolicies").json()
    assert len(policies["alertPolicies"]) >= 5
    # the Rules API stand-in releases the rules the emulator enforces: the live check reads them back
    rules = (REPO / "firestore.rules").read_text()
    result = _deployed_rules_check()
    assert result["status"] == "pass", result["message"]
    assert result["evidence"]["ruleset"].startswith("projects/acme-notes-dev/rulesets/")
    lines = rules.splitlines()
    changed = next(i for i, line in enumerate(lines) if "allow " in line)
    edited = tmp_path / "edited.rules"
    edited.write_text("\n".join(lines[:changed] + ["      allow read, write: if true;"] + lines[changed + 1:]))
    result = _deployed_rules_check("--rules", str(edited))  # (dev's policy: a fail is reported, not blocking)
    assert result["status"] == "fail" and f"from line {changed + 1}" in result["message"]
    assert result["findings"][0]["line"] == changed + 1 and lines[changed].strip() in result["findings"][0]["message"]

    assert cli("sandbox", "status").returncode == 0
    drained = cli("sandbox", "drain")
    assert drained.returncode == 0 and drained.stdout == "sync tasks: none\n"
    other = cli("check", "--stack", "prod", "--sandbox", "--only", "dns.")
    assert other.returncode == 2 and "the running sandbox replicates stack 'dev', not 'prod'" in other.stderr
    again = cli("sandbox", "up", "--stack", "dev")
    assert again.returncode == 2 and "already running" in again.stderr and len(again.stderr.splitlines()) == 1
    assert state(sandbox_dir)["services"] == first["services"]  # the running sandbox is untouched

    # one part dies: status says which, exit 1
    crm = next(s for s in first["services"] if s["name"] == "crm")
    os.killpg(crm["pid"], 9)
    status = cli("sandbox", "status")
    assert status.returncode == 1 and "crm" in status.stdout and "DOWN: process not running" in status.stdout

    down = cli("sandbox", "down")
    assert down.returncode == 0 and "sandbox stopped" in down.stdout and "crm" not in down.stdout
    assert not any(manager.same_process(manager.Service(**s)) for s in first["services"])
    assert not (sandbox_dir / "state.json").exists()
    twice = cli("sandbox", "down")
    assert twice.returncode == 0 and "no sandbox is running" in twice.stdout
    assert cli("sandbox", "status").returncode == 1


def test_a_fixed_port_in_use_is_refused_before_anything_starts(sandbox_dir):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = cli("sandbox", "up", "--https-port", str(port))
    assert result.returncode == 2
    assert result.stderr.strip() == (f"launchready: https port {port} already in use by another process: "
                                     "choose another port or leave it out to get a free one")
    assert not (sandbox_dir / "state.json").exists() and not (sandbox_dir / "logs").exists()


def test_missing_java_is_one_clear_line(sandbox_dir, tmp_path):
    empty = tmp_path / "bin"
    empty.mkdir()
    result = cli("sandbox", "up", env={"PATH": str(empty)})
    assert result.returncode == 2
    assert result.stderr.startswith("launchready: cannot start the sandbox: Java is not installed")
    assert len(result.stderr.splitlines()) == 1 and not (sandbox_dir / "state.json").exists()


def test_missing_knot_is_refused(sandbox_dir, monkeypatch):
    from launchready.config.model import load_stack
    from launchready.runtime.processes import ServiceError
    from tests.sandbox.conftest import REPO

    monkeypatch.setattr(knot, "knotd_path", lambda: None)
    with pytest.raises(ServiceError, match="knotd not found: install the Debian package `knot`"):
        manager.up(load_stack(REPO / "stacks", "dev"), Project.load(REPO))
    assert not (sandbox_dir / "state.json").exists()


def test_down_never_signals_a_reused_pid(sandbox_dir):
    from launchready.sandbox.state import save_state

    save_state(Project.load(REPO), {"stack": "dev", "services": [{"name": "dns", "pid": os.getpid(), "ports": [1], "detail": "",
                                              "log": "", "start_ticks": 1}]})
    result = cli("sandbox", "down")
    assert result.returncode == 0 and "no sandbox is running" in result.stdout
    assert not (sandbox_dir / "state.json").exists()


def test_a_part_failing_to_start_stops_everything_already_started(sandbox_dir, monkeypatch):
    from launchready.config.model import load_stack
    from launchready.runtime.processes import ServiceError
    from tests.sandbox.conftest import REPO

    started: list[manager.Service] = []
    record = manager.Launch.record

    def spy(self, service):
        started.append(service)
        record(self, service)
        assert (sandbox_dir / "state.json").is_file()  # recorded before anything else can fail

    def broken(launch):
        raise ServiceError("monitoring stand-in failed")

    monkeypatch.setattr(manager.Launch, "record", spy)
    monkeypatch.setattr(manager, "start_monitoring", broken)
    with pytest.raises(ServiceError, match="monitoring stand-in failed"):
        manager.up(load_stack(REPO / "stacks", "dev"), Project.load(REPO))
    assert len(started) >= 8
    assert not any(manager.same_process(s) for s in started)
    assert not (sandbox_dir / "state.json").exists()
