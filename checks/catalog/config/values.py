"""A stack value left at a placeholder (`REPLACE-ME` as `launchready init` writes it, `<...>`,
`TODO`, `changeme`) would be deployed as is: it is a failure, never READY."""
from __future__ import annotations

import re

from launchready.checks.catalog.config._base import stack_files
from launchready.checks.framework import Finding, Severity, register
from launchready.checks.framework.base import Check
from launchready.config.architecture import Architecture
from launchready.config.model import EnvironmentConfig
from launchready.scaffold import PLACEHOLDER

PATTERN = re.compile(rf"{PLACEHOLDER}|\bTODO\b|\bFIXME\b|\bchange-?me\b|<[a-z][\w .-]*>", re.I)
# Values only a feature's part of the program deploys: when the app does not use the feature (DNS kept
# elsewhere), a placeholder there is deployed nowhere and blocks nothing.
FEATURE_KEYS: dict[str, tuple[tuple[str, ...], ...]] = {
    "cloudflare": (("launchready:domain", "cloudflareZoneId"), ("launchready:email", "dkim")),
}


@register
class Placeholders(Check):
    id = "config.values.placeholders"
    title = "No stack value is left at a placeholder"
    severity = Severity.CRITICAL
    remediation = "Replace each listed value with the real one (the line numbers point into the stack file)."

    def run(self, ctx):
        files, _ = stack_files(ctx.options.stacks_dir, list(ctx.checked_stacks))
        for raw in files:
            unused = _unused_keys(ctx.checked_stacks.get(raw.name), ctx.project.root)
            findings = [Finding(ctx.project.display(raw.path), raw.line(*keys), f"{'.'.join(keys)} is a placeholder")
                        for keys, value in raw.leaves() if isinstance(value, str) and PATTERN.search(value)
                        and not any(keys[:len(prefix)] == prefix for prefix in unused)]
            evidence = {"stack": raw.name, "file": ctx.project.display(raw.path)}
            if findings:
                yield self.failed(f"stack {raw.name}: {len(findings)} value(s) still a placeholder", evidence,
                                  findings=findings)
            else:
                yield self.passed(f"stack {raw.name}: no placeholder values", evidence)
        if not files:
            yield self.skipped(f"no readable stack files in {ctx.project.display(ctx.options.stacks_dir)}")


def _unused_keys(config: object, root) -> list[tuple[str, ...]]:
    """Key paths of features the stack's app does not use (none known for a stack that did not load)."""
    if not isinstance(config, EnvironmentConfig):
        return []
    uses = Architecture.of(config, root).uses
    return [prefix for feature, prefixes in FEATURE_KEYS.items() if feature not in uses for prefix in prefixes]
