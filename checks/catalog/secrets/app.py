"""Secrets in the Flutter app tree (`--app-dir`): lib/, assets/, android/, ios/, web/, .env files, and the
app's signing material.

Signing (`secrets.app.signing`): whoever has the keystore can ship updates as you. Reported: keystores and
certificates by extension (`*.jks`, `*.keystore`, `*.p12`; `debug.keystore` is Flutter's shared debug key
and is skipped; an iOS `*.mobileprovision` holds no private key and every build embeds one, so it is not
signing material), and literal passwords in `android/key.properties` or a Gradle
`signingConfigs` block (`storePassword`, `keyPassword`). A password read from the environment or from an
uncommitted properties file is not reported.
"""
from __future__ import annotations

import re

from launchready.checks.catalog.secrets import SecretScanCheck, app_dir_unusable
from launchready.checks.framework import Finding, Severity, register
from launchready.checks.framework.base import Check
from launchready.flutter.app_scan import app_scan


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
    needs = ("app",)
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
        findings, listed = [], 0
        for prefix, assets in (app.apps or {"": app.assets}).items():
            pubspec = str(ctx.app_dir / prefix / "pubspec.yaml")
            if assets.problem:
                return self.errored(assets.problem, {"pubspec": pubspec})
            listed += len(assets.files | assets.folders)
            own = [rel[len(prefix):] for rel in app.files if rel.startswith(prefix) and app.app_of(rel)[0] == prefix]
            bundled = {rel for rel in own if rel.rpartition("/")[2].startswith(".env") and assets.bundles(rel)}
            bundled |= {p for p in assets.files if p.rpartition("/")[2].startswith(".env")}
            findings += [Finding(pubspec, assets.lines.get(_entry_for(rel, assets), 1),
                                 f"{prefix}{rel} is bundled as an asset (entry `{_entry_for(rel, assets)}`)")
                         for rel in sorted(bundled)]
        if not findings:
            return self.passed("no .env file is bundled as an asset", {"asset_entries": listed})
        env_files = [f.message.split(" is bundled")[0] for f in findings]
        return self.failed(f"{len(env_files)} .env file(s) bundled into the app: {', '.join(env_files)}",
                           {"bundled_env_files": env_files}, findings=findings)


def _entry_for(rel: str, assets) -> str:
    """The pubspec asset entry that bundles `rel`: the file itself, or the folder holding it."""
    return rel if rel in assets.files else rel.rpartition("/")[0] + "/"


SIGNING_FILE = re.compile(r"(?i)\.(jks|keystore|p12)$")
SIGNING_FILE_KIND = {"jks": "Java keystore", "keystore": "Android keystore", "p12": "PKCS#12 certificate"}
PROPERTIES_PASSWORD = re.compile(r"^\s*(storePassword|keyPassword)\s*[=:]\s*(\S.*?)\s*$", re.M)
GRADLE_PASSWORD = re.compile(r"""\b(storePassword|keyPassword)\s*(?:=\s*|\(\s*|\s+)(['"])([^'"$\n]{4,})\2""")
NOT_LITERAL = re.compile(r"^(?:\$|System\.|project\.|providers\.|keystoreProperties|properties|env\b)")


@register
class SigningMaterialCommitted(Check):
    id = "secrets.app.signing"
    needs = ("app",)
    stackless = True
    title = "No app-signing keystores, certificates or passwords committed"
    severity = Severity.CRITICAL
    remediation = ("Remove the keystore/certificate and the passwords from the repository (and its history), "
                   "keep them in CI secrets, and read passwords from the environment in Gradle. If the upload "
                   "key leaked, ask Google Play for an upload-key reset; revoke a leaked iOS certificate.")

    def run(self, ctx):
        unusable = app_dir_unusable(self, ctx, "signing material was not looked for")
        if unusable:
            return unusable
        app = app_scan(ctx)
        findings = [Finding(str(app.root / rel), None, f"{SIGNING_FILE_KIND[m.group(1).lower()]} committed")
                    for rel in app.files if (m := SIGNING_FILE.search(rel)) and not rel.endswith("debug.keystore")]
        for rel, text in app.texts.items():
            findings += _passwords(str(app.root / rel), text, rel.endswith(".properties"))
        if not findings:
            return self.passed("no signing material in the app tree", {"files_walked": len(app.files)})
        return self.failed(f"{len(findings)} piece(s) of signing material committed", {"files_walked": len(app.files)},
                           findings=findings)


def _passwords(path: str, text: str, properties: bool) -> list[Finding]:
    found = []
    if properties:
        for m in PROPERTIES_PASSWORD.finditer(text):
            if not NOT_LITERAL.match(m.group(2)):
                found.append(Finding(path, text.count("\n", 0, m.start(1)) + 1, f"{m.group(1)} set to a literal"))
    else:
        for m in GRADLE_PASSWORD.finditer(text):
            found.append(Finding(path, text.count("\n", 0, m.start()) + 1, f"{m.group(1)} set to a literal in Gradle"))
    return found
