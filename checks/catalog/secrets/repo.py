"""Secrets committed to this repository (honouring .gitignore and `.launchreadyignore`).

A file inside a Flutter app the same run scans is reported once: by `secrets.app.scan`, which also says
whether the secret ships inside the app. Here only the rest of the repository is reported.
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from launchready.checks.catalog.secrets import SecretScanCheck
from launchready.checks.framework import Severity, register
from launchready.flutter.app_scan import app_scan
from launchready.secrets import ScanResult, scan_tree


@register
class RepoSecretsScan(SecretScanCheck):
    id = "secrets.repo.scan"
    title = "No secret keys or tokens committed to the repository"
    severity = Severity.CRITICAL

    def run(self, ctx):
        scan, merged = without_app_hits(scan_tree(ctx.repo_root), ctx)
        result = self.report(scan, None, f"the repository ({ctx.repo_root})")
        if merged:
            result.evidence["reported_by_secrets_app_scan"] = merged
        return result


def without_app_hits(scan: ScanResult, ctx) -> tuple[ScanResult, int]:
    """`scan` minus the hits (same file, same line) the run's app scans report; and how many those were."""
    root = Path(ctx.repo_root).resolve()
    covered = {((app.root / hit.path).resolve(), hit.line)
               for app in (app_scan(c) for c in ctx.app_contexts) for hit in app.secrets.hits}
    if not covered:
        return scan, 0
    kept = [hit for hit in scan.hits if ((root / hit.path).resolve(), hit.line) not in covered]
    return replace(scan, hits=kept), len(scan.hits) - len(kept)
