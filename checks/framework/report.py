"""The one report model every output format renders."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

from launchready.checks.framework.base import Check, Result, Status

SCHEMA_VERSION = 2


@lru_cache(maxsize=1)
def tool_version() -> str:
    from importlib.metadata import PackageNotFoundError, version
    try:
        return version("launchready")
    except PackageNotFoundError:
        return "0+unknown"


@dataclass
class Report:
    stack: str
    started_at: datetime
    duration_s: float
    results: list[Result]
    blocking_severities: list[str] = field(default_factory=list)
    strict: bool = False
    notices: list[str] = field(default_factory=list)   # expired/unmatched waivers, unused declarations
    project_root: str = "."
    checks: dict[str, type[Check]] = field(default_factory=dict, repr=False)  # id -> class, for rule docs
    levers: list[Any] = field(default_factory=list)  # trust levers pulled (checks.framework.trust.Lever): shown first
    stack_file: str = ""   # the checked stack file (where results without an existing file of their own point)

    @property
    def blocking(self) -> list[Result]:
        return [r for r in self.results if r.blocking]

    @property
    def ready(self) -> bool:
        return not self.blocking

    @property
    def exit_code(self) -> int:
        return 0 if self.ready else 1

    @property
    def waived(self) -> list[Result]:
        return [r for r in self.results if r.waiver is not None]

    def summary(self) -> dict[str, int]:
        counts = {s.value: 0 for s in Status}
        for result in self.results:
            counts[result.status.value] += 1
        counts["blocking"] = len(self.blocking)
        counts["blocking_skips"] = len(self.blocking_skips())
        counts["waived"] = len(self.waived)
        return counts

    def blocking_skips(self) -> list[Result]:
        return [r for r in self.blocking if r.status is Status.SKIP]

    def allowed_skips(self) -> list[Result]:
        """Skips at a blocking severity that did not block (--allow-skips): said out loud."""
        return [r for r in self.results if r.status is Status.SKIP and not r.blocking and r.waiver is None
                and not r.cause and r.severity.value in self.blocking_severities]

    @staticmethod
    def reasons(results: list[Result]) -> str:
        """Why checks were skipped, most frequent first: "no --app-dir given: ... ×3; ..."."""
        return "; ".join(f"{reason}{f' ×{n}' if n > 1 else ''}"
                         for reason, n in Counter(r.message for r in results).most_common())

    def summary_line(self) -> str:
        """Counts, plus how many blocking checks were skipped and why (the gate did not look)."""
        s = self.summary()
        parts = [f"pass {s['pass']}", f"fail {s['fail']}", f"warn {s['warn']}", f"skip {s['skip']}",
                 f"error {s['error']}"]
        if s["waived"]:
            parts.append(f"waived {s['waived']}")
        line = " · ".join(parts) + f" · {self.duration_s:.1f}s"
        mode = "strict: skips block" if self.strict else "--allow-skips: skips do not block"
        line += f" (blocking severities: {', '.join(self.blocking_severities) or 'none'}; {mode})"
        if s["blocking_skips"]:
            line += f"\n{s['blocking_skips']} blocking check(s) skipped: {self.reasons(self.blocking_skips())}"
        allowed = self.allowed_skips()
        if allowed:
            line += (f"\n{len(allowed)} check(s) at a blocking severity skipped and allowed by --allow-skips "
                     f"(the gate did not look): {self.reasons(allowed)}")
        return line

    def ordered(self) -> list[Result]:
        """Failures first: blocking, then by status and severity, then id (stable)."""
        order = {Status.ERROR: 1, Status.FAIL: 0, Status.WARN: 2, Status.SKIP: 3, Status.PASS: 4}
        return sorted(self.results, key=lambda r: (not r.blocking, r.waiver is not None, order[r.status],
                                                   r.severity.rank, r.check_id))

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "tool": {"name": "launchready", "version": tool_version()},
            "stack": self.stack,
            "started_at": self.started_at.isoformat(timespec="seconds"),
            "duration_s": round(self.duration_s, 3),
            "ready": self.ready,
            "strict": self.strict,
            "blocking_severities": self.blocking_severities,
            "summary": self.summary(),
            "notices": self.notices,
            "trust_levers": [lever.to_dict() for lever in self.levers],
            "results": [r.to_dict() for r in self.results],
        }
