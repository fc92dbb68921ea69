"""secrets.*: secrets committed to the repo or shipped inside the Flutter app."""
from __future__ import annotations

from pathlib import Path

from launchready.checks.framework.base import Check, Finding, Result, Severity, Status
from launchready.secrets import ScanResult

SUPPRESS_HINT = ("A reviewed false positive: add `launchready: allow-secret` in a comment on that line, or "
                 "list the path in `.launchreadyignore` (gitignore syntax) at the scanned folder's root.")

RESTRICT_KEYS = ("Restrict each key in the Google Cloud console (Credentials): application restriction to the app's "
                 "package name + SHA-1 / bundle id, API restriction to the Maps/Places APIs it calls.")


def app_dir_unusable(check: Check, ctx, unread: str) -> Result | None:
    """The skip/error result when `--app-dir` is missing or not a folder; None when it can be read."""
    if ctx.app_dir is None:
        return check.skipped(f"no app dir (--app-dir, or launchready:appDir in Pulumi.yaml, or a pubspec.yaml at the project root): {unread}")
    if not ctx.app_dir.is_dir():
        return check.errored(f"--app-dir {ctx.app_dir} is not a folder", {"app_dir": str(ctx.app_dir)})
    return None


class SecretScanCheck(Check):
    """Turns one scan into one result: worst hit decides the severity; low-only hits warn."""

    stackless = True

    remediation = ("Treat every reported value as leaked: rotate it at the provider now, delete it from the "
                   "file (and from git history), and keep it in Secret Manager, read only by the backend "
                   "functions. " + SUPPRESS_HINT)

    def report(self, scan: ScanResult, root: Path | None, scope: str) -> Result:
        evidence = {"files_scanned": scan.files_scanned, "bytes_scanned": scan.bytes_scanned,
                    "secrets_by_kind": scan.by_kind(), "public_by_design_ignored": scan.public_by_design,
                    "public_by_design_files": scan.public_files, "placeholders_silenced": scan.silenced,
                    "skipped_binary_files": scan.skipped_binary, "skipped_large_files": scan.skipped_large,
                    "unreadable_files": scan.unreadable, "skipped_files": scan.skipped}
        if scan.asset_problem:
            evidence["pubspec_problem"] = scan.asset_problem
        skipped = (f" ({len(scan.skipped)} file(s) not read: links out of the folder, FIFOs, devices, over the "
                   "time budget; see skipped_files)") if scan.skipped else ""
        if not scan.hits:
            return self.passed(f"no secrets found in {scan.files_scanned} files of {scope}{skipped}", evidence)
        findings = [Finding(str(root / hit.path) if root else hit.path, hit.line,
                            f"{hit.kind} ({hit.severity.value})" + (f": {hit.note}" if hit.note else
                            "; ships inside the app, so every user can extract it" if hit.ships else ""))
                    for hit in scan.hits]
        worst = min((hit.severity for hit in scan.hits), key=lambda s: s.rank)
        shipped = sum(hit.ships for hit in scan.hits)
        files = len({hit.path for hit in scan.hits})
        kinds = ", ".join(f"{kind} x{n}" for kind, n in sorted(scan.by_kind().items()))
        message = (f"{len(scan.hits)} secret(s) in {files} file(s) of {scope}"
                   + (f", {shipped} shipped inside the app" if shipped else "") + f": {kinds}{skipped}")
        if worst is Severity.INFO:   # only ship-by-design keys to restrict: advice, not a leak
            return self._result(Status.WARN, message, evidence, RESTRICT_KEYS, findings, Severity.INFO)
        if worst.rank >= Severity.LOW.rank:
            return self.warned(message, evidence, findings=findings)
        return self.failed(message, evidence, findings=findings, severity=worst)
