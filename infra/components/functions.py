"""Cloud Functions gen2 for `functions/`: one function per entry point, each with its own service
account holding only the roles and secrets it needs, built by a build account of their own. Public
(allUsers may invoke) are exactly the entry points in `backend.callers.VERIFIED_CALLERS`, whose code
verifies the caller."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pulumi
import pulumi_gcp as gcp
import pulumiverse_time as time

from launchready.functions.backend.callers import VERIFIED_CALLERS
from launchready.infra.components.secrets import (
    CRM_API_TOKEN,
    STRIPE_SECRET_KEY,
    STRIPE_WEBHOOK_SECRET,
    SUPPORT_API_TOKEN,
)
from launchready.infra.first_deploy import WAITS

RUNTIME = "python311"
SKIPPED_PARTS = {"__pycache__", ".pytest_cache"}
SYNC_TASKS_PATTERN = "sync_tasks/{task_id}"
SIGN_UP_METHOD = "google.cloud.identitytoolkit.v1.AuthenticationService.SignUp"
SIGN_UP_SERVICE = "identitytoolkit.googleapis.com"
# Audit-log triggers only see Data Access logs that are switched on (off by default for every service).
AUDIT_LOG_TYPES: tuple[str, ...] = ("DATA_READ", "DATA_WRITE")
# Projects created after May 2024 give the Compute default account no roles, so builds need their own.
BUILD_ROLES: tuple[str, ...] = ("roles/cloudbuild.builds.builder",)
BUILD_ACCOUNT_ID = "fn-build"


@dataclass(frozen=True)
class FunctionSpec:
    """One deployed entry point of `functions/main.py` and exactly what it may touch."""

    name: str
    entry_point: str
    trigger: Literal["http", "firestore", "sign_up"]
    roles: tuple[str, ...]
    secrets: dict[str, str] = field(default_factory=dict)      # env var -> secret id
    env: tuple[str, ...] = ()                                   # names of config-derived env vars

    @property
    def public(self) -> bool:
        """Invokable by allUsers: only entry points that verify their caller in code."""
        return self.entry_point in VERIFIED_CALLERS


FUNCTIONS: tuple[FunctionSpec, ...] = (
    FunctionSpec("stripe-webhook", "stripe_webhook", "http", ("roles/datastore.user",),
                 # the Stripe key resolves links newer API versions leave out of the payload (stripe_lookup)
                 {"STRIPE_WEBHOOK_SECRET": STRIPE_WEBHOOK_SECRET, "STRIPE_SECRET_KEY": STRIPE_SECRET_KEY}),
    FunctionSpec("sync-worker", "sync_worker", "firestore",
                 ("roles/datastore.user", "roles/eventarc.eventReceiver"),
                 {"CRM_API_TOKEN": CRM_API_TOKEN, "SUPPORT_API_TOKEN": SUPPORT_API_TOKEN},
                 env=("CRM_PROVIDER", "CRM_API_BASE", "SUPPORT_PROVIDER", "SUPPORT_API_BASE", "SYNC_MAX_ATTEMPTS")),
    FunctionSpec("on-user-created", "on_user_created", "sign_up",
                 ("roles/datastore.user", "roles/eventarc.eventReceiver")),
    FunctionSpec("request-support", "request_support", "http", ("roles/datastore.user",),
                 env=("SUPPORT_ALLOWED_ORIGINS",)),
    # private (not a verified caller): only the sweep schedule's account may invoke it (components/scheduler.py)
    FunctionSpec("sweep", "sweep", "http", ("roles/datastore.user",),
                 {"STRIPE_SECRET_KEY": STRIPE_SECRET_KEY, "CRM_API_TOKEN": CRM_API_TOKEN,
                  "SUPPORT_API_TOKEN": SUPPORT_API_TOKEN},
                 env=("CRM_PROVIDER", "CRM_API_BASE", "SUPPORT_PROVIDER", "SUPPORT_API_BASE", "SYNC_MAX_ATTEMPTS")),
)
WEBHOOK = FUNCTIONS[0]


@dataclass(frozen=True)
class FunctionsArgs:
    project_id: pulumi.Input[str]
    region: str
    firestore_location: str
    source_dir: Path
    secrets: dict[str, gcp.secretmanager.Secret]
    # secret id -> the version its readers pin: a new version changes the function and so rolls out a
    # new revision (with `latest`, warm instances kept the old value, e.g. after a webhook secret rotation)
    secret_versions: dict[str, gcp.secretmanager.SecretVersion]
    env: dict[str, str]                 # every config-derived variable; each function gets its own subset
    max_instances: int
    timeout_seconds: int
    memory: str
    labels: dict[str, str] = field(default_factory=dict)
    protect_source: bool = False
    extra_secrets: dict[str, dict[str, str]] = field(default_factory=dict)   # function -> env var -> secret id
    ready: list[pulumi.Resource] = field(default_factory=list)   # service agents (ServiceIdentity) functions need
    database: pulumi.Resource | None = None                       # what the Firestore trigger listens on
    unused: tuple[str, ...] = ()        # entry points of services the app does not use (not deployed)


class Functions(pulumi.ComponentResource):
    functions: dict[str, gcp.cloudfunctionsv2.Function]

    def __init__(self, name: str, args: FunctionsArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("launchready:gcp:Functions", name, None, opts)
        self._name, self._args = name, args
        child = pulumi.ResourceOptions(parent=self)
        bucket = gcp.storage.Bucket(
            f"{name}-source", project=args.project_id, location=args.region, labels=args.labels,
            uniform_bucket_level_access=True, public_access_prevention="enforced",
            force_destroy=not args.protect_source, opts=child)
        assets, digest = source_archive(args.source_dir)
        source = gcp.storage.BucketObject(
            f"{name}-source-archive", bucket=bucket.name, name=f"functions-{digest[:16]}.zip",
            source=pulumi.AssetArchive(assets), opts=child)
        self._builder = self._build_account()
        self._audit = [self._audit_config()] if any(s.trigger == "sign_up" for s in FUNCTIONS) else []
        deployed = [spec for spec in FUNCTIONS if spec.name not in args.unused]   # services the app uses
        accounts = {spec.name: self._account(spec) for spec in deployed}
        # One wait after every grant (build, runtime, secrets) and the service agents: a deploy started
        # before IAM propagates fails its build or its trigger on the first run (created once only).
        self._propagated = time.Sleep(
            f"{name}-iam-propagation", create_duration=WAITS["iam-propagation"].duration,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[
                *self._builder[1], *(g for _, grants in accounts.values() for g in grants), *args.ready]))
        self.functions = {spec.name: self._function(spec, bucket, source, accounts[spec.name][0])
                          for spec in deployed}
        self.register_outputs({"urls": {k: f.url for k, f in self.functions.items()}})

    def _secrets(self, spec: FunctionSpec) -> dict[str, str]:
        """env var -> secret id; a secret of a service the app does not use is not created, nor read."""
        return {key: sid for key, sid in {**spec.secrets, **self._args.extra_secrets.get(spec.name, {})}.items()
                if sid in self._args.secrets}

    def _account(self, spec: FunctionSpec) -> tuple[gcp.serviceaccount.Account, list[pulumi.Resource]]:
        """The function's own service account and its role and secret grants."""
        name, args = f"{self._name}-{spec.name}", self._args
        child = pulumi.ResourceOptions(parent=self)
        account = gcp.serviceaccount.Account(
            f"{name}-sa", project=args.project_id, account_id=f"fn-{spec.name}"[:30],
            display_name=f"Cloud Function {spec.name}", opts=child)
        member = account.email.apply(lambda email: f"serviceAccount:{email}")
        grants: list[pulumi.Resource] = [
            gcp.projects.IAMMember(f"{name}-role-{role.split('/')[-1]}", project=args.project_id, role=role,
                                   member=member, opts=child)
            for role in spec.roles
        ]
        grants += [
            gcp.secretmanager.SecretIamMember(f"{name}-reads-{secret_id}", project=args.project_id,
                                              secret_id=args.secrets[secret_id].secret_id,
                                              role="roles/secretmanager.secretAccessor", member=member, opts=child)
            for secret_id in self._secrets(spec).values()
        ]
        return account, grants

    def _function(self, spec: FunctionSpec, bucket: gcp.storage.Bucket, source: gcp.storage.BucketObject,
                  account: gcp.serviceaccount.Account) -> gcp.cloudfunctionsv2.Function:
        name, args = f"{self._name}-{spec.name}", self._args
        secrets = self._secrets(spec)
        member = account.email.apply(lambda email: f"serviceAccount:{email}")
        env = {"GOOGLE_CLOUD_PROJECT": args.project_id, "LAUNCHREADY_ENVIRONMENT": args.env["LAUNCHREADY_ENVIRONMENT"],
               **{key: args.env[key] for key in spec.env}}
        function = gcp.cloudfunctionsv2.Function(
            name, project=args.project_id, location=args.region, name=spec.name, labels=args.labels,
            description=f"launchready entry point {spec.entry_point}",
            build_config={"runtime": RUNTIME, "entry_point": spec.entry_point, "service_account": self._builder[0],
                          "source": {"storage_source": {"bucket": bucket.name, "object": source.name}}},
            service_config={
                "max_instance_count": args.max_instances, "min_instance_count": 0,
                "timeout_seconds": args.timeout_seconds, "available_memory": args.memory,
                "service_account_email": account.email, "environment_variables": env,
                "ingress_settings": "ALLOW_ALL" if spec.trigger == "http" else "ALLOW_INTERNAL_ONLY",
                "secret_environment_variables": [
                    {"key": key, "project_id": args.project_id, "secret": args.secrets[sid].secret_id,
                     "version": args.secret_versions[sid].version} for key, sid in secrets.items()],
            },
            event_trigger=self._trigger(spec, account),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self._propagated, *self._after(spec)]))
        invoker = "allUsers" if spec.public else (member if spec.trigger != "http" else None)
        if invoker is not None:
            # The literal service name (known even in a first preview, where policies read it).
            gcp.cloudrunv2.ServiceIamMember(
                f"{name}-invoker", project=args.project_id, location=args.region, name=spec.name,
                role="roles/run.invoker", member=invoker,
                opts=pulumi.ResourceOptions(parent=self, depends_on=[function]))
        return function

    def _after(self, spec: FunctionSpec) -> list[pulumi.Resource]:
        """What a function must wait for beyond the IAM wait: the database its trigger watches, the
        audit logs its sign-up trigger reads."""
        extra = {"firestore": [self._args.database] if self._args.database else [], "sign_up": self._audit}
        return extra.get(spec.trigger, [])

    def _build_account(self) -> tuple[pulumi.Output[str], list[pulumi.Resource]]:
        """The account Cloud Build runs function builds as (its full name) and its role grants."""
        args, child = self._args, pulumi.ResourceOptions(parent=self)
        account = gcp.serviceaccount.Account(
            f"{self._name}-build-sa", project=args.project_id, account_id=BUILD_ACCOUNT_ID,
            display_name="Cloud Functions builds", opts=child)
        grants = [gcp.projects.IAMMember(f"{self._name}-build-{role.split('/')[-1]}", project=args.project_id,
                                         role=role, member=account.email.apply(lambda e: f"serviceAccount:{e}"),
                                         opts=child)
                  for role in BUILD_ROLES]
        name = pulumi.Output.all(args.project_id, account.email).apply(
            lambda parts: f"projects/{parts[0]}/serviceAccounts/{parts[1]}")
        return name, grants

    def _audit_config(self) -> gcp.projects.IAMAuditConfig:
        """Data Access audit logs for Identity Platform: without them no SignUp entry is ever written."""
        return gcp.projects.IAMAuditConfig(
            f"{self._name}-audit-{SIGN_UP_SERVICE.split('.')[0]}", project=self._args.project_id,
            service=SIGN_UP_SERVICE, audit_log_configs=[{"log_type": t} for t in AUDIT_LOG_TYPES],
            opts=pulumi.ResourceOptions(parent=self))

    def _trigger(self, spec: FunctionSpec, account: gcp.serviceaccount.Account) -> dict | None:
        if spec.trigger == "firestore":
            return {"trigger_region": self._args.firestore_location,
                    "event_type": "google.cloud.firestore.document.v1.created",
                    "retry_policy": "RETRY_POLICY_RETRY", "service_account_email": account.email,
                    "event_filters": [
                        {"attribute": "database", "value": "(default)"},
                        {"attribute": "document", "value": SYNC_TASKS_PATTERN, "operator": "match-path-pattern"}]}
        if spec.trigger == "sign_up":
            return {"trigger_region": "global", "event_type": "google.cloud.audit.log.v1.written",
                    "retry_policy": "RETRY_POLICY_DO_NOT_RETRY", "service_account_email": account.email,
                    "event_filters": [
                        {"attribute": "serviceName", "value": SIGN_UP_SERVICE},
                        {"attribute": "methodName", "value": SIGN_UP_METHOD}]}
        return None


def source_files(source_dir: Path) -> list[Path]:
    """Every file of `functions/` except interpreter caches, sorted."""
    return sorted(p for p in source_dir.rglob("*")
                  if p.is_file() and not SKIPPED_PARTS.intersection(p.relative_to(source_dir).parts)
                  and p.suffix != ".pyc")


def source_archive(source_dir: Path) -> tuple[dict[str, pulumi.Asset | pulumi.Archive], str]:
    """The archive's assets (paths relative to `functions/`) and a content digest that names it, so
    any source change uploads a new object and redeploys the functions."""
    if not (source_dir / "requirements.txt").is_file():
        raise FileNotFoundError(f"{source_dir}: functions source needs a requirements.txt")
    digest = hashlib.sha256()
    assets: dict[str, pulumi.Asset | pulumi.Archive] = {}   # the mapping pulumi.AssetArchive takes
    for path in source_files(source_dir):
        rel = path.relative_to(source_dir).as_posix()
        digest.update(rel.encode() + b"\0" + path.read_bytes())
        assets[rel] = pulumi.FileAsset(str(path))
    return assets, digest.hexdigest()
