"""Secrets committed to this repository (honouring .gitignore and `.launchreadyignore`).

When the Flutter app lives inside the repository (often at its root), a secret the app scan already
reports (same file, same line) is left to `secrets.app.scan`: one secret, one finding.
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from launchready.checks.catalog.secrets import SecretScanCheck
from launchready.checks.framework import Severity, register
from launchready.secrets import ScanResult, scan_tree
from launchready.flutter.app_scan import app_scan
from launchready.checks.catalog.secrets.app import AppSecretsScan


@register
class RepoSecretsScan(SecretScanCheck):
    id = "secrets.repo.scan"
    title = "No secret keys or tokens committed to the repository"
    severity = Severity.CRITICAL

    def run(self, ctx):
        scan = scan_tree(ctx.repo_root)
        scan, merged = without_app_hits(scan, ctx)
        result = self.report(scan, None, f"the repository ({ctx.repo_root})")
        if merged:
            result.evidence["reported_by_secrets_app_scan"] = merged
            result.message += f" ({merged} more in the app, reported by secrets.app.scan)"
        return result


def without_app_hits(scan: ScanResult, ctx) -> tuple[ScanResult, int]:
    """The repository scan minus the hits the app scan reports at the same place, and how many."""
    app_dir = ctx.app_dir
    if app_dir is None or not app_dir.is_dir() or not _app_scan_runs(ctx):
        return scan, 0
    app_root = Path(app_dir).resolve()
    in_app = {(app_root / hit.path, hit.line) for hit in app_scan(ctx).secrets.hits}
    root = Path(ctx.repo_root).resolve()
    kept = [hit for hit in scan.hits if (root / hit.path, hit.line) not in in_app]
    return replace(scan, hits=kept), len(scan.hits) - len(kept)


def _app_scan_runs(ctx) -> bool:
    """secrets.app.scan is part of this run (--only/--skip), so the hits it covers are reported there."""
    from launchready.checks.framework.registry import matches
    only, skip = ctx.options.only, ctx.options.skip
    return (not only or any(matches(AppSecretsScan.id, p) for p in only)) and \
        not any(matches(AppSecretsScan.id, p) for p in skip)
