"""`infra.policy.*`: the CrossGuard launch policies, run offline on the mocked plan (one check each)."""
from __future__ import annotations

from launchready.checks.framework.base import Check, Severity, Status
from launchready.checks.framework.registry import register
from launchready.checks.framework.registry import registry as default_registry
from launchready.config.model import ConfigError
from launchready.infra.plan import Plan, PlanError
from launchready.policy.policies import POLICIES, LaunchPolicy


class SubjectOptions:
    __slots__ = ("protect", "delete_before_replace")

    def __init__(self, protect: bool = False, delete_before_replace: bool = False):
        self.protect, self.delete_before_replace = protect, delete_before_replace


class PlannedSubject:
    """A planned resource in the shape pulumi_policy hands to policies (PolicyResource: dependencies
    and provider are subjects themselves, `opts.protect` as registered)."""

    __slots__ = ("resource_type", "props", "name", "urn", "dependencies", "provider", "opts")

    def __init__(self, resource_type: str, props: dict, name: str, urn: str, dependencies: list | None = None,
                 provider: PlannedSubject | None = None, protect: bool = False,
                 delete_before_replace: bool = False):
        self.resource_type, self.props, self.name, self.urn = resource_type, props, name, urn
        self.dependencies = dependencies if dependencies is not None else []
        self.provider, self.opts = provider, SubjectOptions(protect, delete_before_replace)


def subjects(plan: Plan) -> list[PlannedSubject]:
    """The plan's custom resources, linked to the subjects they depend on and their provider."""
    made = {r.urn: PlannedSubject(r.type, r.inputs, r.name, r.urn, protect=r.protect,
                                  delete_before_replace=r.delete_before_replace)
            for r in plan.resources if r.custom}
    for resource in plan.resources:
        subject = made.get(resource.urn)
        if subject is None:
            continue
        subject.dependencies = [made[u] for u in resource.dependencies if u in made]
        subject.provider = made.get(resource.provider) if resource.provider else None
    return [s for s in made.values() if not s.resource_type.startswith("pulumi:providers:")]


# Policies over components the app may not have (see launchready.config.architecture).
APPLIES_TO: dict[str, tuple[str, ...]] = {
    "infra.policy.ssl_strict": ("cloudflare",), "infra.policy.min_tls": ("cloudflare",),
    "infra.policy.hsts": ("cloudflare",), "infra.policy.dns_stable_names": ("cloudflare",),
    "infra.policy.spf": ("cloudflare",), "infra.policy.dmarc": ("cloudflare",),
    "infra.policy.stripe_api_version": ("stripe",),
    "infra.policy.public_access": ("launchready_backend",), "infra.policy.secret_access": ("launchready_backend",),
    "infra.policy.secret_versions": ("launchready_backend",), "infra.policy.build_account": ("launchready_backend",),
    "infra.policy.event_triggers": ("launchready_backend",), "infra.policy.scheduled_sweep": ("launchready_backend",),
    "infra.policy.rules_release": ("firestore",), "infra.policy.prod_data_protection": ("firestore",),
}


class PolicyCheck(Check):
    policy: LaunchPolicy
    needs = ("plan",)

    def run(self, ctx):
        try:
            plan = ctx.shared("infra.plan", lambda: ctx.plan)   # one build, one failure, for all policies
        except (ConfigError, PlanError, OSError) as exc:
            return self._unplanned(ctx, exc)
        violations = self.policy.violations(subjects(plan))
        evidence = {"stack": plan.stack, "policy": self.policy.name, "resources": len(plan.resources)}
        if not violations:
            return self.passed(self.policy.description, evidence)
        evidence["violations"] = [{"message": v.message, "urn": v.urn} for v in violations]
        return self.failed("; ".join(v.message for v in violations), evidence)


    def _unplanned(self, ctx, exc: Exception):
        """One root cause, one finding: the first policy errors with the cause and its fix, the
        others are skipped because of it (their own remediations would be unrelated)."""
        cause = "; ".join(getattr(exc, "problems", None) or [str(exc)])
        owner = ctx.shared("infra.policy.owner", lambda: _first_selected(ctx))
        if self.id != owner:
            return self.skipped(f"because the offline plan could not be built (see {owner})")
        return self._result(Status.ERROR, f"the offline plan could not be built: {cause}",
                            {"policies": len(POLICIES)}, PLAN_REMEDIATION, None, None)


def _first_selected(ctx) -> str:
    """The first policy (in the pack's order) this run selected: it carries the plan's error."""
    opts = ctx.options
    selected = {cls.id for cls in default_registry.select(only=opts.only, skip=opts.skip, offline=opts.offline)}
    return next((p.check_id for p in POLICIES if p.check_id in selected), POLICIES[0].check_id)


PLAN_REMEDIATION = ("Fix the cause named above (the stack file or a file it names), then run "
                    "`launchready plan --stack <stack>` until it builds; every infra.policy.* check runs on that plan.")


def _register(policy: LaunchPolicy) -> type[Check]:
    name = "Policy_" + policy.check_id.rsplit(".", 1)[-1]
    cls = type(name, (PolicyCheck,), {
        "id": policy.check_id, "title": f"Policy: {policy.description}", "severity": Severity(policy.severity),
        "remediation": policy.remediation, "policy": policy, "__module__": __name__, "__qualname__": name,
        "applies_to": APPLIES_TO.get(policy.check_id, ())})
    return register(cls)


for _policy in POLICIES:
    _register(_policy)
