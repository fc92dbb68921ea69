"""`infra.plan.build`: the offline plan (the Pulumi program under mocks) builds. Every check that reads
the plan needs it; when it fails, this is the one finding and they are skipped because of it."""
from __future__ import annotations

from launchready.checks.framework.base import Check, Severity
from launchready.checks.framework.inputs import input_problem
from launchready.checks.framework.registry import register


@register
class PlanBuilds(Check):
    id = "infra.plan.build"
    title = "The Pulumi program plans offline (what `pulumi up` would create)"
    severity = Severity.HIGH
    config_key = "firestore"
    needs = ("rules",)   # the program reads the rules file: a missing one is rules.static.syntax's finding
    remediation = ("Run `launchready plan --stack <stack>` to see the whole error; usually a file the stack names "
                   "(launchready:firestore.rulesFile / indexesFile, functions/) is missing: create or fetch it "
                   "(e.g. `firebase firestore:indexes > firestore.indexes.json`) or correct the path.")

    def run(self, ctx):
        problem = input_problem("plan", ctx)
        if problem:
            return self.failed(problem, {"stack": ctx.stack})
        plan = ctx.plan
        return self.passed(f"the program plans {len(plan.resources)} resource(s)", {"stack": ctx.stack})


@register
class AdoptedResourcesImported(Check):
    id = "infra.plan.imports"
    title = "What `launchready adopt` found running is imported, and nothing planned collides with it"
    severity = Severity.HIGH
    config_key = "adopt"
    needs = ("plan",)
    remediation = ("Run `launchready adopt --stack <stack> --write` again: it decides against the program as it is now "
                   "and rewrites `launchready:adopt.imports`.")

    def run(self, ctx):
        adopt = ctx.config.adopt
        recorded = dict(adopt.imports)
        planned = {r.name: r for r in ctx.plan.resources}
        colliding = sorted(name for name in adopt.conflicts if name in planned and not planned[name].import_id)
        if colliding:
            return self.failed(f"{len(colliding)} planned resource(s) collide with what already runs: "
                               + "; ".join(f"{n}: {adopt.conflicts[n]}" for n in colliding),
                               {"stack": ctx.stack, "conflicts": colliding},
                               remediation="Resolve each as `launchready adopt --stack <stack>` says, then run it "
                                           "again with --write (it clears what no longer collides).")
        if not recorded:
            return self.passed("the stack records no imports (nothing adopted)", {"stack": ctx.stack})
        imported = {r.name: r.import_id for r in ctx.plan.resources if r.import_id}
        stale = sorted(name for name in recorded if imported.get(name) != recorded[name])
        evidence = {"stack": ctx.stack, "recorded": len(recorded), "stale": stale}
        if stale:
            return self.failed(f"launchready:adopt.imports names {', '.join(stale)}, which the program no longer "
                               "makes: `pulumi up` would create a replacement beside the live resource (a duplicate "
                               "record, or a 409)", evidence)
        return self.passed(f"the plan imports all {len(recorded)} adopted resource(s)", evidence)
