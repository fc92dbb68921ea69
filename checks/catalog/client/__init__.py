"""client.*: what the Flutter code does that only the backend may do."""
from __future__ import annotations

from typing import ClassVar

from launchready.checks.catalog.client.dart import DartFile, dart_files
from launchready.checks.catalog.secrets import app_dir_unusable
from launchready.checks.framework import Finding
from launchready.checks.framework.base import Check


class ClientCodeCheck(Check):
    """One result over all shipped Dart files: pass, or fail with a finding per offending line."""

    what: ClassVar[str]  # what a finding is, plural-able: "direct CRM/support API call(s)"

    def findings_in(self, dart: DartFile) -> list[Finding]:
        raise NotImplementedError

    def run(self, ctx):
        unusable = app_dir_unusable(self, ctx, "the Flutter code was not read")
        if unusable:
            return unusable
        findings, scanned = [], 0
        for dart in dart_files(ctx.app_dir):
            scanned += 1
            findings.extend(self.findings_in(dart))
        evidence = {"dart_files_scanned": scanned}
        if not findings:
            return self.passed(f"no {self.what} in {scanned} Dart file(s)", evidence)
        files = len({f.path for f in findings})
        return self.failed(f"{len(findings)} {self.what} in {files} Dart file(s)", evidence, findings=findings)
