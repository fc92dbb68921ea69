"""tls.* and http.* against local HTTPS/HTTP servers with a throwaway CA, one site per case."""
from __future__ import annotations

import pytest

from launchready.checks.framework.base import Severity, Status
from launchready.checks.framework.runner import run_checks
from launchready.runtime.processes import free_port
from tests.checks_live.conftest import context, make_config, run_check, statuses, tls_context

pytestmark = pytest.mark.live   # talks to running servers (Knot, TLS, stand-ins); `-m 'not live'` skips

TLS_HTTP_CHECKS = ("tls.certificate.trusted", "tls.certificate.hostname", "tls.certificate.expiry",
                   "tls.protocol.version", "http.redirect.https", "http.hsts.header")


def test_valid_site_passes_every_tls_and_http_check(tls_server):
    ctx = tls_context(tls_server, "valid.test")
    for check_id in TLS_HTTP_CHECKS:
        assert statuses(run_check(check_id, ctx)) == ["pass"], check_id


def test_one_result_per_app_hostname(tls_server):
    ctx = context(make_config(), https_port=tls_server.https_port, http_port=tls_server.http_port,
                  ca_file=tls_server.ca_file, connect_host="127.0.0.1")
    results = run_check("tls.certificate.trusted", ctx)
    assert [r.evidence["hostname"] for r in results] == ["acme.test", "www.acme.test"]
    assert statuses(results) == ["pass", "pass"]


def test_without_the_ca_file_the_chain_is_not_trusted(tls_server):
    ctx = tls_context(tls_server, "valid.test")
    ctx = ctx.with_options(ca_file=None)
    result = run_check("tls.certificate.trusted", ctx)[0]
    assert result.status is Status.FAIL and "not trusted" in result.message


CASES = [
    ("expired.test", "tls.certificate.trusted", "fail", "expired"),
    ("expired.test", "tls.certificate.expiry", "fail", "expired"),
    ("soon.test", "tls.certificate.expiry", "fail", "expires in"),
    ("renew.test", "tls.certificate.expiry", "warn", "expires in"),
    ("wrong-name.test", "tls.certificate.hostname", "fail", "someone-else.test"),
    ("no-redirect.test", "http.redirect.https", "fail", "without redirecting"),
    ("no-hsts.test", "http.hsts.header", "fail", "no Strict-Transport-Security"),
    ("short-hsts.test", "http.hsts.header", "fail", "max-age=86400"),
]


@pytest.mark.parametrize("hostname,check_id,status,says", CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_broken_site_fails_the_matching_check(tls_server, hostname, check_id, status, says):
    result = run_check(check_id, tls_context(tls_server, hostname))[0]
    assert result.status.value == status, result.message
    assert says in result.message and result.remediation


def test_expired_certificate_is_critical_and_other_checks_still_judge_their_part(tls_server):
    ctx = tls_context(tls_server, "expired.test")
    assert run_check("tls.certificate.expiry", ctx)[0].severity is Severity.CRITICAL
    assert statuses(run_check("tls.certificate.hostname", ctx)) == ["pass"]
    assert statuses(run_check("tls.protocol.version", ctx)) == ["pass"]


def test_wrong_name_is_only_a_hostname_finding(tls_server):
    ctx = tls_context(tls_server, "wrong-name.test")
    assert statuses(run_check("tls.certificate.hostname", ctx)) == ["fail"]
    assert statuses(run_check("tls.certificate.expiry", ctx)) == ["pass"]


def test_hsts_rules_depend_on_the_environment(tls_server):
    assert statuses(run_check("http.hsts.header", tls_context(tls_server, "short-hsts.test", "staging"))) == ["pass"]
    dev = run_check("http.hsts.header", tls_context(tls_server, "no-hsts.test", "dev"))[0]
    assert dev.status is Status.WARN


def test_legacy_tls_is_reported(legacy_tls_server):
    result = run_check("tls.protocol.version", tls_context(legacy_tls_server, "legacy.test"))[0]
    assert result.status is Status.FAIL, result.message
    assert "still accepts TLSv1" in result.message


def test_unreachable_host_fails_every_check_clearly():
    closed = free_port()
    config = make_config("valid.test", www=False)
    ctx = context(config, https_port=closed, http_port=closed, connect_host="127.0.0.1",
                  only=("tls", "http"))
    report = run_checks(ctx)
    assert {r.check_id for r in report.results} == set(TLS_HTTP_CHECKS)
    for result in report.results:
        assert result.status is Status.FAIL, (result.check_id, result.message)
        assert "unreachable" in result.message or "cannot connect" in result.message
