"""CrossGuard entry point: `pulumi preview --policy-pack checks/policy` runs this file.

Constructing PolicyPack starts the policy server and never returns, so it lives only here.
"""
from pulumi_policy import EnforcementLevel, PolicyPack, StackValidationPolicy

from launchready.policy.policies import POLICIES, LaunchPolicy


def _stack_policy(policy: LaunchPolicy) -> StackValidationPolicy:
    def validate(args, report_violation) -> None:
        for violation in policy.violations(args.resources):
            report_violation(violation.message, violation.urn)

    return StackValidationPolicy(name=policy.name, description=policy.description, validate=validate,
                                 enforcement_level=EnforcementLevel.MANDATORY, remediation_steps=policy.remediation)


PolicyPack(name="launchready-launch-policies", enforcement_level=EnforcementLevel.MANDATORY,
           policies=[_stack_policy(p) for p in POLICIES],
           description="Launch rules for a Flutter + Firebase + Stripe environment (see launchready check).")
