"""Each first-deploy defect class of issue #11 as a policy: the example plans pass, and a plan that
reintroduces the defect (the fixed program's plan, edited back to the old shape) fails."""
from __future__ import annotations

import pytest

from launchready.checks.catalog.infra.policy import PlannedSubject, subjects
from launchready.infra.dns_records import DnsRecordSpec
from launchready.policy import policies as P
from tests.infra.conftest import ENVIRONMENTS

BY_ID = {p.check_id: p for p in P.POLICIES}
NEW = ("infra.policy.build_account", "infra.policy.event_triggers", "infra.policy.public_access",
       "infra.policy.log_metric_wait", "infra.policy.quota_project", "infra.policy.dns_stable_names",
       "infra.policy.secret_versions", "infra.policy.prod_protected", "infra.policy.rules_release")


def messages(items: list, check_id: str) -> list[str]:
    return [v.message for v in BY_ID[check_id].violations(items)]


def function(items: list, name: str) -> PlannedSubject:
    return next(s for s in items if s.resource_type == P.FUNCTION and s.props.get("name") == name)


@pytest.mark.parametrize("env", ENVIRONMENTS)
@pytest.mark.parametrize("check_id", NEW)
def test_fixed_program_passes(plans, env, check_id):
    assert messages(subjects(plans[env]), check_id) == []


def test_function_without_build_account_fails(plans):
    items = subjects(plans["dev"])
    fn = function(items, "stripe-webhook")
    fn.props = {**fn.props, "buildConfig": {k: v for k, v in fn.props["buildConfig"].items() if k != "serviceAccount"}}
    assert messages(items, "infra.policy.build_account") == [
        "function stripe-webhook does not name its build service account (buildConfig.serviceAccount)"]
    for waiter in [fn, *fn.dependencies]:   # the grants sit behind the IAM propagation Sleep
        waiter.dependencies = [d for d in waiter.dependencies if d.props.get("role") not in P.BUILD_ROLES]
    assert "Compute default" in messages(items, "infra.policy.build_account")[0]


def test_build_account_without_the_build_role_fails(plans):
    items = subjects(plans["staging"])
    fn = function(items, "sync-worker")
    fn.props = {**fn.props, "buildConfig": {**fn.props["buildConfig"],
                                            "serviceAccount": "projects/p/serviceAccounts/other@p.iam.gserviceaccount.com"}}
    assert messages(items, "infra.policy.build_account") == [
        "function sync-worker builds as other@p.iam.gserviceaccount.com, which holds none of "
        "roles/cloudbuild.builds.builder"]


def test_sign_up_trigger_without_audit_config_fails(plans):
    items = [s for s in subjects(plans["prod"]) if s.resource_type != P.AUDIT_CONFIG]
    found = messages(items, "infra.policy.event_triggers")
    assert len(found) == 1 and "on-user-created triggers on identitytoolkit.googleapis.com audit logs" in found[0]
    assert "DATA_READ, DATA_WRITE" in found[0]


def test_audit_config_for_all_services_counts(plans):
    items = subjects(plans["prod"])
    for s in items:
        if s.resource_type == P.AUDIT_CONFIG:
            s.props = {**s.props, "service": "allServices"}
    assert messages(items, "infra.policy.event_triggers") == []


def test_event_triggers_must_wait_for_agents_and_database(plans):
    items = subjects(plans["dev"])
    fn = function(items, "sync-worker")
    fn.dependencies = [d for d in fn.dependencies if d.resource_type not in (P.SLEEP, P.FIRESTORE_DATABASE)]
    found = messages(items, "infra.policy.event_triggers")
    assert any("sync-worker" in m and "service agents" in m for m in found), found
    assert any("sync-worker triggers on Firestore but does not wait for the database" in m for m in found), found


def test_verified_caller_without_invoker_and_unverified_public_function_fail(plans):
    items = [s for s in subjects(plans["prod"]) if not s.name.endswith("request-support-invoker")]
    found = messages(items, "infra.policy.public_access")
    assert len(found) == 1 and found[0].startswith("function request-support (request_support) verifies its callers")
    public = PlannedSubject("gcp:cloudrunv2/serviceIamMember:ServiceIamMember",
                            {"name": "on-user-created", "role": "roles/run.invoker", "member": "allUsers"},
                            "open-sync", "urn:pulumi:prod::launchready::x::open-sync")
    assert "open-sync makes on-user-created public" in messages([*subjects(plans["prod"]), public],
                                                                "infra.policy.public_access")[0]


def test_alert_right_after_its_log_metric_fails(plans):
    items = subjects(plans["staging"])
    metrics = [s for s in items if s.resource_type == P.LOG_METRIC]
    alerts = [s for s in items if s.resource_type == P.ALERT_POLICY]
    for alert in alerts:  # the old program: depends_on=metrics, no sleep in between
        alert.dependencies = [d for d in alert.dependencies if d.resource_type != P.SLEEP] + metrics
    found = messages(items, "infra.policy.log_metric_wait")
    assert len(found) == 4 and all("Cannot find metric(s)" in m for m in found)
    assert any("launchready/webhook_failures" in m for m in found)


def test_firebase_resources_on_the_default_provider_fail(plans):
    items = subjects(plans["dev"])
    for s in items:
        if s.resource_type.startswith("gcp:identityplatform/"):
            s.provider = None
    assert messages(items, "infra.policy.quota_project") == [
        "auth-config (identityplatform/config) is not created through a provider with user_project_override and "
        "billing_project: with user credentials the API answers `requires a quota project`"]


def test_single_valued_records_named_by_content_fail(plans):
    items = subjects(plans["prod"])
    for s in items:
        if s.resource_type == P.DNS_RECORD and s.props.get("type") == "TXT":
            spec = DnsRecordSpec("TXT", s.props["name"], s.props["content"], "")
            s.name = f"cloudflare-{spec.legacy_key}"
    found = messages(items, "infra.policy.dns_stable_names")
    roles = sorted(m.split()[0] for m in found)
    assert roles == ["DKIM", "DMARC", "HOSTING-VERIFY", "HOSTING-VERIFY", "SPF"], found


def test_latest_secret_version_fails(plans):
    items = subjects(plans["prod"])
    fn = function(items, "stripe-webhook")
    config = fn.props["serviceConfig"]
    fn.props = {**fn.props, "serviceConfig": {**config, "secretEnvironmentVariables": [
        {**v, "version": "latest"} for v in config["secretEnvironmentVariables"]]}}
    assert messages(items, "infra.policy.secret_versions") == [
        f"function stripe-webhook reads {key} at version `latest`: a new secret version deploys no "
        "new revision and warm instances keep the old value" for key in ("STRIPE_WEBHOOK_SECRET", "STRIPE_SECRET_KEY")]


def test_unprotected_prod_records_fail_and_dev_may_be_unprotected(plans):
    items = subjects(plans["prod"])
    spf = next(s for s in items if s.resource_type == P.DNS_RECORD and "txt-spf" in s.name)
    spf.opts.protect = False
    assert messages(items, "infra.policy.prod_protected") == [
        f"prod {spf.name} is not protected: `pulumi destroy` or a rename would delete it"]
    dev = subjects(plans["dev"])
    assert not any(s.opts.protect for s in dev if s.resource_type == P.DNS_RECORD)
    assert messages(dev, "infra.policy.prod_protected") == []


def test_rules_release_replaced_create_before_delete_fails(plans):
    items = subjects(plans["staging"])
    next(s for s in items if s.resource_type == P.RULES_RELEASE).opts.delete_before_replace = False
    assert messages(items, "infra.policy.rules_release") == [
        "rules release cloud.firestore is replaced create-before-delete: the next rules change fails with "
        "`already exists` (the release name is fixed)"]


def _unknown_in_first_preview(subject: PlannedSubject) -> None:
    """Drop what a first `pulumi preview` cannot know yet (CrossGuard leaves unknowns out): computed
    service account emails and secret version numbers."""
    def scrub(value):
        if isinstance(value, dict):
            return {k: scrub(v) for k, v in value.items() if not _computed(k, v)}
        if isinstance(value, list):
            return [scrub(v) for v in value]
        return value

    subject.props = scrub(dict(subject.props))


def _computed(key: str, value) -> bool:
    return (isinstance(value, str) and ".iam.gserviceaccount.com" in value) or key == "version"


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_a_first_preview_with_unknown_outputs_is_not_blocked(plans, env):
    items = subjects(plans[env])
    for subject in items:
        _unknown_in_first_preview(subject)
    fn = function(items, "stripe-webhook")
    assert "serviceAccount" not in fn.props["buildConfig"]
    assert all("version" not in v for v in fn.props["serviceConfig"]["secretEnvironmentVariables"])
    assert {p.check_id: p.violations(items) for p in P.POLICIES} == {p.check_id: [] for p in P.POLICIES}
