"""client.*: what the Flutter code does that only the backend may do."""
from __future__ import annotations

from checks.framework import Finding
from checks.framework.base import Check


class ClientCodeCheck(Check):
    """One result per check over all shipped Dart files: pass, or fail with a finding per line."""

    def report(self, findings: list[Finding], scanned: int, what: str):
        evidence = {"dart_files_scanned": scanned}
        if not findings:
            return self.passed(f"no {what} in {scanned} Dart file(s)", evidence)
        files = len({f.path for f in findings})
        return self.failed(f"{len(findings)} {what} in {files} Dart file(s)", evidence, findings=findings)
