"""`infra.policy.*`: the CrossGuard launch policies, run offline on the mocked plan (one check each)."""
from __future__ import annotations

from launchready.checks.framework.base import Check, Severity
from launchready.checks.framework.registry import register
from launchready.checks.policy.policies import POLICIES, LaunchPolicy
from launchready.infra.config import ConfigError
from launchready.infra.plan import Plan, PlanError


class PlannedSubject:
    """A planned resource in the shape pulumi_policy hands to policies."""

    __slots__ = ("resource_type", "props", "name", "urn")

    def __init__(self, resource_type: str, props: dict, name: str, urn: str):
        self.resource_type, self.props, self.name, self.urn = resource_type, props, name, urn


def subjects(plan: Plan) -> list[PlannedSubject]:
    return [PlannedSubject(r.type, r.inputs, r.name, r.urn) for r in plan.resources if r.custom]


class PolicyCheck(Check):
    policy: LaunchPolicy

    def run(self, ctx):
        try:
            plan = ctx.plan
        except (ConfigError, PlanError, OSError) as exc:
            return self.errored(f"the offline plan could not be built: {exc}")
        violations = self.policy.violations(subjects(plan))
        evidence = {"stack": plan.stack, "policy": self.policy.name, "resources": len(plan.resources)}
        if not violations:
            return self.passed(self.policy.description, evidence)
        evidence["violations"] = [{"message": v.message, "urn": v.urn} for v in violations]
        return self.failed("; ".join(v.message for v in violations), evidence)


def _register(policy: LaunchPolicy) -> type[Check]:
    name = "Policy_" + policy.check_id.rsplit(".", 1)[-1]
    cls = type(name, (PolicyCheck,), {
        "id": policy.check_id, "title": f"Policy: {policy.description}", "severity": Severity(policy.severity),
        "remediation": policy.remediation, "policy": policy, "__module__": __name__, "__qualname__": name})
    return register(cls)


for _policy in POLICIES:
    _register(_policy)
