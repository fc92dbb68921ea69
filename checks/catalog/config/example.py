"""Stack files copied from the bundled example (Acme Notes) still carry its identity.

Acme's billing account, folder, Cloudflare zone id, DKIM keys and `secure:` ciphertexts (encrypted
with an `encryptionsalt` whose passphrase nobody has) would aim billing, DNS and mail at someone else's
accounts, and the secrets cannot be decrypted: such a stack is not ready. The example's values are kept
as SHA-256 fingerprints (`example_fingerprints.json`, regenerated from `stacks/` by the tests), so the
installed tool recognises them without shipping the example.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import yaml

from launchready.checks.catalog.config._base import StackFile, is_secure, stack_files
from launchready.checks.framework import Finding, Severity, register
from launchready.checks.framework.base import Check

FINGERPRINTS = Path(__file__).with_name("example_fingerprints.json")
IDENTITY_KEYS = {("launchready:gcp", "billingAccount"), ("launchready:gcp", "folderId"),
                 ("launchready:gcp", "orgId"), ("launchready:domain", "cloudflareZoneId")}


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def identity_values(raw: StackFile) -> Iterator[tuple[tuple[str, ...], str, str]]:
    """(key path, label, value) of everything that identifies whose accounts a stack file uses."""
    for keys, value in raw.leaves():
        if is_secure(value):
            yield keys, "`secure:` ciphertext", value["secure"]
        elif keys[:2] in IDENTITY_KEYS and isinstance(value, (str, int)):
            yield keys, keys[1], str(value)
        elif keys[:2] == ("launchready:email", "dkim") and keys[-1] == "value" and isinstance(value, str):
            yield keys, "DKIM key", value
    salt = (yaml.safe_load(raw.path.read_text(encoding="utf-8")) or {}).get("encryptionsalt")
    if isinstance(salt, str):
        yield (), "encryptionsalt", salt


def fingerprints_of(files: list[StackFile]) -> dict[str, object]:
    """What `example_fingerprints.json` holds: the example's project ids and value digests."""
    projects = sorted({str(f.values.get("launchready:gcp", {}).get("projectId")) for f in files})
    digests = sorted({_digest(value) for f in files for _, _, value in identity_values(f)})
    return {"projects": projects, "digests": digests}


@register
class CopiedFromExample(Check):
    id = "config.example.copied"
    title = "Stack files carry the project's own accounts, not the bundled example's"
    severity = Severity.CRITICAL
    remediation = ("Write the stacks for your app with `launchready init` (or replace each listed value with "
                   "your own), delete the example's `encryptionsalt` and `secure:` lines, then set your secrets "
                   "with `pulumi config set --secret <key> <value> --stack <stack>`.")

    def run(self, ctx):
        example = json.loads(FINGERPRINTS.read_text(encoding="utf-8"))
        known = set(example["digests"])
        files, _ = stack_files(ctx.options.stacks_dir, list(ctx.checked_stacks))
        for raw in files:
            evidence = {"stack": raw.name, "file": ctx.project.display(raw.path)}
            if raw.values.get("launchready:gcp", {}).get("projectId") in example["projects"]:
                yield self.passed(f"stack {raw.name} is the bundled example itself", evidence)
                continue
            findings = [Finding(ctx.project.display(raw.path), raw.line(*keys) if keys else 1,
                                f"{label} is the bundled example's ({'.'.join(keys) or 'encryptionsalt'})")
                        for keys, label, value in identity_values(raw) if _digest(value) in known]
            if findings:
                yield self.failed(f"stack {raw.name}: {len(findings)} value(s) copied from the bundled example",
                                  evidence, findings=findings)
            else:
                yield self.passed(f"stack {raw.name}: no value copied from the bundled example", evidence)
        if not files:
            yield self.skipped(f"no readable stack files in {ctx.project.display(ctx.options.stacks_dir)}")
