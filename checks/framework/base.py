"""What a check is and what it returns (modelled on checkov's BaseCheck).

A check is a few declarative class attributes plus `run()`; the base class builds the results so a
check body only says what it found.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any, ClassVar

from launchready.severity import Severity

if TYPE_CHECKING:
    from launchready.checks.framework.context import CheckContext

__all__ = ["Check", "Finding", "Result", "Severity", "Status"]


class Status(str, Enum):
    PASS = "pass"
    FAIL = "fail"
    WARN = "warn"
    SKIP = "skip"
    ERROR = "error"


@dataclass(frozen=True)
class Finding:
    """A place in a file; `line` is 1-based, None when the whole file is meant."""

    path: str
    line: int | None
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "line": self.line, "message": self.message}


@dataclass
class Result:
    check_id: str
    title: str
    severity: Severity
    status: Status
    message: str
    evidence: dict[str, Any] = field(default_factory=dict)
    remediation: str = ""
    findings: list[Finding] = field(default_factory=list)
    live: bool = False
    blocking: bool = False
    duration_s: float = 0.0
    subject: str = ""                       # what this result is about (hostname, stack, ...); "" = the check
    waiver: Waived | None = None          # set by the gate policy when a waiver or baseline accepts it
    location: Finding | None = None         # fallback place (stack file, config key) when no findings
    cause: str = ""                         # skipped because this check's input failed (it reports the cause)

    @property
    def name(self) -> str:
        """`id` or `id:subject`: what waivers match and what JUnit names a testcase."""
        return f"{self.check_id}:{self.subject}" if self.subject else self.check_id

    @property
    def places(self) -> list[Finding]:
        """Where to point a reader: the findings, else the fallback location, else nothing."""
        return self.findings or ([self.location] if self.location else [])

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.check_id, "title": self.title, "severity": self.severity.value,
            "status": self.status.value, "blocking": self.blocking, "live": self.live,
            "message": self.message, "evidence": self.evidence, "remediation": self.remediation,
            "findings": [f.to_dict() for f in self.findings], "duration_s": round(self.duration_s, 4),
            "subject": self.subject, "waived": self.waiver.to_dict() if self.waiver else None,
            "location": self.location.to_dict() if self.location else None,
            **({"cause": self.cause} if self.cause else {}),
        }


@dataclass(frozen=True)
class Waived:
    """Why a non-passing result does not block: a waiver (reason, owner, expiry), a baseline entry,
    or a prerequisite the stack declares not applicable."""

    kind: str            # "waiver" | "baseline" | "not-applicable"
    reason: str
    owner: str = ""
    expires: str = ""    # ISO date, "" when it never expires

    def describe(self) -> str:
        extra = ", ".join(filter(None, [self.owner and f"owner {self.owner}", self.expires and f"expires {self.expires}"]))
        return f"{self.kind}: {self.reason}" + (f" ({extra})" if extra else "")

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "reason": self.reason, "owner": self.owner, "expires": self.expires}


class Check:
    """Subclass, set the class attributes, implement `run`, decorate with `@register`.

    `run` returns (or yields) results made with `self.passed/failed/warned/skipped`. Return several
    results when a check covers several subjects (one per hostname, one per stack, ...).
    """

    id: ClassVar[str]
    title: ClassVar[str]
    severity: ClassVar[Severity]
    live: ClassVar[bool] = False
    remediation: ClassVar[str] = ""
    # The stack config key that drives the check (without the `launchready:` prefix): where SARIF and
    # JUnit point when a result has no file of its own. "" = take it from the check's area.
    config_key: ClassVar[str] = ""
    # Modules the check imports lazily (to keep offline start-up fast). The runner imports them once,
    # in one thread, before the pool starts: concurrent first imports of one package can deadlock.
    preload: ClassVar[tuple[str, ...]] = ()
    # Architecture features the check judges (launchready.config.architecture.FEATURES): when the app
    # does not use one, the runner reports the check not applicable with the reason instead of running it.
    applies_to: ClassVar[tuple[str, ...]] = ()
    # Inputs the check reads (launchready.checks.framework.inputs.INPUTS): when one cannot be had, the
    # runner skips the check "because ..." and the input's own check reports the root cause once.
    needs: ClassVar[tuple[str, ...]] = ()
    # Needs no stack (only the repository, app and rules files): `launchready scan` runs it too.
    stackless: ClassVar[bool] = False

    def run(self, ctx: CheckContext) -> Result | Iterable[Result]:
        raise NotImplementedError

    def _result(self, status: Status, message: str, evidence: dict[str, Any] | None,
                remediation: str | None, findings: Iterable[Finding] | None,
                severity: Severity | None) -> Result:
        return Result(
            check_id=self.id, title=self.title, severity=severity or self.severity, status=status,
            message=message, evidence=dict(evidence or {}),
            remediation=self.remediation if remediation is None else remediation,
            findings=list(findings or []), live=self.live,
        )

    def passed(self, message: str, evidence: dict[str, Any] | None = None) -> Result:
        return self._result(Status.PASS, message, evidence, "", None, None)

    def failed(self, message: str, evidence: dict[str, Any] | None = None, *, remediation: str | None = None,
               findings: Iterable[Finding] | None = None, severity: Severity | None = None) -> Result:
        return self._result(Status.FAIL, message, evidence, remediation, findings, severity)

    def warned(self, message: str, evidence: dict[str, Any] | None = None, *, remediation: str | None = None,
               findings: Iterable[Finding] | None = None) -> Result:
        return self._result(Status.WARN, message, evidence, remediation, findings, None)

    def skipped(self, reason: str) -> Result:
        return self._result(Status.SKIP, reason, None, "", None, None)

    def errored(self, message: str, evidence: dict[str, Any] | None = None) -> Result:
        return self._result(Status.ERROR, message, evidence, None, None, None)
