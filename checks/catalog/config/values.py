"""A stack value left at a placeholder (`REPLACE-ME` as `launchready init` writes it, `<...>`,
`TODO`, `changeme`) would be deployed as is: it is a failure, never READY."""
from __future__ import annotations

import re

from launchready.checks.catalog.config._base import stack_files
from launchready.checks.framework import Finding, Severity, register
from launchready.checks.framework.base import Check
from launchready.scaffold import PLACEHOLDER

PATTERN = re.compile(rf"{PLACEHOLDER}|\bTODO\b|\bFIXME\b|\bchange-?me\b|<[a-z][\w .-]*>", re.I)


@register
class Placeholders(Check):
    id = "config.values.placeholders"
    title = "No stack value is left at a placeholder"
    severity = Severity.CRITICAL
    remediation = "Replace each listed value with the real one (the line numbers point into the stack file)."

    def run(self, ctx):
        files, _ = stack_files(ctx.options.stacks_dir, list(ctx.checked_stacks))
        for raw in files:
            findings = [Finding(ctx.project.display(raw.path), raw.line(*keys), f"{'.'.join(keys)} is a placeholder")
                        for keys, value in raw.leaves() if isinstance(value, str) and PATTERN.search(value)]
            evidence = {"stack": raw.name, "file": ctx.project.display(raw.path)}
            if findings:
                yield self.failed(f"stack {raw.name}: {len(findings)} value(s) still a placeholder", evidence,
                                  findings=findings)
            else:
                yield self.passed(f"stack {raw.name}: no placeholder values", evidence)
        if not files:
            yield self.skipped(f"no readable stack files in {ctx.project.display(ctx.options.stacks_dir)}")
