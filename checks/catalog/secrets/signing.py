"""Android and iOS signing material committed with the app: whoever has it can ship updates as you.

Reported: keystores and certificates by extension (`*.jks`, `*.keystore`, `*.p12`, `*.mobileprovision`;
`debug.keystore` is Flutter's shared debug key and is skipped), and literal passwords in
`android/key.properties` or a Gradle `signingConfigs` block (`storePassword`, `keyPassword`). A
password read from the environment or from an uncommitted properties file is not reported.
"""
from __future__ import annotations

import re

from launchready.checks.catalog.secrets import app_dir_unusable
from launchready.checks.framework import Finding, Severity, register
from launchready.checks.framework.base import Check
from launchready.checks.secrets.app_scan import app_scan

SIGNING_FILE = re.compile(r"(?i)\.(jks|keystore|p12|mobileprovision)$")
SIGNING_FILE_KIND = {"jks": "Java keystore", "keystore": "Android keystore", "p12": "PKCS#12 certificate",
                     "mobileprovision": "iOS provisioning profile"}
PROPERTIES_PASSWORD = re.compile(r"^\s*(storePassword|keyPassword)\s*[=:]\s*(\S.*?)\s*$", re.M)
GRADLE_PASSWORD = re.compile(r"""\b(storePassword|keyPassword)\s*(?:=\s*|\(\s*|\s+)(['"])([^'"$\n]{4,})\2""")
NOT_LITERAL = re.compile(r"^(?:\$|System\.|project\.|providers\.|keystoreProperties|properties|env\b)")


@register
class SigningMaterialCommitted(Check):
    id = "secrets.app.signing"
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
