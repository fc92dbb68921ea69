"""The whole environment of one stack, wired from the typed config (read once, here)."""
from __future__ import annotations

import json
from pathlib import Path

import pulumi
from pydantic.alias_generators import to_camel

from launchready.config.architecture import Architecture
from launchready.config.model import NAMESPACE, ConfigError, EnvironmentConfig, from_pulumi
from launchready.files import FileProblem, read_capped
from launchready.infra.adoption import adopt
from launchready.infra.components.apps import AppsArgs, FirebaseApps
from launchready.infra.components.auth import Auth, AuthArgs
from launchready.infra.components.cloudflare import CloudflareArgs, CloudflareZone
from launchready.infra.components.firestore import Firestore, FirestoreArgs
from launchready.infra.components.functions import WEBHOOK, Functions, FunctionsArgs
from launchready.infra.components.hosting import Hosting, HostingArgs
from launchready.infra.components.monitoring import BudgetArgs, Monitoring, MonitoringArgs
from launchready.infra.components.project import GcpProject, ProjectArgs
from launchready.infra.components.scheduler import SWEEP_FUNCTION, SweepSchedule, SweepScheduleArgs
from launchready.infra.components.secrets import (
    CRM_API_TOKEN,
    STRIPE_SECRET_KEY,
    STRIPE_WEBHOOK_SECRET,
    SUPPORT_API_TOKEN,
    Secrets,
    SecretsArgs,
)
from launchready.infra.components.stripe_webhook import overlap_secret_ids, stripe_endpoints
from launchready.infra.dns_records import api_site_id, desired_records, hosting_site_id
from launchready.project import Project, discover

SECRET_CONFIG = {STRIPE_SECRET_KEY: "stripeSecretKey", CRM_API_TOKEN: "crmApiToken",
                 SUPPORT_API_TOKEN: "supportApiToken"}


def deploy() -> None:
    """The Pulumi program: `pulumi up` runs it via infra/__main__.py, `launchready plan` under mocks."""
    config = from_pulumi(pulumi.get_stack())
    settings = pulumi.Config(NAMESPACE)
    required = {to_camel(name) for name in config.required_secrets()}   # only services in use need theirs
    secret_values = {sid: settings.require_secret(key) for sid, key in SECRET_CONFIG.items() if key in required}
    for key, value in build(config, secret_values, _project()).items():
        pulumi.export(key, value)


def _project() -> Project:
    """The user's project: where the engine found Pulumi.yaml (the offline plan sets the same)."""
    root = pulumi.runtime.get_root_directory()
    return Project.load(Path(root)) if root else discover()


def _read(config: EnvironmentConfig, source: Project, key: str, what: str) -> str:
    """A file named by `launchready:firestore.<key>`: inside the project, size-capped before reading."""
    relative = getattr(config.firestore, key)
    where = f"{config.source or 'stack config'}: {NAMESPACE}:firestore.{to_camel(key)}"
    path = source.resolve(relative, where)
    try:
        return read_capped(path)
    except FileProblem as exc:
        raise ConfigError([f"{where}: the {what} {relative!r}: {exc}"]) from None


def _optional(config: EnvironmentConfig, source: Project, key: str, what: str) -> str | None:
    """None when the stack names no such file and the default one does not exist (an app without
    rules or indexes still plans); a file the stack names must exist."""
    if key not in config.firestore.model_fields_set and not (source.root / getattr(config.firestore, key)).exists():
        return None
    return _read(config, source, key, what)


def _indexes(config: EnvironmentConfig, source: Project) -> list:
    """The `indexes` list of the indexes file; a file that is not such JSON is a config error."""
    text = _optional(config, source, "indexes_file", "Firestore indexes file")
    if text is None:
        return []
    try:
        document = json.loads(text)
    except ValueError:
        document = None
    if not isinstance(document, dict) or not isinstance(document.get("indexes", []), list):
        raise ConfigError([f"{config.source or 'stack config'}: {NAMESPACE}:firestore.indexesFile: "
                           f"{config.firestore.indexes_file!r} is not a Firestore indexes JSON file "
                           "(expected an object with an `indexes` list)"])
    return document.get("indexes", [])


def build(config: EnvironmentConfig, secret_values: dict[str, pulumi.Output[str]],
          source: Project) -> dict[str, object]:
    """Every component of the environment; returns the stack outputs. `source` is the user's project:
    its rules, indexes and (own or packaged) functions are what gets deployed."""
    env, gcp_cfg, domain = config.environment, config.gcp, config.domain
    prod = env == "prod"
    labels = {"environment": env, "managed-by": "launchready"}
    importer = adopt(config.adopt.imports)   # what `launchready adopt` found running is imported, not created
    project = GcpProject("project", ProjectArgs(
        project_id=gcp_cfg.project_id, create=gcp_cfg.create_project, billing_account=gcp_cfg.billing_account,
        folder_id=gcp_cfg.folder_id, org_id=gcp_cfg.org_id, protect=prod, labels=labels))
    # Everything after the project bills its API calls to the project itself (see GcpProject.provider).
    after_apis = pulumi.ResourceOptions(depends_on=project.ready, providers=[project.provider])
    pid = project.project_id

    uses = Architecture.of(config, source.root).uses   # what the app uses decides which components exist
    fs = config.firestore
    firestore = None if "firestore" not in uses else Firestore("firestore", FirestoreArgs(
        project_id=pid, location=gcp_cfg.firestore_location, delete_protection=bool(fs.delete_protection),
        point_in_time_recovery=bool(fs.point_in_time_recovery), backups=bool(fs.backups),
        rules_source=_optional(config, source, "rules_file", "Firestore rules file"), indexes=_indexes(config, source)),
        opts=after_apis)
    Auth("auth", AuthArgs(project_id=pid, app_hostnames=config.app_hostnames, allow_localhost=env == "dev"),
         opts=after_apis)

    secrets = Secrets("secrets", SecretsArgs(project_id=pid, values=secret_values, labels=labels,
                                             optional_ids=overlap_secret_ids(config) if "stripe" in uses else (),
                                             unused_ids=_unused_secrets(uses),
                                             replicas=None if config.org_policy.secret_replication == "automatic"
                                             else (gcp_cfg.region,)), opts=after_apis)
    signing_versions, webhook_secrets = stripe_endpoints(
        config, secret_values[STRIPE_SECRET_KEY], secrets.secrets,
        provider=project.provider) if "stripe" in uses else ({}, {})

    fn = config.functions
    functions = None if "launchready_backend" not in uses else Functions("functions", FunctionsArgs(
        project_id=pid, region=gcp_cfg.region, firestore_location=gcp_cfg.firestore_location,
        source_dir=source.functions_dir, secrets=secrets.secrets, labels=labels, protect_source=prod,
        secret_versions={**secrets.versions, **signing_versions},
        ready=project.agents_ready, database=firestore.database if firestore else None,
        unused=_unused_functions(uses),
        max_instances=fn.max_instances, timeout_seconds=fn.timeout_seconds, memory=fn.memory,
        env={"LAUNCHREADY_ENVIRONMENT": env, "CRM_PROVIDER": config.crm.provider, "CRM_API_BASE": config.crm.api_base or "",
             "SUPPORT_PROVIDER": config.support.provider, "SUPPORT_API_BASE": config.support.api_base or "",
             "SYNC_MAX_ATTEMPTS": str(fn.sync_max_attempts),
             "SUPPORT_ALLOWED_ORIGINS": ",".join(f"https://{host}" for host in config.app_hostnames)},
        extra_secrets={WEBHOOK.name: webhook_secrets}),
        opts=pulumi.ResourceOptions(depends_on=[*project.ready, *secrets.versions.values(),
                                                *signing_versions.values()],
                                    providers=[project.provider]))

    if functions and SWEEP_FUNCTION in functions.functions:   # the backend's sweeps run on a schedule, not on traffic
        SweepSchedule("sweep-schedule", SweepScheduleArgs(
            project_id=pid, region=gcp_cfg.region, function=functions.functions[SWEEP_FUNCTION]), opts=after_apis)

    Hosting("hosting", HostingArgs(
        project_id=pid, site_id=hosting_site_id(config), api_site_id=api_site_id(config),
        app_host=domain.app_host, api_host=domain.api_host, region=gcp_cfg.region,
        webhook_path=config.stripe.webhook_path if config.stripe else "",
        webhook_service=functions.functions[WEBHOOK.name].name if functions and WEBHOOK.name in functions.functions
        else None),
        opts=after_apis)

    tls = config.tls
    if "cloudflare" in uses:   # dns.provider external: the zone, its records and TLS settings are managed elsewhere
        assert domain.cloudflare_zone_id is not None, "the config model requires it for dns.provider: cloudflare"
        CloudflareZone("cloudflare", CloudflareArgs(
            zone_id=domain.cloudflare_zone_id, zone=domain.zone, records=desired_records(config),
            ssl_mode=tls.ssl_mode, min_tls_version=tls.min_tls_version, tls13=tls.tls13,
            always_use_https=tls.always_use_https, hsts_max_age=tls.hsts_max_age,
            hsts_include_subdomains=tls.hsts_include_subdomains, www_redirect=domain.www_redirect, protect=prod))

    Monitoring("monitoring", MonitoringArgs(
        project_id=pid, emails=list(config.alerts.emails), app_host=domain.app_host, environment=env,
        services={"webhook": WEBHOOK.name, "sync": "sync-worker"},
        api_host=domain.api_host, webhook_path=config.stripe.webhook_path if config.stripe else "/",
        budget=BudgetArgs(gcp_cfg.billing_account, project.number, config.budget.amount, config.budget.thresholds)
        if gcp_cfg.billing_account else None), opts=after_apis)

    apps = config.firebase_apps
    app_outputs = FirebaseApps("apps", AppsArgs(
        project_id=pid, display_name=config.app.name, android_package=apps.android_package,
        apple_bundle_id=apps.apple_bundle_id, web=apps.web, keep_on_delete=prod, ready=project.ready),
        opts=after_apis).outputs if apps.android_package or apps.apple_bundle_id or apps.web else {}

    if importer.unused:   # a renamed resource or a component this stack no longer has: nothing imports it
        pulumi.log.warn(f"launchready:adopt.imports names resources the program does not make: "
                        f"{', '.join(importer.unused)} (run `launchready adopt --write` again)")
    return {"project_id": pid, "app_url": f"https://{domain.app_host}", "webhook_url": config.webhook_url,
            "function_urls": {k: f.url for k, f in functions.functions.items()} if functions else {},
            "firebase_apps": app_outputs}


def _unused_secrets(uses: frozenset[str]) -> tuple[str, ...]:
    """Secret Manager secrets of services the app does not use (launchready.config.architecture)."""
    by_service = {"stripe": (STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET), "crm": (CRM_API_TOKEN,),
                  "support": (SUPPORT_API_TOKEN,)}
    return tuple(sid for service, ids in by_service.items() if service not in uses for sid in ids)


def _unused_functions(uses: frozenset[str]) -> tuple[str, ...]:
    """Entry points of services the app does not use: no webhook without payments, no sync without
    a CRM or support desk."""
    return (*((WEBHOOK.name,) if "stripe" not in uses else ()),
            *(("sync-worker",) if not {"crm", "support"} & uses else ()))
