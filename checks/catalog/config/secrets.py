"""Secret-looking values stored in plain text in a stack file (any namespace), reported by line only."""
from __future__ import annotations

import re

from pydantic.alias_generators import to_camel

from launchready.checks.catalog.config._base import StackFile, is_secure, stack_files
from launchready.checks.framework import Finding, Severity, register
from launchready.checks.framework.base import Check
from launchready.config.model import NAMESPACE, ConfigError
from launchready.secrets import scan_bytes

# Which service each secret serves (what the finding says it is needed for).
NEEDED_FOR = {"stripe_secret_key": "payments: stripe", "crm_api_token": "the CRM sync (crm.provider)",
              "support_api_token": "the support-desk sync (support.provider)"}

# Key names that hold credentials whatever the value looks like (e.g. `cloudflare:apiToken: abc`).
SECRET_KEY_NAME = re.compile(r"(?i)(token|secret|password|passphrase|private.?key|api.?key|credential)")


def plaintext_findings(raw: StackFile) -> list[Finding]:
    found: dict[int | None, str] = {}
    for line, detector in scan_bytes(raw.path.read_bytes()):
        found.setdefault(line, f"{detector.kind} in plain text")
    for keys, value in raw.leaves():
        if isinstance(value, str) and value and SECRET_KEY_NAME.search(keys[-1].split(":")[-1]):
            found.setdefault(raw.line(*keys), f"{':'.join(keys[:1])}{''.join('.' + k for k in keys[1:])} "
                                              "is stored in plain text, not as a `secure:` value")
    return [Finding(str(raw.path), line, message) for line, message in sorted(found.items(), key=lambda i: i[0] or 0)]


@register
class PlaintextSecrets(Check):
    id = "config.secrets.plaintext"
    title = "No secrets in plain text in stack files"
    severity = Severity.CRITICAL
    remediation = ("Rotate each listed credential (the file may already be in git history), then store the new "
                   "one encrypted: `pulumi config set --secret <key> <value> --stack <stack>`.")

    def run(self, ctx):
        files, _ = stack_files(ctx.options.stacks_dir, list(ctx.checked_stacks))
        for raw in files:
            findings = plaintext_findings(raw)
            secure = sum(1 for _, value in raw.leaves() if is_secure(value))
            evidence = {"stack": raw.name, "file": str(raw.path), "secure_values": secure}
            if findings:
                yield self.failed(f"stack {raw.name}: {len(findings)} secret(s) in plain text in {raw.path.name}",
                                  evidence, findings=findings)
            else:
                yield self.passed(f"stack {raw.name}: no plain-text secrets ({secure} secure values)", evidence)
        if not files:
            yield self.skipped(f"no readable stack files in {ctx.options.stacks_dir}")


@register
class MissingSecrets(Check):
    """A secret a service in use needs but the stack does not set: one finding each, with the command.
    Secrets of services the app does not use (crm/support `none`, payments `none`) are not asked for."""

    id = "config.secrets.missing"
    title = "Every secret the app's services need is set"
    severity = Severity.HIGH
    remediation = "Set it encrypted (pulumi prompts for the value, so it stays out of shell history)."

    def run(self, ctx):
        for name, cfg in ctx.checked_stacks.items():
            if isinstance(cfg, ConfigError):
                continue  # reported by config.stacks.load
            required = cfg.required_secrets()
            for field in required:
                key = f"{NAMESPACE}:{to_camel(field)}"
                evidence = {"stack": name, "key": key, "needed_for": NEEDED_FOR[field]}
                if getattr(cfg, field) is not None:
                    yield self.passed(f"stack {name}: {key} is set", evidence)
                    continue
                command = f"pulumi config set --secret {key} --stack {name}"
                yield self.failed(f"stack {name}: {key} is not set ({NEEDED_FOR[field]} needs it)", evidence,
                                  remediation=f"{command}   ({self.remediation})")
            if not required:
                yield self.passed(f"stack {name}: the app's services need no launchready secret",
                                  {"stack": name})
