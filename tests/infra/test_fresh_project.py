"""The fresh-project simulation (launchready.policy.fresh_project): it fails the plan as it was on main
(issue #20 items 1 and 7), passes the fixed plans, and fails again when each fixed defect (items 1, 2,
6, 7, 8) is put back into a plan."""
from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest

from launchready.checks.catalog.infra.policy import subjects
from launchready.cli import main
from launchready.infra.components.project import REQUIRED_APIS
from launchready.infra.plan import _plan_from_dict
from launchready.policy import fresh_project_data as data
from launchready.policy import policies as P
from launchready.policy.fresh_project import OrgPolicies, dependency_order, seconds, simulate, waits_for
from tests.infra.conftest import ENVIRONMENTS, REPO_ROOT, with_changes, write_stack

MAIN_PLAN = Path(__file__).parent / "data" / "plan-dev-main-7326d34.json.gz"   # `plan --stack dev` on main
EU = OrgPolicies(("in:eu-locations",))
POLICY = {p.check_id: p for p in P.POLICIES}


def found(items, org: OrgPolicies = OrgPolicies()) -> dict[str, list[str]]:
    return {rule: [v.message for v in violations] for rule, violations in simulate(items, org).items()}


def by_name(items, name: str):
    return next(s for s in items if s.name == name)


def test_the_plan_as_it_was_on_main_fails_items_1_and_7():
    plan = _plan_from_dict(json.loads(gzip.decompress(MAIN_PLAN.read_bytes())))
    result = found(subjects(plan))
    # item 1: the quota-project provider bills the new project for APIs nobody enabled there
    assert any(m.startswith("functions-build-sa (account) calls iam.googleapis.com billed to the environment's")
               for m in result["apis"])
    assert any("functions-audit-identitytoolkit (iAMAuditConfig) calls cloudresourcemanager" in m for m in result["apis"])
    # item 7: no ServiceIdentity, grants not behind a wait, 90 s before the log-metric alerts
    assert "functions-sync-worker (function) has an event trigger but no ServiceIdentity makes the eventarc " \
           "service agent before it: the trigger fails on a fresh project" in result["agents"]
    assert any(m.startswith("functions-stripe-webhook (function) is created 0 s after functions-build-cloudbuild")
               for m in result["propagation"])
    assert any(re.search(r"alertPolicy\) reads log metric launchready/\w+ 90 s after creating it", m)
               for m in result["propagation"])


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_fixed_plans_pass_every_rule_even_in_an_eu_residency_org(plans, env):
    assert found(subjects(plans[env]), EU) == {"apis": [], "agents": [], "propagation": [], "org_policy": []}


def test_every_quota_project_resource_waits_for_the_service_of_each_api_it_calls(plans):
    """`plan --stack dev --format json`: provider and dependencies per resource, and the transitive rule."""
    items = subjects(plans["dev"])
    billed = [s for s in items if s.provider is not None and s.provider.props.get("userProjectOverride")]
    assert len(billed) > 60
    for item in billed:
        enabled = {str(d.props.get("service")) for d in waits_for(item).values()
                   if d.resource_type == "gcp:projects/service:Service"}
        apis = set(data.TYPE_APIS[item.resource_type].value)
        assert {f"{api}.googleapis.com" for api in apis} <= enabled, item.name
    # the engine's order: the provider's Services come before anything billed through it
    order = [s.urn for s in dependency_order(items)]
    iam = by_name(items, "project-api-iam")
    assert all(order.index(iam.urn) < order.index(s.urn) for s in billed if s.resource_type.startswith("gcp:serviceaccount"))


def test_plan_json_shows_provider_and_dependencies(capsys):
    assert main(["plan", "--stack", "dev", "--format", "json"]) == 0
    resources = json.loads(capsys.readouterr().out)["resources"]
    account = next(r for r in resources if r["name"] == "functions-build-sa")
    assert account["provider"].endswith("::project-billed") and account["dependencies"]
    provider = next(r for r in resources if r["urn"] == account["provider"])
    assert any(u.endswith("::project-api-iam") for u in provider["dependencies"])


def test_item_1_back_an_api_the_billed_provider_needs_is_not_enabled(plans):
    items = subjects(plans["dev"])
    for item in [*items, *(s.provider for s in items if s.provider)]:
        item.dependencies = [d for d in item.dependencies if d.props.get("service") != "iam.googleapis.com"]
    messages = found(items)["apis"]
    accounts = [s for s in items if s.resource_type == "gcp:serviceaccount/account:Account"]
    assert len(accounts) >= 5 and len(messages) == len(accounts)   # every service account fails
    assert all(" calls iam.googleapis.com billed to the environment's project" in m for m in messages)
    assert set(REQUIRED_APIS) >= {"iam", "cloudresourcemanager", "serviceusage", "cloudbilling", "pubsub"}


def test_item_1_back_a_resource_on_the_default_provider_bills_the_quota_project(plans):
    items = subjects(plans["dev"])
    by_name(items, "auth-config").provider = None
    assert found(items)["apis"] == [
        "auth-config (config) calls identitytoolkit.googleapis.com billed to the deployer's quota project, where "
        "preflight does not make sure it is on: create it through the quota-project provider"]


def test_item_2_automatic_replication_under_a_location_constraint(plans, configs):
    items = subjects(plans["prod"])
    secret = by_name(items, "secrets-stripe-secret-key")
    assert secret.props["replication"] == {"userManaged": {"replicas": [{"location": "europe-west1"}]}}
    secret.props = {**secret.props, "replication": {"auto": {}}}
    assert found(items, EU)["org_policy"] == [
        "secrets-stripe-secret-key (secret) is created in global, which launchready:orgPolicy.resourceLocations "
        "(in:eu-locations) does not allow"]
    assert found(items, OrgPolicies(("in:eu-locations", "global")))["org_policy"] == []
    with pytest.raises(ValueError) as error:
        with_changes(configs["prod"], "org_policy", resource_locations=["in:eu-locations"],
                     secret_replication="automatic")
    assert "orgPolicy.secretReplication" in str(error.value) and "orgPolicy.resourceLocations" in str(error.value)


def test_a_region_outside_the_declared_locations_fails(plans):
    items = subjects(plans["staging"])
    messages = found(items, OrgPolicies(("in:us-locations",)))["org_policy"]
    kinds = {m.split(" (")[1].split(")")[0] for m in messages}
    assert kinds == {"bucket", "function", "database", "secret"}
    assert all(re.search(r"is created in (europe-west1|eur3), which", m) for m in messages)


def test_bad_input_fails_check_offline_and_preflight_with_one_line_naming_both_keys(tmp_path, capsys):
    def edit(config):
        config["launchready:orgPolicy"] = {"resourceLocations": ["in:eu-locations"], "secretReplication": "automatic"}
    write_stack(tmp_path, "dev", edit)
    for command in (["check", "--offline"], ["preflight"]):
        assert main([*command, "--stack", "dev", "--stacks-dir", str(tmp_path)]) == 2
        err = capsys.readouterr().err
        lines = [line for line in err.splitlines() if "orgPolicy" in line]
        assert len(lines) == 1 and "secretReplication" in lines[0] and "resourceLocations" in lines[0], err
        assert "Traceback" not in err


def test_item_6_back_protected_stripe_endpoint_or_content_named_record(plans):
    items = subjects(plans["prod"])
    assert POLICY["infra.policy.prod_protected"].violations(items) == []
    endpoint = next(s for s in items if s.resource_type == P.STRIPE_ENDPOINT)
    mx = next(s for s in items if s.resource_type == P.DNS_RECORD and s.props.get("type") == "MX")
    assert not endpoint.opts.protect and not mx.opts.protect
    endpoint.opts.protect = mx.opts.protect = True
    messages = [v.message for v in POLICY["infra.policy.prod_protected"].violations(items)]
    assert len(messages) == 2
    assert "Stripe API-version upgrade replaces the endpoint" in messages[0]
    assert "named by its content" in messages[1]


@pytest.mark.parametrize("duration", ["1s", "60s", "119s", "forever"])
def test_item_7_back_a_wait_shorter_than_iam_propagation_fails(plans, duration):
    items = subjects(plans["dev"])
    sleep = by_name(items, "functions-iam-propagation")
    sleep.props = {**sleep.props, "createDuration": duration}
    assert len(found(items)["propagation"]) > 10
    assert POLICY["infra.policy.event_triggers"].violations(items)


def test_item_7_back_alerts_90_s_after_the_log_metrics(plans):
    items = subjects(plans["dev"])
    sleep = by_name(items, "monitoring-log-metrics-propagation")
    assert seconds(sleep.props["createDuration"]) == data.LOG_METRIC_VISIBLE_S.value
    sleep.props = {**sleep.props, "createDuration": "90s"}
    assert len(found(items)["propagation"]) == 4
    assert len(POLICY["infra.policy.log_metric_wait"].violations(items)) == 4


def test_item_7_back_no_service_identity(plans):
    items = [s for s in subjects(plans["dev"]) if s.resource_type != "gcp:projects/serviceIdentity:ServiceIdentity"]
    for item in items:
        item.dependencies = [d for d in item.dependencies if d.resource_type != "gcp:projects/serviceIdentity:ServiceIdentity"]
    assert sorted(found(items)["agents"])[0].startswith(
        "functions-on-user-created (function) has an event trigger but no ServiceIdentity makes the eventarc")


def test_item_8_back_an_unsplit_dkim_key(plans):
    items = subjects(plans["dev"])
    dkim = next(s for s in items if s.resource_type == P.DNS_RECORD and "dkim" in s.name)
    assert dkim.props["content"].startswith('"v=DKIM1') and '" "' in dkim.props["content"]
    dkim.props = {**dkim.props, "content": dkim.props["content"].replace('" "', "").strip('"')}
    assert POLICY["infra.policy.txt_split"].violations(items)[0].message.startswith(
        "TXT google._domainkey.dev.acmenotes.com is ")


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_item_8_the_web_app_site_gets_no_file_less_release(plans, configs, env):
    plan, config = plans[env], configs[env]
    sites = {r.get("customDomain"): r.get("siteId") for r in
             plan.of_type("gcp:firebase/hostingCustomDomain:HostingCustomDomain")}
    releases = {r.get("siteId") for r in plan.of_type("gcp:firebase/hostingRelease:HostingRelease")}
    assert releases == {sites[config.domain.api_host]} and sites[config.domain.app_host] not in releases


def test_item_8_function_dependencies_are_pinned():
    lines = [line.strip() for line in (REPO_ROOT / "functions" / "requirements.txt").read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    assert lines and all(re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[0-9][\w.]*", line) for line in lines), lines


def test_every_gcp_type_the_program_creates_has_a_sourced_row(plans):
    types = {r.type for env in ENVIRONMENTS for r in plans[env].resources if r.type.startswith("gcp:")}
    assert types <= set(data.TYPE_APIS)
    rows = [v for v in vars(data).values() if isinstance(v, data.Row)] + list(data.TYPE_APIS.values())
    assert all(re.search(r"https://|#\d+", row.source) for row in rows)


def test_durations():
    assert [seconds(d) for d in ("90s", "10m", "1m30s", "2h", "", "1 s", None)] == [90, 600, 90, 7200, 0, 0, 0]


def test_drs_declared_enforced_fails_the_public_grants_and_project_exception_passes(plans):
    items = subjects(plans["dev"])
    enforced = found(items, OrgPolicies(domain_restricted_sharing="enforced"))["org_policy"]
    assert sorted(m.split(" (")[0] for m in enforced) == [
        "functions-request-support-invoker", "functions-stripe-webhook-invoker"]
    assert all("choose project-exception" in m for m in enforced)
    assert found(items, OrgPolicies(domain_restricted_sharing="project-exception"))["org_policy"] == []


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_budget_and_webhook_host_uptime(plans, configs, env):
    plan, config = plans[env], configs[env]
    budget = plan.named("monitoring-budget")
    assert budget.get("billingAccount") == config.gcp.billing_account
    assert budget.get("budgetFilter.projects") == ["projects/100000000001"]      # the project's number
    assert budget.get("amount.specifiedAmount") == {"units": str(config.budget.amount)}   # the account's currency
    assert [r["thresholdPercent"] for r in budget.get("thresholdRules")] == config.budget.thresholds
    assert budget.get("allUpdatesRule.monitoringNotificationChannels")
    api = plan.named("monitoring-uptime-api")
    assert api.get("monitoredResource.labels.host") == config.domain.api_host
    assert api.get("httpCheck.path") == config.stripe.webhook_path
    assert {c["statusClass"] for c in api.get("httpCheck.acceptedResponseStatusCodes")} == {
        "STATUS_CLASS_2XX", "STATUS_CLASS_4XX"}          # 405 to an unsigned GET: up; 5xx or silence: down


def test_no_billing_account_no_budget(configs):
    from launchready.infra.plan import build_plan

    plan = build_plan(with_changes(configs["dev"], "gcp", billing_account=None, create_project=False))
    assert not plan.of_type("gcp:billing/budget:Budget")


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_ttl_policies_on_finished_records(plans, env):
    from launchready.functions.backend.retention import TTL_FIELD

    fields = {r.get("collection"): r for r in plans[env].of_type("gcp:firestore/field:Field")}
    assert set(fields) == {"stripe_events", "sync_tasks"}
    assert all(f.get("field") == TTL_FIELD and f.get("ttlConfig") == {} for f in fields.values())
    assert all(any(d.endswith("::firestore-database") for d in f.dependencies) for f in fields.values())
