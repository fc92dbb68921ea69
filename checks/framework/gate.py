"""The blocking policy of a gate: which results stop a release.

A result blocks when its severity is in the stack's blocking set and it failed or errored, or, in
strict mode, it was skipped: a gate that could not look has not passed. A waiver (with a reason,
owner and expiry), a baseline entry, or a `launchready:notApplicable` declaration in the stack
accepts a result; an expired waiver accepts nothing.
"""
from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from launchready.checks.framework.base import Result, Severity, Status, Waived
from launchready.checks.framework.baseline import BASELINED, fingerprint
from launchready.checks.framework.registry import matches
from launchready.checks.framework.waivers import Waiver

BLOCKING_STATUSES = (Status.FAIL, Status.ERROR)
WAIVABLE = (Status.FAIL, Status.ERROR, Status.WARN, Status.SKIP)
SKIP_FIX = ("Let the check run (the reason says what it lacks), declare it `launchready:notApplicable` in the stack, "
            "or waive it in launchready.yaml with reason, owner and expiry; --allow-skips lets skips through.")


def running_in_ci() -> bool:
    """CI systems (GitHub Actions, GitLab, CircleCI, Buildkite, ...) set CI=true."""
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def default_strict(environment: str) -> bool:
    return running_in_ci() or environment == "prod"


@dataclass
class GatePolicy:
    blocking_severities: Iterable[str]
    strict: bool = False
    waivers: list[Waiver] = field(default_factory=list)
    baseline: frozenset[str] = frozenset()
    project_root: Path = Path(".")
    today: date = field(default_factory=lambda: datetime.now(UTC).date())
    environment: str = ""
    allow_critical_waivers: bool = False     # --allow-critical-waivers: a critical finding in prod may be accepted
    levers: list = field(default_factory=list)  # trust levers pulled while applying (checks.framework.trust.Lever)

    def blocks(self, result: Result) -> bool:
        if result.waiver is not None or result.severity not in {Severity(s) for s in self.blocking_severities}:
            return False
        if result.cause:  # skipped for a failed input: the check reporting that input blocks, once
            return False
        return result.status in BLOCKING_STATUSES or (self.strict and result.status is Status.SKIP)

    def apply(self, results: list[Result], ran: set[str], known: set[str]) -> list[str]:
        """Attach waivers and baseline entries, mark what blocks; return notices for the reader
        (expired or unmatched waivers). `ran`: ids of the checks that ran; `known`: every check id."""
        notices: list[str] = []
        used: set[Waiver] = set()
        for result in results:
            if result.waiver is None and result.status in WAIVABLE:
                notices += self._accept(result, used)
            result.blocking = self.blocks(result)
        for waiver in self.waivers:
            if waiver.check_id not in known:
                notices.append(f"waiver {waiver.check} names no check (see `launchready checks`)")
            elif waiver not in used and waiver.check_id in ran:
                notices.append(f"waiver {waiver.check} matches no failing result: remove it from launchready.yaml")
        return notices

    def _accept(self, result: Result, used: set[Waiver]) -> list[str]:
        from launchready.checks.framework.trust import Lever
        for waiver in self.waivers:
            if not waiver.matches(result.check_id, result.subject):
                continue
            used.add(waiver)
            if waiver.expired(self.today):
                return [f"waiver {waiver.check} (owner {waiver.owner}) expired on {waiver.expires.isoformat()}: "
                        f"{result.name} counts again"]
            if self.critical_in_prod(result):
                self.levers.append(Lever("waiver", f"{waiver.check} (owner {waiver.owner}): refused, {result.name} is a "
                                                   "critical finding in prod (--allow-critical-waivers not given)"))
                return [f"waiver {waiver.check} not applied: {result.name} is a critical finding in prod, "
                        "waivable only with --allow-critical-waivers"]
            result.waiver = Waived("waiver", waiver.reason, waiver.owner, waiver.expires.isoformat())
            self.levers.append(Lever("waiver", f"{result.name}: {waiver.reason} (owner {waiver.owner}, "
                                               f"expires {waiver.expires.isoformat()})"))
            return []
        if self.baseline and result.status in BASELINED and fingerprint(result, self.project_root) in self.baseline:
            if self.critical_in_prod(result):
                return [f"baseline entry for {result.name} not applied: a critical finding in prod, "
                        "acceptable only with --allow-critical-waivers"]
            result.waiver = Waived("baseline", "recorded in the baseline file")
        return []

    def critical_in_prod(self, result: Result) -> bool:
        """A critical failure in prod (a live key, open rules) is accepted only with the explicit flag."""
        return (self.environment == "prod" and not self.allow_critical_waivers
                and result.severity is Severity.CRITICAL and result.status in BLOCKING_STATUSES)


def not_applicable(check_id: str, declared: Mapping[str, str]) -> str | None:
    """The reason the stack gives for a check (by id prefix on whole segments), or None."""
    return next((reason for prefix, reason in declared.items() if matches(check_id, prefix)), None)
