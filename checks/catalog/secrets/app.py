"""Secrets in the Flutter app tree (`--app-dir`): lib/, assets/, android/, ios/, web/, .env files."""
from __future__ import annotations

from launchready.checks.catalog.secrets import SecretScanCheck, app_dir_unusable
from launchready.checks.framework import Finding, Severity, register
from launchready.checks.secrets import scan_tree
from launchready.checks.secrets.flutter import read_assets
from launchready.checks.secrets.walk import iter_files


@register
class AppSecretsScan(SecretScanCheck):
    id = "secrets.app.scan"
    title = "No secret keys or tokens in the Flutter app"
    severity = Severity.CRITICAL

    def run(self, ctx):
        unusable = app_dir_unusable(self, ctx, "the Flutter app was not scanned")
        if unusable:
            return unusable
        return self.report(scan_tree(ctx.app_dir), ctx.app_dir, f"the app ({ctx.app_dir})")


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
        assets = read_assets(ctx.app_dir)
        if assets.problem:
            return self.errored(assets.problem, {"pubspec": str(ctx.app_dir / "pubspec.yaml")})
        bundled = [rel for _, rel in iter_files(ctx.app_dir)
                   if rel.rpartition("/")[2].startswith(".env") and assets.bundles(rel)]
        listed = sorted(p for p in assets.files if p.rpartition("/")[2].startswith(".env"))
        env_files = sorted(set(bundled) | set(listed))
        if not env_files:
            return self.passed("no .env file is bundled as an asset", {"asset_entries": len(assets.files | assets.folders)})
        pubspec = str(ctx.app_dir / "pubspec.yaml")
        return self.failed(f"{len(env_files)} .env file(s) bundled into the app: {', '.join(env_files)}",
                           {"bundled_env_files": env_files},
                           findings=[Finding(pubspec, None, f"{rel} is bundled as an asset") for rel in env_files])
