"""Secrets in the Flutter app tree (`--app-dir`): lib/, assets/, android/, ios/, web/, .env files."""
from __future__ import annotations

from launchready.checks.catalog.secrets import SecretScanCheck, app_dir_unusable
from launchready.checks.framework import Finding, Severity, register
from launchready.checks.secrets.app_scan import app_scan


@register
class AppSecretsScan(SecretScanCheck):
    id = "secrets.app.scan"
    title = "No secret keys or tokens in the Flutter app"
    severity = Severity.CRITICAL

    def run(self, ctx):
        unusable = app_dir_unusable(self, ctx, "the Flutter app was not scanned")
        if unusable:
            return unusable
        return self.report(app_scan(ctx).secrets, ctx.app_dir, f"the app ({ctx.app_dir})")


@register
class EnvFileBundled(SecretScanCheck):
    """flutter_dotenv tells people to list `.env` as an asset: that puts it inside every build."""

    id = "secrets.app.env_asset"
    title = "No .env file bundled as a Flutter asset"
    severity = Severity.HIGH
    remediation = ("Remove `.env` files from `flutter: assets:` in pubspec.yaml. Client builds may carry only "
                   "public values (pass them with `--dart-define`); secrets belong in Secret Manager behind "
                   "the backend.")

    def run(self, ctx):
        unusable = app_dir_unusable(self, ctx, "pubspec.yaml assets were not read")
        if unusable:
            return unusable
        app = app_scan(ctx)
        assets = app.assets
        if assets.problem:
            return self.errored(assets.problem, {"pubspec": str(ctx.app_dir / "pubspec.yaml")})
        bundled = [rel for rel in app.files if rel.rpartition("/")[2].startswith(".env") and assets.bundles(rel)]
        listed = sorted(p for p in assets.files if p.rpartition("/")[2].startswith(".env"))
        env_files = sorted(set(bundled) | set(listed))
        if not env_files:
            return self.passed("no .env file is bundled as an asset", {"asset_entries": len(assets.files | assets.folders)})
        pubspec = str(ctx.app_dir / "pubspec.yaml")
        return self.failed(f"{len(env_files)} .env file(s) bundled into the app: {', '.join(env_files)}",
                           {"bundled_env_files": env_files},
                           findings=[Finding(pubspec, assets.lines.get(_entry_for(rel, assets), 1),
                                             f"{rel} is bundled as an asset (entry `{_entry_for(rel, assets)}`)")
                                     for rel in env_files])


def _entry_for(rel: str, assets) -> str:
    """The pubspec asset entry that bundles `rel`: the file itself, or the folder holding it."""
    return rel if rel in assets.files else rel.rpartition("/")[0] + "/"
