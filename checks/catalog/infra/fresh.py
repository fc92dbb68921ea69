"""`infra.fresh.*`: the fresh-project simulation (launchready.policy.fresh_project) on the offline plan,
one check per rule, under the org policies the stack declares (`launchready:orgPolicy`)."""
from __future__ import annotations

from launchready.checks.catalog.infra.policy import subjects
from launchready.checks.framework.base import Check, Severity
from launchready.checks.framework.registry import register
from launchready.config.model import ConfigError
from launchready.infra.plan import PlanError
from launchready.policy.fresh_project import OrgPolicies, simulate

REMEDIATION = "docs/provisioning.md, 'The fresh-project simulation': each message names the resource and what it lacks."


class FreshProjectCheck(Check):
    needs = ("plan",)   # a failed plan is infra.plan.build's one finding
    rule: str
    what: str

    def run(self, ctx):
        try:
            plan = ctx.plan
        except (ConfigError, PlanError, OSError) as exc:
            return self.errored(f"the offline plan could not be built: {exc}")
        org = ctx.config.org_policy
        found = ctx.shared("infra.fresh", lambda: simulate(subjects(plan), OrgPolicies(
            tuple(org.resource_locations), org.domain_restricted_sharing)))[self.rule]
        evidence = {"stack": plan.stack, "resources": len(plan.resources)}
        if not found:
            return self.passed(self.what, evidence)
        evidence["violations"] = [{"message": v.message, "urn": v.urn} for v in found]
        return self.failed("; ".join(v.message for v in found[:5]) + (f" (+{len(found) - 5} more)" if len(found) > 5
                                                                      else ""), evidence)


@register
class FreshApis(FreshProjectCheck):
    id = "infra.fresh.apis"
    title = "Fresh project: every resource's API is enabled, in the project that pays, before it"
    severity = Severity.CRITICAL
    remediation = ("Add the API to REQUIRED_APIS (infra/components/project.py) and create the resource through "
                   "the quota-project provider, which waits for every Service. " + REMEDIATION)
    rule, what = "apis", "every API the plan calls is enabled before the resources that call it"


@register
class FreshAgents(FreshProjectCheck):
    id = "infra.fresh.agents"
    title = "Fresh project: service agents exist before the triggers that need them"
    severity = Severity.CRITICAL
    remediation = "Create a gcp.projects.ServiceIdentity for the agent and make the function wait for it. " + REMEDIATION
    rule, what = "agents", "the Eventarc and Pub/Sub service agents are made before any event trigger"


@register
class FreshPropagation(FreshProjectCheck):
    id = "infra.fresh.propagation"
    title = "Fresh project: IAM grants and log metrics have propagated before first use"
    severity = Severity.HIGH
    remediation = ("Put a pulumiverse-time Sleep of at least the documented time after the grant (or metric) and "
                   "before its user (infra/first_deploy.py WAITS). " + REMEDIATION)
    rule, what = "propagation", "every grant and log metric is behind a long enough wait before its first use"


@register
class FreshOrgPolicy(FreshProjectCheck):
    id = "infra.fresh.org_policy"
    title = "Fresh project: the plan passes the org policies the stack declares"
    severity = Severity.CRITICAL
    remediation = ("Match `launchready:gcp.region`/`firestoreLocation` and `launchready:orgPolicy.secretReplication` to "
                   "`launchready:orgPolicy.resourceLocations`; under domain restricted sharing see docs/provisioning.md. "
                   + REMEDIATION)
    rule, what = "org_policy", "the plan's locations and IAM members pass the declared org policies"
