"""The whole environment of one stack, wired from the typed config (read once, here)."""
from __future__ import annotations

import json
from pathlib import Path

import pulumi

from launchready.functions.backend.events import HANDLED_EVENTS
from launchready.infra.components.auth import Auth, AuthArgs
from launchready.infra.components.cloudflare import CloudflareArgs, CloudflareZone
from launchready.infra.components.firestore import Firestore, FirestoreArgs
from launchready.infra.components.functions import WEBHOOK, Functions, FunctionsArgs
from launchready.infra.components.hosting import Hosting, HostingArgs
from launchready.infra.components.monitoring import Monitoring, MonitoringArgs
from launchready.infra.components.project import Project, ProjectArgs
from launchready.infra.components.secrets import (CRM_API_TOKEN, STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET, SUPPORT_API_TOKEN,
                                      Secrets, SecretsArgs)
from launchready.infra.components.stripe_webhook import StripeWebhook, StripeWebhookArgs
from launchready.infra.config import NAMESPACE, ConfigError, EnvironmentConfig, from_pulumi
from launchready.infra.dns_records import desired_records, hosting_site_id
from launchready.project import Project as LaunchProject
from launchready.project import current as current_project

SECRET_CONFIG = {STRIPE_SECRET_KEY: "stripeSecretKey", CRM_API_TOKEN: "crmApiToken",
                 SUPPORT_API_TOKEN: "supportApiToken"}


def deploy() -> None:
    """The Pulumi program: `pulumi up` runs it via infra/__main__.py, `launchready plan` under mocks."""
    config = from_pulumi(pulumi.get_stack())
    settings = pulumi.Config(NAMESPACE)
    secret_values = {sid: settings.require_secret(key) for sid, key in SECRET_CONFIG.items()}
    for key, value in build(config, secret_values, _project()).items():
        pulumi.export(key, value)


def _project() -> LaunchProject:
    """The user's project: where the engine found Pulumi.yaml (the offline plan sets the same)."""
    root = pulumi.runtime.get_root_directory()
    return LaunchProject.load(Path(root)) if root else current_project()


def _read(path: Path, what: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError([f"{path}: cannot read the {what}: {exc.strerror}"]) from None


def build(config: EnvironmentConfig, secret_values: dict[str, pulumi.Output[str]],
          source: LaunchProject) -> dict[str, object]:
    """Every component of the environment; returns the stack outputs. `source` is the user's project:
    its rules, indexes and (own or packaged) functions are what gets deployed."""
    env, gcp_cfg, domain = config.environment, config.gcp, config.domain
    prod = env == "prod"
    labels = {"environment": env, "managed-by": "launchready"}
    project = Project("project", ProjectArgs(
        project_id=gcp_cfg.project_id, create=gcp_cfg.create_project, billing_account=gcp_cfg.billing_account,
        folder_id=gcp_cfg.folder_id, org_id=gcp_cfg.org_id, protect=prod, labels=labels))
    after_apis = pulumi.ResourceOptions(depends_on=project.ready)
    pid = project.project_id

    fs = config.firestore
    Firestore("firestore", FirestoreArgs(
        project_id=pid, location=gcp_cfg.firestore_location, delete_protection=bool(fs.delete_protection),
        point_in_time_recovery=bool(fs.point_in_time_recovery), backups=bool(fs.backups),
        rules_source=_read(source.resolve(fs.rules_file, f"{NAMESPACE}:firestore.rulesFile"), "Firestore rules"),
        indexes=json.loads(_read(source.resolve(fs.indexes_file, f"{NAMESPACE}:firestore.indexesFile"),
                                 "Firestore indexes")).get("indexes", [])),
        opts=after_apis)
    Auth("auth", AuthArgs(project_id=pid, app_hostnames=config.app_hostnames), opts=after_apis)

    secrets = Secrets("secrets", SecretsArgs(project_id=pid, values=secret_values, labels=labels), opts=after_apis)
    webhook = StripeWebhook("stripe-webhook", StripeWebhookArgs(
        api_key=secret_values[STRIPE_SECRET_KEY], url=config.webhook_url, enabled_events=list(HANDLED_EVENTS),
        api_version=config.stripe.api_version,
        description=f"{config.app.name}: launchready stack {config.stack or env}",
        signing_secret=secrets.secrets[STRIPE_WEBHOOK_SECRET]))

    fn = config.functions
    functions = Functions("functions", FunctionsArgs(
        project_id=pid, region=gcp_cfg.region, firestore_location=gcp_cfg.firestore_location,
        source_dir=source.functions_dir, secrets=secrets.secrets, labels=labels, protect_source=prod,
        max_instances=fn.max_instances, timeout_seconds=fn.timeout_seconds, memory=fn.memory,
        env={"LAUNCHREADY_ENVIRONMENT": env, "CRM_PROVIDER": config.crm.provider, "CRM_API_BASE": config.crm.api_base,
             "SUPPORT_PROVIDER": config.support.provider, "SUPPORT_API_BASE": config.support.api_base,
             "SYNC_MAX_ATTEMPTS": str(fn.sync_max_attempts)}),
        opts=pulumi.ResourceOptions(depends_on=[*project.ready, *secrets.versions.values(),
                                                webhook.signing_secret_version]))

    hostnames = sorted({domain.app_host, domain.api_host})
    Hosting("hosting", HostingArgs(
        project_id=pid, site_id=hosting_site_id(config), hostnames=hostnames, region=gcp_cfg.region,
        webhook_path=config.stripe.webhook_path, webhook_service=functions.functions[WEBHOOK.name].name),
        opts=after_apis)

    tls = config.tls
    CloudflareZone("cloudflare", CloudflareArgs(
        zone_id=domain.cloudflare_zone_id, zone=domain.zone, records=desired_records(config),
        ssl_mode=tls.ssl_mode, min_tls_version=tls.min_tls_version, tls13=tls.tls13,
        always_use_https=tls.always_use_https, hsts_max_age=tls.hsts_max_age,
        hsts_include_subdomains=tls.hsts_include_subdomains, www_redirect=domain.www_redirect))

    Monitoring("monitoring", MonitoringArgs(
        project_id=pid, emails=list(config.alerts.emails), app_host=domain.app_host, environment=env,
        services={"webhook": WEBHOOK.name, "sync": "sync-worker"}), opts=after_apis)

    return {"project_id": pid, "app_url": f"https://{domain.app_host}", "webhook_url": config.webhook_url,
            "function_urls": {k: f.url for k, f in functions.functions.items()}}
