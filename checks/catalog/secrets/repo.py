"""Secrets committed to this repository (honouring .gitignore and `.launchreadyignore`)."""
from __future__ import annotations

from launchready.checks.catalog.secrets import SecretScanCheck
from launchready.checks.framework import Severity, register
from launchready.secrets import scan_tree


@register
class RepoSecretsScan(SecretScanCheck):
    id = "secrets.repo.scan"
    title = "No secret keys or tokens committed to the repository"
    severity = Severity.CRITICAL

    def run(self, ctx):
        scan = scan_tree(ctx.repo_root)
        return self.report(scan, None, f"the repository ({ctx.repo_root})")
