"""The stack's own trust levers are honest: a `launchready:notApplicable` declaration that the plan or
the app contradicts, or that carries no reason, owner and expiry, is refused (its checks run anyway)
and reported here, so a pull request cannot switch a guard off by declaring it irrelevant."""
from __future__ import annotations

from launchready.checks.framework import Severity, register
from launchready.checks.framework.base import Check
from launchready.checks.framework.trust import NA_FORM, declarations


@register
class NotApplicableDeclarations(Check):
    id = "config.trust.not_applicable"
    title = "Every notApplicable declaration is true and accountable"
    severity = Severity.HIGH
    config_key = "notApplicable"
    remediation = (f"Remove the declaration (the checks it names apply to what this stack deploys), or give it "
                   f"{NA_FORM} when the plan and the app really do not use what those checks guard.")

    def run(self, ctx):
        judged = declarations(ctx)
        if not ctx.config.not_applicable:
            return [self.passed("the stack declares nothing not applicable")]
        results = []
        for prefix, why in judged.refused:
            result = self.failed(f"notApplicable {prefix!r} refused: {why}; its checks ran", {"declaration": prefix})
            result.subject = prefix
            results.append(result)
        for prefix, reason in judged.accepted.items():
            result = self.passed(f"notApplicable {prefix!r} accepted: {reason}", {"declaration": prefix})
            result.subject = prefix
            results.append(result)
        return results
