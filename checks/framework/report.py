"""The one report model every output format renders."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from launchready.checks.framework.base import Result, Status

SCHEMA_VERSION = 1


@dataclass
class Report:
    stack: str
    started_at: datetime
    duration_s: float
    results: list[Result]
    blocking_severities: list[str] = field(default_factory=list)

    @property
    def blocking(self) -> list[Result]:
        return [r for r in self.results if r.blocking]

    @property
    def ready(self) -> bool:
        return not self.blocking

    @property
    def exit_code(self) -> int:
        return 0 if self.ready else 1

    def summary(self) -> dict[str, int]:
        counts = {s.value: 0 for s in Status}
        for result in self.results:
            counts[result.status.value] += 1
        counts["blocking"] = len(self.blocking)
        return counts

    def ordered(self) -> list[Result]:
        """Failures first: blocking, then by status and severity, then id (stable)."""
        order = {Status.ERROR: 1, Status.FAIL: 0, Status.WARN: 2, Status.SKIP: 3, Status.PASS: 4}
        return sorted(self.results, key=lambda r: (not r.blocking, order[r.status], r.severity.rank, r.check_id))

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "stack": self.stack,
            "started_at": self.started_at.isoformat(timespec="seconds"),
            "duration_s": round(self.duration_s, 3),
            "ready": self.ready,
            "blocking_severities": self.blocking_severities,
            "summary": self.summary(),
            "results": [r.to_dict() for r in self.results],
        }
