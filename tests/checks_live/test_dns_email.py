"""dns.* and email.* against Knot: the planned zone passes everything, each damaged zone fails the
check that covers the damage (and only that one)."""
from __future__ import annotations

import pytest

from launchready.checks.framework.base import Status
from launchready.checks.framework.runner import run_checks
from launchready.runtime.processes import free_port
from tests.checks_live.conftest import ZONE, context, dns_context, make_config, run_check, statuses

pytestmark = pytest.mark.live   # talks to running servers (Knot, TLS, stand-ins); `-m 'not live'` skips

DNS_EMAIL_CHECKS = ("dns.records.planned", "dns.caa.issuers", "email.mx.present", "email.spf.valid",
                    "email.spf.lookups", "email.spf.all", "email.dkim.keys", "email.dmarc.valid",
                    "email.dmarc.policy", "email.dmarc.rua")


@pytest.mark.parametrize("domain", [None, "acme.test"])
def test_planned_zone_passes_every_dns_and_email_check(knot, domain):
    ctx = context(make_config(), nameserver=knot.nameserver, domain=domain)
    for check_id in DNS_EMAIL_CHECKS:
        results = run_check(check_id, ctx)
        assert statuses(results) and set(statuses(results)) == {"pass"}, (check_id, [r.message for r in results])


CASES = [
    # domain, the check that must fail, what its message says
    ("spf-two", "email.spf.valid", "multiple SPF"),
    ("spf-bad", "email.spf.valid", "bogus"),
    ("spf-many", "email.spf.lookups", "11 DNS lookups"),
    ("spf-neutral", "email.spf.all", "?all"),
    ("dmarc-missing", "email.dmarc.valid", "does not exist"),
    ("dmarc-invalid", "email.dmarc.valid", "bogus"),
    ("dmarc-none", "email.dmarc.policy", "p=none"),
    ("dmarc-norua", "email.dmarc.rua", "no rua"),
    ("dkim-malformed", "email.dkim.keys", "not valid"),
    ("dkim-1024", "email.dkim.keys", "1024-bit"),
    ("caa-missing", "dns.caa.issuers", "no CAA"),
    ("caa-wrong-ca", "dns.caa.issuers", "letsencrypt.org, pki.goog"),
    ("mx-missing", "email.mx.present", "no MX"),
    ("drift", "dns.records.planned", "A drift.test"),
]


@pytest.mark.parametrize("case,check_id,says", CASES, ids=[c[0] for c in CASES])
def test_damaged_zone_fails_the_matching_check(knot, case, check_id, says):
    results = run_check(check_id, dns_context(knot, f"{case}.test"))
    failed = [r for r in results if r.status is Status.FAIL]
    assert failed, [(r.status, r.message) for r in results]
    assert says in failed[0].message
    assert failed[0].remediation


def test_spf_lookup_overflow_is_not_also_a_syntax_failure(knot):
    ctx = dns_context(knot, "spf-many.test")
    assert statuses(run_check("email.spf.valid", ctx)) == ["pass"]
    assert run_check("email.spf.lookups", ctx)[0].evidence["dns_lookups"] == 11


def test_dmarc_none_is_allowed_in_dev_only(knot):
    assert statuses(run_check("email.dmarc.policy", dns_context(knot, "dmarc-none.test", "dev"))) == ["pass"]
    assert statuses(run_check("email.dmarc.policy", dns_context(knot, "dmarc-none.test", "staging"))) == ["fail"]


def test_drift_lists_expected_and_actual_values(knot):
    result = run_check("dns.records.planned", dns_context(knot, "drift.test"))[0]
    drift = {(d["type"], d["name"]): d for d in result.evidence["drift"]}
    assert set(drift) == {("A", "drift.test"), ("MX", "drift.test")}
    assert drift[("A", "drift.test")]["expected"] == ["199.36.158.100"]
    assert drift[("A", "drift.test")]["actual"] == ["203.0.113.7"]
    assert drift[("MX", "drift.test")]["actual"] == ["5 mx.other-provider.drift.test"]
    assert "CNAME www.drift.test" in result.evidence["proxied_not_compared"]


def test_checks_that_depend_on_a_missing_record_skip_instead_of_piling_on(knot):
    ctx = dns_context(knot, "dmarc-missing.test")
    assert statuses(run_check("email.dmarc.policy", ctx)) == ["skip"]
    assert statuses(run_check("email.dmarc.rua", ctx)) == ["skip"]


def test_unreachable_nameserver_is_a_clear_error_not_a_hang():
    ctx = context(make_config(), nameserver=f"127.0.0.1:{free_port()}", domain=ZONE, only=("dns", "email"))
    report = run_checks(ctx)  # concurrently, as the CLI runs them
    assert {r.check_id for r in report.results} == set(DNS_EMAIL_CHECKS)
    for result in report.results:
        assert result.status is Status.ERROR, (result.check_id, result.message)
        assert "DNS did not answer via 127.0.0.1:" in result.message
