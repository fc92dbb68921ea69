"""The Pulumi program for dev, staging and prod, run under mocks: resources and key settings."""
from __future__ import annotations

import json
import threading

import pytest
import yaml

from launchready.config.model import ConfigError
from launchready.functions.backend.events import endpoint_events
from launchready.functions.backend.log_messages import SYNC_DEAD_LETTERED, WEBHOOK_EVENT_UNMATCHED
from launchready.infra.components.cloudflare import txt_content
from launchready.infra.components.functions import source_files
from launchready.infra.components.monitoring import ALERT_LABEL, REQUIRED_ALERTS
from launchready.infra.components.project import REQUIRED_APIS
from launchready.infra.dns_records import desired_records
from launchready.infra.plan import SECRET, build_plan
from tests.infra.conftest import ENVIRONMENTS, REPO_ROOT, STACKS, with_changes

FUNCTION = "gcp:cloudfunctionsv2/function:Function"
COMPONENTS = {"launchready:gcp:Project", "launchready:gcp:Firestore", "launchready:gcp:Auth",
              "launchready:gcp:Secrets", "launchready:gcp:Functions", "launchready:stripe:WebhookEndpoint",
              "launchready:firebase:Hosting", "launchready:cloudflare:Zone", "launchready:gcp:Monitoring",
              "launchready:gcp:SweepSchedule"}


def functions_by_entry(plan):
    return {r.get("buildConfig.entryPoint"): r for r in plan.of_type(FUNCTION)}


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_every_resource_sits_in_a_component_named_after_it(plans, env):
    plan = plans[env]
    components = {r.urn: r for r in plan.resources if not r.custom}
    assert {c.type for c in components.values()} == COMPONENTS
    for resource in plan.resources:
        if resource.custom:
            parent = components[resource.parent]
            assert resource.name.startswith(f"{parent.name}-"), resource.name
        else:
            assert resource.parent.endswith(f"::pulumi:pulumi:Stack::launchready-{env}")
    assert [(r.type, r.name) for r in plan.resources] == sorted((r.type, r.name) for r in plan.resources)


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_project_apis_and_firebase(plans, configs, env):
    plan, config = plans[env], configs[env]
    project = plan.named("project-project")
    assert project.get("projectId") == config.gcp.project_id
    assert project.get("billingAccount") == config.gcp.billing_account
    assert project.get("labels.environment") == env
    services = {r.get("service") for r in plan.of_type("gcp:projects/service:Service")}
    assert services == {f"{api}.googleapis.com" for api in REQUIRED_APIS}
    assert plan.named("project-firebase").get("project") == config.gcp.project_id


def test_an_existing_project_is_adopted_not_created(configs):
    config = with_changes(configs["dev"], "gcp", create_project=False)
    plan = build_plan(config)
    assert not plan.of_type("gcp:organizations/project:Project")
    billing = plan.named("project-billing")
    assert (billing.get("project"), billing.get("billingAccount")) == ("acme-notes-dev", "01A2B3-C4D5E6-F7A8B9")
    assert plan.named("functions-source").get("project") == "acme-notes-dev"


@pytest.mark.parametrize("env,protected", [("dev", False), ("staging", False), ("prod", True)])
def test_firestore_protection_rules_and_indexes(plans, env, protected):
    plan = plans[env]
    db = plan.named("firestore-database")
    assert (db.get("deleteProtectionState") == "DELETE_PROTECTION_ENABLED") is protected
    assert (db.get("pointInTimeRecoveryEnablement") == "POINT_IN_TIME_RECOVERY_ENABLED") is protected
    assert bool(plan.of_type("gcp:firestore/backupSchedule:BackupSchedule")) is protected
    ruleset = plan.named("firestore-rules")
    assert ruleset.get("source.files.0.content") == (REPO_ROOT / "firestore.rules").read_text()
    release = plan.named("firestore-rules-release")
    assert release.get("name") == "cloud.firestore"
    assert release.get("rulesetName").startswith(f"projects/{db.get('project')}/rulesets/")
    wanted = json.loads((REPO_ROOT / "firestore.indexes.json").read_text())["indexes"]
    indexes = plan.of_type("gcp:firestore/index:Index")
    assert sorted((i.get("collection"), tuple(f["fieldPath"] for f in i.get("fields"))) for i in indexes) == \
        sorted((w["collectionGroup"], tuple(f["fieldPath"] for f in w["fields"])) for w in wanted)


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_auth_allows_only_the_apps_hostnames_and_firebase_domains(plans, configs, env):
    config, auth = configs[env], plans[env].named("auth-config")
    project = config.gcp.project_id
    local = ["localhost"] if env == "dev" else []   # `flutter run -d chrome` signs in from localhost in dev only
    assert auth.get("authorizedDomains") == [*config.app_hostnames, f"{project}.firebaseapp.com", f"{project}.web.app",
                                             *local]
    assert auth.get("signIn.email") == {"enabled": True, "passwordRequired": True}


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_functions_least_privilege_and_settings(plans, configs, env):
    plan, config = plans[env], configs[env]
    functions = functions_by_entry(plan)
    assert set(functions) == {"stripe_webhook", "sync_worker", "on_user_created", "request_support", "sweep"}
    accounts = {f.get("serviceConfig.serviceAccountEmail") for f in functions.values()}
    assert len(accounts) == 5, "each function runs as its own service account"
    for function in functions.values():
        assert function.get("serviceConfig.maxInstanceCount") == config.functions.max_instances
        assert function.get("serviceConfig.timeoutSeconds") == config.functions.timeout_seconds
        assert function.get("buildConfig.runtime") == "python311"
    worker = functions["sync_worker"]
    assert worker.get("eventTrigger.retryPolicy") == "RETRY_POLICY_RETRY"
    assert worker.get("eventTrigger.eventType") == "google.cloud.firestore.document.v1.created"
    assert {"attribute": "document", "operator": "match-path-pattern", "value": "sync_tasks/{task_id}"} in \
        worker.get("eventTrigger.eventFilters")
    assert worker.get("serviceConfig.environmentVariables.SYNC_MAX_ATTEMPTS") == str(config.functions.sync_max_attempts)
    assert worker.get("serviceConfig.environmentVariables.SUPPORT_API_BASE") == config.support.api_base
    secret_env = {f: sorted(v["key"] for v in r.get("serviceConfig.secretEnvironmentVariables") or [])
                  for f, r in functions.items()}
    assert secret_env == {"stripe_webhook": ["STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET"], "sync_worker": ["CRM_API_TOKEN", "SUPPORT_API_TOKEN"],
                          "on_user_created": [], "request_support": [],
                          "sweep": ["CRM_API_TOKEN", "STRIPE_SECRET_KEY", "SUPPORT_API_TOKEN"]}
    # Invokable by everyone: exactly the functions that verify their caller in code (the webhook's
    # signature, the app's Firebase ID token); event-driven ones only by their own trigger identity.
    invokers = {r.get("name"): r.get("member") for r in plan.of_type("gcp:cloudrunv2/serviceIamMember:ServiceIamMember")}
    assert sorted(n for n, m in invokers.items() if m in ("allUsers", "allAuthenticatedUsers")) == \
        ["request-support", "stripe-webhook"]
    assert invokers["sync-worker"].startswith("serviceAccount:fn-sync-worker@")
    roles = {(r.get("member"), r.get("role")) for r in plan.of_type("gcp:projects/iAMMember:IAMMember")}
    assert not {role for _, role in roles} & {"roles/owner", "roles/editor", "roles/secretmanager.secretAccessor"}


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_secret_access_is_granted_per_secret_to_the_reading_function(plans, env):
    plan = plans[env]
    grants = {(r.get("secretId"), r.get("member")) for r in plan.of_type("gcp:secretmanager/secretIamMember:SecretIamMember")}
    expected = set()
    for function in plan.of_type(FUNCTION):
        member = f"serviceAccount:{function.get('serviceConfig.serviceAccountEmail')}"
        expected |= {(v["secret"], member) for v in function.get("serviceConfig.secretEnvironmentVariables") or []}
    assert grants == expected and len(grants) == 7   # the webhook reads the Stripe key (link resolution); the sweep 3


def test_functions_archive_is_exactly_the_functions_folder(plans):
    archive = plans["prod"].named("functions-source-archive")
    folder = REPO_ROOT / "functions"
    assert archive.get("source.archive") == [p.relative_to(folder).as_posix() for p in source_files(folder)]
    assert {"main.py", "requirements.txt"} <= set(archive.get("source.archive"))
    assert not [p for p in archive.get("source.archive") if "__pycache__" in p or p.endswith(".pyc")]
    entry_object = functions_by_entry(plans["prod"])["stripe_webhook"].get("buildConfig.source.storageSource.object")
    assert entry_object == archive.get("name")


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_secrets_stay_secret(plans, configs, env):
    plan = plans[env]
    ids = sorted(r.get("secretId") for r in plan.of_type("gcp:secretmanager/secret:Secret"))
    assert ids == ["crm-api-token", "stripe-secret-key", "stripe-webhook-secret", "support-api-token"]
    versions = plan.of_type("gcp:secretmanager/secretVersion:SecretVersion")
    assert len(versions) == 4 and all(v.get("secretData") == SECRET for v in versions)
    assert plan.named("stripe-webhook-signing-secret").get("secret").endswith("/secrets/stripe-webhook-secret")
    assert plan.named("stripe-webhook-endpoint").get("api_key") == SECRET
    text = json.dumps(plan.to_dict())
    raw = yaml.safe_load((STACKS / f"Pulumi.{env}.yaml").read_text())["config"]
    ciphertexts = [v["secure"] for v in raw.values() if isinstance(v, dict) and "secure" in v]
    assert ciphertexts and not [c for c in ciphertexts if c in text]
    assert "whsec_" not in text


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_stripe_endpoint_uses_the_shared_event_list_and_pinned_version(plans, configs, env):
    endpoint = plans[env].named("stripe-webhook-endpoint")
    assert endpoint.type == "pulumi-python:dynamic:Resource"
    # every handled event that exists in the pinned version (invoice_payment.paid is basil+)
    assert endpoint.get("enabled_events") == endpoint_events(configs[env].stripe.api_version)
    assert endpoint.get("api_version") == configs[env].stripe.api_version
    assert endpoint.get("url") == configs[env].webhook_url


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_cloudflare_creates_exactly_the_desired_records(plans, configs, env):
    plan, config = plans[env], configs[env]
    planned = sorted((r.get("type"), r.get("name"), r.get("content") or f'0 issue "{r.get("data.value")}"',
                      r.get("proxied")) for r in plan.of_type("cloudflare:index/dnsRecord:DnsRecord"))
    wanted = sorted((s.type, s.name, txt_content(s.content) if s.type == "TXT" else s.content, s.proxied)
                    for s in desired_records(config))
    assert planned == wanted
    settings = {r.get("settingId"): r.get("value") for r in plan.of_type("cloudflare:index/zoneSetting:ZoneSetting")}
    assert settings["ssl"] == "strict" and settings["min_tls_version"] == "1.2"
    assert settings["tls_1_3"] == "on" and settings["always_use_https"] == "on"
    assert settings["security_header"]["strict_transport_security"]["max_age"] == config.tls.hsts_max_age
    redirects = plan.of_type("cloudflare:index/ruleset:Ruleset")
    assert bool(redirects) is config.domain.www_redirect
    if redirects:
        assert redirects[0].get("rules.0.expression") == f'(http.host eq "www.{config.domain.zone}")'


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_hosting_serves_app_and_api_and_routes_the_webhook(plans, configs, env):
    plan, config = plans[env], configs[env]
    domains = {r.get("customDomain") for r in plan.of_type("gcp:firebase/hostingCustomDomain:HostingCustomDomain")}
    assert domains == {config.domain.app_host, config.domain.api_host}
    rewrite = plan.named("hosting-version").get("config.rewrites.0")
    assert rewrite == {"glob": config.stripe.webhook_path, "run": {"region": config.gcp.region, "serviceId": "stripe-webhook"}}


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_monitoring_alerts_metrics_and_uptime(plans, configs, env):
    plan, config = plans[env], configs[env]
    alerts = {r.get(f"userLabels.{ALERT_LABEL}"): r for r in plan.of_type("gcp:monitoring/alertPolicy:AlertPolicy")}
    assert set(alerts) == set(REQUIRED_ALERTS)
    channels = [r.get("labels.email_address") for r in plan.of_type("gcp:monitoring/notificationChannel:NotificationChannel")]
    assert channels == config.alerts.emails
    assert all(len(a.get("notificationChannels")) == len(channels) for a in alerts.values())
    metrics = {r.get("name"): r.get("filter") for r in plan.of_type("gcp:logging/metric:Metric")}
    assert SYNC_DEAD_LETTERED in metrics["launchready/sync_dead_lettered"]
    assert WEBHOOK_EVENT_UNMATCHED in metrics["launchready/webhook_unmatched"]
    assert alerts["payment-sync-failed"].get("conditions.0.conditionThreshold.aggregations.0.alignmentPeriod") == "60s"
    assert "> 0.01" in alerts["function-error-rate"].get("conditions.0.conditionPrometheusQueryLanguage.query")
    assert alerts["function-latency-p95"].get("conditions.0.conditionThreshold.thresholdValue") == 500
    uptime = plan.named("monitoring-uptime-app")
    assert uptime.get("monitoredResource.labels.host") == config.domain.app_host
    assert "monitoring-uptime-app-check" in alerts["app-uptime"].get("conditions.0.conditionThreshold.filter")


def test_environments_share_no_project_hostname_or_secret(plans, configs):
    def identity(env):
        plan = plans[env]
        return {
            "project": {r.get("project") for r in plan.resources if r.get("project")},
            "hosts": {r.get("customDomain") for r in plan.of_type("gcp:firebase/hostingCustomDomain:HostingCustomDomain")},
            "secrets": {r.get("secret") for r in plan.of_type("gcp:secretmanager/secretVersion:SecretVersion")},
            "accounts": {r.get("serviceConfig.serviceAccountEmail") for r in plan.of_type(FUNCTION)},
            "records": {r.get("name") for r in plan.of_type("cloudflare:index/dnsRecord:DnsRecord")},
            "webhook": {plan.named("stripe-webhook-endpoint").get("url")},
        }
    ids = {env: identity(env) for env in ENVIRONMENTS}
    for key in ids["prod"]:
        for a, b in (("dev", "staging"), ("dev", "prod"), ("staging", "prod")):
            assert ids[a][key] and not ids[a][key] & ids[b][key], (key, a, b)


def test_plan_is_repeatable_and_thread_safe(configs):
    configs = [with_changes(configs[env], "functions", max_instances=7 + i) for i, env in enumerate(ENVIRONMENTS)]
    results: dict[str, object] = {}

    def plan(config):
        results[config.stack] = build_plan(config)

    threads = [threading.Thread(target=plan, args=(c,)) for c in configs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for i, config in enumerate(configs):
        result = results[config.stack]
        assert result.stack == config.stack
        assert {f.get("serviceConfig.maxInstanceCount") for f in result.of_type(FUNCTION)} == {7 + i}
    assert build_plan(configs[0]) is results[configs[0].stack]


def test_missing_rules_file_is_a_clear_config_error(configs):
    config = with_changes(configs["dev"], "firestore", rules_file="no/such.rules")
    with pytest.raises(ConfigError, match="rulesFile: the Firestore rules file 'no/such.rules': not found"):
        build_plan(config)


def test_an_api_version_upgrade_runs_two_endpoints_and_the_webhook_verifies_both(configs):
    config = with_changes(configs["prod"], "stripe", next_api_version="2026-10-28.endive")
    plan = build_plan(config)
    endpoints = {r.name: r for r in plan.of_type("pulumi-python:dynamic:Resource")}
    assert {n: (e.get("api_version"), e.get("url")) for n, e in endpoints.items()} == {
        "stripe-webhook-endpoint": (config.stripe.api_version, config.webhook_url),
        "stripe-webhook-next-endpoint": ("2026-10-28.endive", config.webhook_url)}
    assert plan.named("stripe-webhook-next-signing-secret").get("secret").endswith("/secrets/stripe-webhook-secret-next")
    webhook = functions_by_entry(plan)["stripe_webhook"]
    env = {v["key"]: v["secret"] for v in webhook.get("serviceConfig.secretEnvironmentVariables")}
    assert env["STRIPE_WEBHOOK_SECRET_NEXT"] == "stripe-webhook-secret-next"
    assert "stripe-webhook-secret-next" not in json.dumps(build_plan(configs["prod"]).to_dict())


def test_a_next_api_version_outside_the_supported_range_is_a_blocking_policy_finding(configs):
    from launchready.checks.catalog.infra.policy import subjects
    from launchready.policy.policies import POLICIES

    policy = next(p for p in POLICIES if p.check_id == "infra.policy.stripe_api_version")
    assert policy.violations(subjects(build_plan(configs["prod"]))) == []
    upgraded = build_plan(with_changes(configs["prod"], "stripe", next_api_version="2027-02-24.fig"))
    found = policy.violations(subjects(upgraded))
    assert [v.message.split()[3] for v in found] == ["stripe-webhook-next-endpoint"] and policy.severity == "critical"
