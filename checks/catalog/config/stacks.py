"""Every stack loads and has what its providers need, so `pulumi up` cannot fail half-way or aim wrong."""
from __future__ import annotations

import re

from launchready.checks.catalog.config._base import StackFile, is_secure, load_stack_file
from launchready.checks.framework import Finding, Severity, register
from launchready.checks.framework.base import Check
from launchready.config.model import ConfigError, stack_file

_YAML_LINE = re.compile(r"\(line (\d+), column \d+\)")
_INDEX = re.compile(r"\[(\d+)\]")


def problem_finding(problem: str, path: str, stack: StackFile | None) -> Finding:
    """A ConfigError line as a finding at the offending key's line (or the YAML error's line)."""
    detail = problem.removeprefix(f"{path}: ")
    yaml_line = _YAML_LINE.search(detail)
    if yaml_line:
        return Finding(path, int(yaml_line.group(1)), detail)
    key, sep, _ = detail.partition(": ")
    if not sep or stack is None:
        return Finding(path, None, detail)
    top, _, rest = key.partition(".")
    keys = [top] + [part for part in _INDEX.sub(r".\1", rest).split(".") if part]
    return Finding(path, stack.line(*keys), detail)


@register
class StacksLoad(Check):
    id = "config.stacks.load"
    title = "Every stack file loads into a valid environment config"
    severity = Severity.HIGH
    remediation = "Fix each listed key in the stack file (see the line numbers), then re-run the check."

    def run(self, ctx):
        for name, loaded in ctx.all_stacks.items():
            if not isinstance(loaded, ConfigError):
                yield self.passed(f"stack {name} loads ({loaded.environment})", {"stack": name})
                continue
            path = stack_file(ctx.options.stacks_dir, name)
            try:
                raw = load_stack_file(ctx.options.stacks_dir, name)
            except ConfigError:
                raw = None
            findings = [problem_finding(p, str(path), raw) for p in loaded.problems]
            yield self.failed(f"stack {name} does not load: {len(findings)} problem(s) in {path.name}",
                              {"stack": name, "problems": [f.message for f in findings]}, findings=findings)


@register
class StackProviders(Check):
    """The Pulumi providers read their own namespaces, which the typed model does not cover."""

    id = "config.stacks.providers"
    title = "Provider config points at the stack's own project and has its credentials"
    severity = Severity.CRITICAL
    remediation = ("Set `gcp:project` to the stack's `launchready:gcp.projectId`, and set the Cloudflare token "
                   "as a secret: `pulumi config set --secret cloudflare:apiToken <token> --stack <stack>`.")

    def run(self, ctx):
        for name, loaded in ctx.checked_stacks.items():
            if isinstance(loaded, ConfigError):
                continue  # reported by config.stacks.load
            raw = load_stack_file(ctx.options.stacks_dir, name)
            findings = []
            provider_project = raw.values.get("gcp:project")
            if provider_project is not None and provider_project != loaded.gcp.project_id:
                findings.append(raw.finding(
                    f"gcp:project is {provider_project!r} but launchready:gcp.projectId is "
                    f"{loaded.gcp.project_id!r}: resources would land in another environment's project",
                    "gcp:project"))
            cloudflare = loaded.dns.provider == "cloudflare"   # else the program has no Cloudflare provider
            if cloudflare and "cloudflare:apiToken" not in raw.values:
                findings.append(Finding(str(raw.path), None, "cloudflare:apiToken is not set"))
            elif cloudflare and not is_secure(raw.values["cloudflare:apiToken"]):
                findings.append(raw.finding("cloudflare:apiToken is not a `secure:` value", "cloudflare:apiToken"))
            if findings:
                yield self.failed(f"stack {name}: {len(findings)} provider config problem(s)", {"stack": name},
                                  findings=findings)
            else:
                yield self.passed(f"stack {name}: provider config is complete", {"stack": name})
