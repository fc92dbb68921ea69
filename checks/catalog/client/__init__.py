"""client.*: what the Flutter code does that only the backend may do.

Every client check reads the run's one app scan (`checks.secrets.app_scan`): files are read once, and
a Dart file is tokenised once, only if one of the checks' trigger words occurs in it.
"""
from __future__ import annotations

from typing import ClassVar

from launchready.checks.catalog.secrets import app_dir_unusable
from launchready.checks.framework import Finding
from launchready.checks.framework.base import Check
from launchready.flutter.app_scan import AppScan, DartSource, app_scan


class ClientCodeCheck(Check):
    """One result over the shipped Dart files: pass, or fail with a finding per offending line."""

    stackless = True

    what: ClassVar[str]  # what a finding is, plural-able: "direct CRM/support API call(s)"
    trigger: ClassVar[tuple[str, ...]]   # literal words: a file with none of them cannot hold a finding
    requires: ClassVar[tuple[tuple[str, ...], ...]] = ()   # further word groups such a file must hold
    needs = ("app",)

    def findings_in(self, dart: DartSource, app: AppScan) -> list[Finding]:
        raise NotImplementedError

    def prepare(self, ctx, app: AppScan) -> dict:
        """Project facts a check needs beyond one file (read once per run); returned as evidence."""
        return {}

    def run(self, ctx):
        unusable = app_dir_unusable(self, ctx, "the Flutter code was not read")
        if unusable:
            return unusable
        app = app_scan(ctx)
        self.not_raised: list[str] = []   # "path:line: why" of what looked like a finding but is by design
        evidence = {"dart_files_scanned": len(app.dart), **self.prepare(ctx, app)}
        findings = [finding for dart in app.dart_with(self.trigger, *self.requires) for finding in self.findings_in(dart, app)]
        if self.not_raised:
            evidence["not_raised"] = self.not_raised
        if not findings:
            return self.passed(f"no {self.what} in {len(app.dart)} Dart file(s)", evidence)
        files = len({f.path for f in findings})
        return self.failed(f"{len(findings)} {self.what} in {files} Dart file(s)", evidence, findings=findings)
