"""The check framework: registration rules, selection, error isolation, blocking policy."""
from __future__ import annotations

from pathlib import Path

import pytest

from launchready.checks.framework import Check, CheckContext, CheckOptions, Finding, Severity, Status
from launchready.checks.framework.registry import CheckRegistry
from launchready.checks.framework.runner import run_checks
from launchready.config.model import load_stack

STACKS = Path(__file__).resolve().parents[2] / "stacks"


def make_registry() -> CheckRegistry:
    reg = CheckRegistry()

    @reg.register
    class Good(Check):
        id = "demo.alpha.good"
        title = "Always fine"
        severity = Severity.HIGH

        def run(self, ctx):
            return self.passed("fine", {"stack": ctx.stack})

    @reg.register
    class Crashes(Check):
        id = "demo.alpha.crash"
        title = "Raises"
        severity = Severity.HIGH

        def run(self, ctx):
            raise RuntimeError("boom")

    @reg.register
    class HighFail(Check):
        id = "demo.beta.high"
        title = "High failure"
        severity = Severity.HIGH
        remediation = "Fix the beta thing."

        def run(self, ctx):
            return [self.failed("first", findings=[Finding("a.txt", 3, "here")]), self.passed("second")]

    @reg.register
    class CriticalFail(Check):
        id = "demo.beta.critical"
        title = "Critical failure"
        severity = Severity.CRITICAL

        def run(self, ctx):
            yield self.failed("bad")

    @reg.register
    class Live(Check):
        id = "demo.gamma.live"
        title = "Needs the network"
        severity = Severity.MEDIUM
        live = True

        def run(self, ctx):
            return self.warned("slow")

    @reg.register
    class Empty(Check):
        id = "demo.gamma.empty"
        title = "Returns nothing"
        severity = Severity.LOW

        def run(self, ctx):
            return []

    return reg


def context(stack: str = "dev", **options) -> CheckContext:
    return CheckContext(CheckOptions(stack=stack, stacks_dir=STACKS, **options))


def by_id(report):
    out = {}
    for r in report.results:
        out.setdefault(r.check_id, []).append(r)
    return out


def test_a_crashing_check_becomes_one_error_result_and_the_run_goes_on() -> None:
    report = run_checks(context(), registry=make_registry())
    results = by_id(report)
    [crash] = results["demo.alpha.crash"]
    assert crash.status is Status.ERROR
    assert "RuntimeError: boom" in crash.message
    assert results["demo.alpha.good"][0].status is Status.PASS
    assert results["demo.alpha.good"][0].evidence == {"stack": "dev"}
    assert results["demo.gamma.empty"][0].status is Status.ERROR


def test_results_carry_remediation_and_findings() -> None:
    report = run_checks(context(), registry=make_registry())
    first, second = by_id(report)["demo.beta.high"]
    assert first.status is Status.FAIL and first.remediation == "Fix the beta thing."
    assert first.findings == [Finding("a.txt", 3, "here")]
    assert second.status is Status.PASS and second.remediation == ""


@pytest.mark.parametrize("only,skip,offline,expected", [
    ((), (), False, {"demo.alpha.good", "demo.alpha.crash", "demo.beta.high", "demo.beta.critical",
                     "demo.gamma.live", "demo.gamma.empty"}),
    (("demo.beta",), (), False, {"demo.beta.high", "demo.beta.critical"}),
    (("demo.alpha.good", "demo.gamma"), (), False, {"demo.alpha.good", "demo.gamma.live", "demo.gamma.empty"}),
    ((), ("demo.alpha", "demo.beta.critical"), False, {"demo.beta.high", "demo.gamma.live", "demo.gamma.empty"}),
    (("demo.gamma",), (), True, {"demo.gamma.empty"}),
    (("demo.bet",), (), False, set()),
])
def test_selection_by_id_prefix_and_offline(only, skip, offline, expected) -> None:
    selected = make_registry().select(only=only, skip=skip, offline=offline)
    assert {c.id for c in selected} == expected


def test_dev_blocks_only_critical() -> None:
    report = run_checks(context("dev"), registry=make_registry())
    assert {r.check_id for r in report.blocking} == {"demo.beta.critical"}
    assert report.exit_code == 1


def test_prod_blocks_critical_and_high_including_errors() -> None:
    report = run_checks(context("prod"), registry=make_registry())
    assert {r.check_id for r in report.blocking} == {"demo.beta.critical", "demo.beta.high", "demo.alpha.crash"}
    assert all(r.status is not Status.WARN for r in report.blocking)


def test_policy_override_from_config() -> None:
    config = load_stack(STACKS, "dev").model_copy(update={"blocking_severities": ["medium"]})
    ctx = CheckContext(CheckOptions(stack="dev", stacks_dir=STACKS), config=config)
    report = run_checks(ctx, registry=make_registry())
    assert report.blocking == []  # the only medium check warns, warnings never block
    assert report.exit_code == 0


def test_summary_counts_every_result() -> None:
    report = run_checks(context("prod"), registry=make_registry())
    summary = report.summary()
    assert summary == {"pass": 2, "fail": 2, "warn": 1, "skip": 0, "error": 2, "blocking": 3,
                       "blocking_skips": 0, "waived": 0}


def test_registration_rules() -> None:
    reg = CheckRegistry()
    with pytest.raises(ValueError, match="area.topic.rule"):
        @reg.register
        class BadId(Check):
            id = "nodots"
            title = "x"
            severity = Severity.LOW
    with pytest.raises(ValueError, match="title and a Severity"):
        @reg.register
        class NoSeverity(Check):
            id = "a.b.c"
            title = "x"
            severity = "high"

    @reg.register
    class First(Check):
        id = "a.b.c"
        title = "x"
        severity = Severity.LOW

    with pytest.raises(ValueError, match="duplicate check id a.b.c"):
        @reg.register
        class Second(Check):
            id = "a.b.c"
            title = "y"
            severity = Severity.LOW


def test_secrets_in_results_are_redacted() -> None:
    reg = CheckRegistry()
    secret = "sk_" + "live_" + "51HxYzAbCdEfGhIjKlMnOp"

    @reg.register
    class Leaky(Check):
        id = "demo.leak.value"
        title = "Leaks"
        severity = Severity.LOW

        def run(self, ctx):
            raise ValueError(f"bad key {secret}")

    @reg.register
    class LeakyEvidence(Check):
        id = "demo.leak.evidence"
        title = "Leaks evidence"
        severity = Severity.LOW

        def run(self, ctx):
            return self.failed(f"found {secret}", {"key": secret, "nested": [secret]},
                               findings=[Finding("x", 1, secret)])

    report = run_checks(context(), registry=reg)
    assert secret not in repr([r.to_dict() for r in report.results])
    assert "[redacted]" in report.results[0].message


def test_live_checks_lazy_imports_are_loaded_serially_before_the_pool_from_a_cold_interpreter():
    """Threads first-importing checkdmarc at once raised _DeadlockError in the demo: the runner
    imports every selected check's `preload` in one thread first."""
    import subprocess
    import sys

    code = ("import sys\n"
            "from launchready.checks.framework.registry import registry\n"
            "from launchready.checks.framework.runner import _preload\n"
            "registry.load_catalog()\n"
            "assert 'checkdmarc' not in sys.modules, 'offline start-up must not load checkdmarc'\n"
            "_preload(registry.select(only=['email', 'dns']))\n"
            "missing = [m for m in ('checkdmarc.spf', 'checkdmarc.dmarc', 'dkim', 'dns.resolver') if m not in sys.modules]\n"
            "assert not missing, missing\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
