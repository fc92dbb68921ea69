"""The stack's own trust levers are honest: a `launchready:notApplicable` declaration that the plan or
the app contradicts, or that carries no reason, owner and expiry, is refused (its checks run anyway)
and reported here, so a pull request cannot switch a guard off by declaring it irrelevant."""
from __future__ import annotations

from launchready.checks.framework import Finding, Severity, register
from launchready.checks.framework.base import Check
from launchready.checks.framework.base_ref import changes
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


@register
class LeverChanges(Check):
    """A pull request may not lower the gate that judges it: with `--base-ref`, a change to the stack's
    blockingSeverities or notApplicable, the waivers or the baseline since the base branch blocks unless
    the base branch's CODEOWNERS makes someone own (and so approve) the changed file."""

    id = "config.trust.base_ref"
    title = "Trust levers changed in this change are approved by their code owners"
    severity = Severity.HIGH
    config_key = "blockingSeverities"
    remediation = ("Revert the lever change, or let the repository protect it: a CODEOWNERS entry for the file "
                   "(e.g. `/stacks/ @acme/release-owners`, `/launchready.yaml @acme/release-owners`) and branch "
                   "protection that requires code-owner review.")

    def run(self, ctx):
        ref = ctx.options.base_ref
        if not ref:
            return [self.passed("not compared: no --base-ref given (pull-request gates pass the base branch)")]
        found = changes(ctx)
        if not found:
            return [self.passed(f"no trust lever changed since {ref}")]
        results = []
        for change in found:
            where = Finding(change.path, None, f"{change.what} changed since {ref}")
            if change.owners:
                result = self.passed(f"{change.path}: {change.what} changed since {ref}; CODEOWNERS requires "
                                     f"review by {' '.join(change.owners)}")
            else:
                result = self.failed(f"{change.path}: {change.what} changed since {ref} and no CODEOWNERS entry "
                                     "on the base branch covers the file", findings=[where])
            result.subject = f"{change.path}:{change.what}"
            results.append(result)
        return results
