"""The typed environment model: one stack file -> one validated EnvironmentConfig.

The Pulumi program, the readiness checks and the handover docs all read this model; nothing else
parses stack YAML. Keys follow Pulumi's convention (`launchready:<camelCaseKey>`), and secrets are
Pulumi `secure:` values that this model carries as opaque references, never as plain text.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic.alias_generators import to_camel

from launchready.config.hints import capped, did_you_mean, yaml_trap_hint
from launchready.config.hostnames import hostname
from launchready.config.stack_yaml import StackFileError
from launchready.config.stack_yaml import load as load_yaml
from launchready.files import check_path

NAMESPACE = "launchready"
ENVIRONMENTS = ("dev", "staging", "prod")
SEVERITIES = ("critical", "high", "medium", "low", "info")
MAX_ITEMS = 50  # per list: a stack with more MX/DKIM/CAA entries than this is a mistake, not a config
NONE = "none"   # a crm/support provider (or payments) the app does not use
DEFAULT_BLOCKING = {"prod": ["critical", "high"], "staging": ["critical", "high"], "dev": ["critical"]}


class ConfigError(Exception):
    """A stack file that cannot be used; `problems` holds one human line each."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


class Secret:
    """A secret config value. Holds Pulumi ciphertext (or, flagged, a plain-text mistake) but never
    shows it: repr/str are redacted so it cannot leak into logs, reports or docs."""

    __slots__ = ("ciphertext", "_plaintext")

    def __init__(self, ciphertext: str | None = None, plaintext: str | None = None):
        self.ciphertext = ciphertext
        self._plaintext = plaintext

    @classmethod
    def parse(cls, value: Any) -> Secret:
        if isinstance(value, Secret):
            return value
        if isinstance(value, Mapping) and isinstance(value.get("secure"), str):
            return cls(ciphertext=value["secure"])
        if isinstance(value, str) and value:
            return cls(plaintext=value)
        raise ValueError("expected a Pulumi secret (`secure: <ciphertext>`)")

    @property
    def is_plaintext(self) -> bool:
        """True when the stack file stores the value unencrypted (a finding, not a crash)."""
        return self._plaintext is not None

    def reveal_plaintext(self) -> str | None:
        """The unencrypted value, only for secret-pattern checks; never print it."""
        return self._plaintext

    def __repr__(self) -> str:
        return "Secret([redacted])"

    __str__ = __repr__


# A secret field: parsed from `secure:` (or a flagged plain-text mistake), serialized as "[secret]".
SecretField = Annotated[Secret, BeforeValidator(Secret.parse), PlainSerializer(lambda _: "[secret]", return_type=str)]


class _Model(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid",
                              frozen=True, arbitrary_types_allowed=True)


class AppSettings(_Model):
    name: str
    support_email: str


class GcpSettings(_Model):
    project_id: str = Field(pattern=r"^[a-z][a-z0-9-]{4,28}[a-z0-9]$")
    create_project: bool = True
    billing_account: str | None = None
    folder_id: str | None = None
    org_id: str | None = None
    region: str = "europe-west1"
    firestore_location: str = "eur3"


class DomainSettings(_Model):
    zone: str
    cloudflare_zone_id: str | None = None   # required when dns.provider is cloudflare (see Architecture)
    app_host: str
    api_host: str
    www_redirect: bool = False
    mail_domain: str

    @field_validator("zone", "app_host", "api_host", "mail_domain")
    @classmethod
    def _hostname(cls, value: str) -> str:
        return hostname(value)


class TlsSettings(_Model):
    ssl_mode: Literal["off", "flexible", "full", "strict"] = "strict"
    min_tls_version: Literal["1.0", "1.1", "1.2", "1.3"] = "1.2"
    tls13: bool = True
    always_use_https: bool = True
    hsts_max_age: int = Field(default=31536000, ge=0)
    hsts_include_subdomains: bool = True


class MxRecord(_Model):
    host: Annotated[str, AfterValidator(hostname)]
    priority: int = Field(ge=0, le=65535)


class DkimKey(_Model):
    selector: str
    type: Literal["TXT", "CNAME"] = "TXT"
    value: str = Field(description="TXT: the `v=DKIM1; k=rsa; p=...` record; CNAME: the target host")


class EmailSettings(_Model):
    provider: str
    mx: list[MxRecord] = Field(min_length=1, max_length=MAX_ITEMS)
    spf_includes: list[str] = Field(min_length=1, max_length=MAX_ITEMS)
    spf_all: Literal["-all", "~all", "?all", "+all"] = "~all"
    # Mechanisms besides `include:` the domain's live SPF already carries (`ip4:203.0.113.5`, `mx`),
    # kept when `launchready adopt` merges that record into the stack's one SPF record.
    spf_mechanisms: list[Annotated[str, Field(pattern=r"^[+?~-]?(ip4:|ip6:|a\b|mx\b|exists:|ptr\b)[^\s]*$")]] = \
        Field(default_factory=list, max_length=MAX_ITEMS)
    dkim: list[DkimKey] = Field(min_length=1, max_length=MAX_ITEMS)
    dmarc_policy: Literal["none", "quarantine", "reject"]
    dmarc_rua: str

    @field_validator("dmarc_rua")
    @classmethod
    def _mailto(cls, value: str) -> str:
        if not value.startswith("mailto:"):
            raise ValueError("expected a `mailto:` URI")
        return value


class StripeSettings(_Model):
    mode: Literal["test", "live"]
    api_version: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}(\.[a-z]+)?$")
    webhook_path: str = "/stripe_webhook"
    # An API-version upgrade in progress: a second endpoint on this version runs beside the first
    # (README, Functions: upgrading the Stripe API version). Billing-owned addition.
    next_api_version: str | None = Field(default=None, pattern=r"^\d{4}-\d{2}-\d{2}(\.[a-z]+)?$")


class IntegrationSettings(_Model):
    provider: str
    api_base: str | None = None             # required unless provider is `none`
    owner: str | None = None

    @model_validator(mode="after")
    def _in_use_needs_api_base(self) -> IntegrationSettings:
        if self.provider != NONE and not self.api_base:
            raise ValueError(f"apiBase: missing required key (provider {self.provider!r}; `provider: none` if the app has none)")
        return self


class DnsSettings(_Model):
    """Who serves the zone: `cloudflare` (the program manages records and TLS settings) or `external`."""

    provider: Literal["cloudflare", "external"] = "cloudflare"


class AlertSettings(_Model):
    emails: list[str] = Field(default_factory=list, max_length=MAX_ITEMS)


class FunctionSettings(_Model):
    max_instances: int = Field(default=10, ge=1, le=1000)
    timeout_seconds: int = Field(default=60, ge=1, le=540)
    memory: str = "256Mi"
    sync_max_attempts: int = Field(default=3, ge=1, le=10)


class FirestoreSettings(_Model):
    rules_file: Annotated[str, AfterValidator(check_path)] = "firestore.rules"
    indexes_file: Annotated[str, AfterValidator(check_path)] = "firestore.indexes.json"
    delete_protection: bool | None = None
    point_in_time_recovery: bool | None = None
    backups: bool | None = None


class OrgPolicySettings(_Model):
    """The organization policies the stack's project lives under, and the choices they force
    (docs/provisioning.md: the fresh-project simulation and preflight check both)."""

    # allowed values of `gcp.resourceLocations` (e.g. `in:eu-locations`); empty = not constrained
    resource_locations: list[str] = Field(default_factory=list, max_length=MAX_ITEMS)
    # `iam.allowedPolicyMemberDomains` (domain restricted sharing): `none` = not enforced where the project
    # lives; `enforced` = enforced, no exception (the plan's public functions cannot deploy); `project-exception`
    # = enforced, and the first deploy runs in two steps with the project-level exception set between them
    domain_restricted_sharing: Literal["none", "enforced", "project-exception"] = "none"
    # user-managed (replicas in gcp.region) works under any location constraint; automatic needs `global`
    secret_replication: Literal["user-managed", "automatic"] = "user-managed"

    @model_validator(mode="after")
    def _satisfiable(self) -> OrgPolicySettings:
        allowed = {v.lower().removeprefix("in:") for v in self.resource_locations}
        if self.secret_replication == "automatic" and self.resource_locations and "global" not in allowed:
            raise ValueError(f"{NAMESPACE}:orgPolicy.secretReplication: automatic stores secrets in `global`, which "
                             f"{NAMESPACE}:orgPolicy.resourceLocations does not allow; use user-managed or allow global")
        return self


class BudgetSettings(_Model):
    """A monthly billing budget on the environment's project, alerting the `alerts.emails` channels."""

    amount: int = Field(default=100, ge=1)      # whole units of the billing account's currency
    thresholds: list[float] = Field(default_factory=lambda: [0.5, 0.9, 1.0], min_length=1, max_length=10)


class FirebaseAppsSettings(_Model):
    """The app's Firebase registrations in this environment, as `flutterfire configure` makes them; the
    program registers each one set, and `launchready app-config` writes the flavor's options from them."""

    android_package: str | None = Field(default=None, pattern=r"^[A-Za-z][\w]*(\.[A-Za-z][\w]*)+$")
    apple_bundle_id: str | None = Field(default=None, pattern=r"^[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)+$")
    web: bool = False
    flavor: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9_]*$")   # default: the environment


class StripeCutover(_Model):
    """A live endpoint at another URL that the stack's endpoint replaces (`launchready adopt`): the
    stack's endpoint is created disabled, and `launchready adopt --cut-over` switches the two."""

    from_endpoints: list[Annotated[str, Field(pattern=r"^we_[A-Za-z0-9]+$")]] = Field(alias="from", min_length=1,
                                                                                       max_length=16)


class AdoptSettings(_Model):
    """What `launchready adopt --write` found already running: program resource name -> the import id
    its provider documents, so the first `pulumi up` imports each instead of creating a duplicate."""

    imports: dict[str, Annotated[str, Field(min_length=1, max_length=500)]] = Field(default_factory=dict,
                                                                                   max_length=500)
    stripe_cutover: StripeCutover | None = None
    # Planned resources that collide with something live and cannot be imported (name -> why); the gate
    # (infra.plan.imports) blocks while the plan still makes them, so `pulumi up` never runs into them.
    conflicts: dict[str, Annotated[str, Field(max_length=1000)]] = Field(default_factory=dict, max_length=500)


class EnvironmentConfig(_Model):
    """Everything one environment (Pulumi stack) is made of."""

    environment: Literal["dev", "staging", "prod"]
    app: AppSettings
    gcp: GcpSettings
    domain: DomainSettings
    tls: TlsSettings = TlsSettings()
    email: EmailSettings
    caa_issuers: list[Annotated[str, AfterValidator(hostname)]] = Field(min_length=1, max_length=MAX_ITEMS)
    stripe: StripeSettings | None = None     # required when payments is stripe
    crm: IntegrationSettings = IntegrationSettings(provider="none")
    support: IntegrationSettings = IntegrationSettings(provider="none")
    alerts: AlertSettings = AlertSettings()
    owners: dict[str, str] = Field(default_factory=dict, max_length=MAX_ITEMS)
    functions: FunctionSettings = FunctionSettings()
    firestore: FirestoreSettings = FirestoreSettings()
    org_policy: OrgPolicySettings = OrgPolicySettings()
    budget: BudgetSettings = BudgetSettings()
    firebase_apps: FirebaseAppsSettings = FirebaseAppsSettings()
    adopt: AdoptSettings = AdoptSettings()
    blocking_severities: list[Literal["critical", "high", "medium", "low", "info"]] | None = None
    # Check-id prefix -> why it does not apply to this app (e.g. `stripe: no payments`); such checks
    # are reported as not applicable instead of run, and their skips never block. The gate accepts only
    # {reason, owner, expires} entries that what the plan deploys does not contradict (checks.framework.trust).
    not_applicable: dict[str, Annotated[str, Field(min_length=3)] | dict[str, Any]] = Field(default_factory=dict)
    # Optional here: a missing secret of a service in use is a finding (config.secrets.missing), not exit 2.
    stripe_secret_key: SecretField | None = None
    crm_api_token: SecretField | None = None
    support_api_token: SecretField | None = None
    # ------------------------------------------------ the app's architecture (docs/architecture-applicability.md)
    # What the app uses decides which checks apply and which components the program creates. The
    # defaults are the packaged architecture (the bundled example's); `backend: None` is inferred.
    payments: Literal["stripe", "none"] = "stripe"
    database: Literal["firestore", "rtdb", "both"] = "firestore"
    backend: Literal["launchready", "own"] | None = None
    dns: DnsSettings = DnsSettings()
    stack: str = Field(default="", exclude=True)
    source: str = Field(default="", exclude=True)

    @model_validator(mode="after")
    def _environment_defaults(self) -> EnvironmentConfig:
        prod = self.environment == "prod"
        fs = self.firestore
        object.__setattr__(self, "firestore", fs.model_copy(update={
            "delete_protection": prod if fs.delete_protection is None else fs.delete_protection,
            "point_in_time_recovery": prod if fs.point_in_time_recovery is None else fs.point_in_time_recovery,
            "backups": prod if fs.backups is None else fs.backups,
        }))
        if self.blocking_severities is None:
            object.__setattr__(self, "blocking_severities", list(DEFAULT_BLOCKING[self.environment]))
        return self

    @model_validator(mode="after")
    def _architecture_needs(self) -> EnvironmentConfig:
        if self.payments == "stripe" and self.stripe is None:
            raise ValueError("stripe: missing required key (payments: stripe; set `launchready:payments: none` "
                             "if the app takes no payments)")
        if self.dns.provider == "cloudflare" and not self.domain.cloudflare_zone_id:
            raise ValueError("domain.cloudflareZoneId: missing required key (dns.provider: cloudflare; set "
                             "`launchready:dns: {provider: external}` if the zone is elsewhere)")
        return self

    def required_secrets(self) -> tuple[str, ...]:
        """Secret fields the services in use need (a missing one is a finding with its command)."""
        needed = {"stripe_secret_key": self.payments == "stripe", "crm_api_token": self.crm.provider != NONE,
                  "support_api_token": self.support.provider != NONE}
        return tuple(name for name in self.SECRET_FIELDS if needed[name])

    # Names of fields that hold secrets; the infra program reads these with `require_secret`.
    SECRET_FIELDS: ClassVar[tuple[str, ...]] = ("stripe_secret_key", "crm_api_token", "support_api_token")

    @property
    def app_hostnames(self) -> list[str]:
        """Hostnames that serve the app and therefore need TLS, redirects and HSTS."""
        hosts = [self.domain.app_host]
        if self.domain.www_redirect:
            hosts.append(f"www.{self.domain.zone}")
        return hosts

    @property
    def webhook_url(self) -> str:
        path = self.stripe.webhook_path if self.stripe else StripeSettings.model_fields["webhook_path"].default
        return f"https://{self.domain.api_host}{path}"

    def secrets(self) -> dict[str, Secret]:
        """The secrets the stack sets (by config key); unset ones are absent."""
        return {to_camel(name): getattr(self, name) for name in self.SECRET_FIELDS if getattr(self, name) is not None}


# ---------------------------------------------------------------- loading

def parse_config(values: Mapping[str, Any], *, source: str, stack: str = "") -> EnvironmentConfig:
    """Validate a flat `{key: value}` mapping (namespace already stripped) into the model."""
    try:
        config = EnvironmentConfig.model_validate({**values, "stack": stack, "source": source})
    except ValidationError as exc:
        raise ConfigError(capped([_describe(source, err) for err in exc.errors()])) from None
    except (RecursionError, TypeError, OverflowError) as exc:  # defence in depth: input the limits missed
        raise ConfigError([f"{source}: {NAMESPACE}: cannot be validated ({type(exc).__name__})"]) from None
    from launchready.redact import remember  # every output removes a plaintext secret's value
    remember(*(secret.reveal_plaintext() for secret in config.secrets().values()))
    return config


def _describe(source: str, err: Mapping[str, Any]) -> str:
    loc = [str(p) for p in err["loc"]]
    key = f"{NAMESPACE}:{loc[0]}" + "".join(f".{p}" if not p.isdigit() else f"[{p}]" for p in loc[1:]) if loc else NAMESPACE
    if err["type"] == "missing":
        return f"{source}: {key}: missing required key"
    if err["type"] == "extra_forbidden":
        return f"{source}: {key}: unknown key{did_you_mean(EnvironmentConfig, loc)}"
    msg = err["msg"].removeprefix("Value error, ")
    if not loc and ": " in msg:  # a whole-model rule names its key first ("stripe: missing required key ...")
        name, msg = msg.split(": ", 1)
        key = f"{NAMESPACE}:{name}"
    return f"{source}: {key}: {msg}{yaml_trap_hint(err)}"


def stack_file(stacks_dir: Path, stack: str) -> Path:
    return Path(stacks_dir) / f"Pulumi.{stack}.yaml"


def list_stacks(stacks_dir: Path) -> list[str]:
    """Stack names that have a `Pulumi.<name>.yaml` file in `stacks_dir`, sorted."""
    return sorted(p.name[len("Pulumi."):-len(".yaml")] for p in Path(stacks_dir).glob("Pulumi.*.yaml"))


def read_stack_values(path: Path) -> dict[str, Any]:
    """The raw `config:` mapping of a stack file, all namespaces, exactly as Pulumi stores it."""
    return read_stack(path)[0]


def read_stack(path: Path) -> tuple[dict[str, Any], yaml.Node]:
    """The raw `config:` mapping and its YAML node (for key lines), read within stack_yaml's limits."""
    if not path.is_file():
        raise ConfigError([f"{path}: stack file not found"])
    try:
        document, root = load_yaml(path)
    except StackFileError as exc:
        raise ConfigError([f"{path}: {exc}"]) from None
    config_node = _config_node(root)
    if not isinstance(document, dict) or not isinstance(document.get("config"), dict) or config_node is None:
        raise ConfigError([f"{path}: config: expected a top-level `config:` mapping"])
    return document["config"], config_node


def _config_node(root: yaml.Node | None) -> yaml.Node | None:
    if isinstance(root, yaml.MappingNode):
        for key, node in root.value:
            if key.value == "config" and isinstance(node, yaml.MappingNode):
                return node
    return None


def load_stack(stacks_dir: Path, stack: str) -> EnvironmentConfig:
    """Load `stacks/Pulumi.<stack>.yaml` the way the Pulumi CLI hands config to the program."""
    path = stack_file(stacks_dir, stack)
    if not path.is_file():
        known = ", ".join(list_stacks(stacks_dir)) or "none"
        raise ConfigError([f"{path}: no such stack '{stack}' (stacks in {stacks_dir}: {known})"])
    raw = read_stack_values(path)
    prefix = f"{NAMESPACE}:"
    own = {k[len(prefix):]: v for k, v in raw.items() if isinstance(k, str) and k.startswith(prefix)}
    return parse_config(own, source=str(path), stack=stack)


def from_pulumi(stack: str) -> EnvironmentConfig:
    """Build the model inside a running Pulumi program (real or mocked) from `pulumi.Config`.

    Secret fields come back as ciphertext-free `Secret`s; the program reads their values with
    `pulumi.Config(NAMESPACE).require_secret(...)` so they stay secret in state.
    """
    import pulumi

    cfg = pulumi.Config(NAMESPACE)
    values: dict[str, Any] = {}
    for name, field in EnvironmentConfig.model_fields.items():
        alias = field.alias or name
        if field.exclude:
            continue
        if name in EnvironmentConfig.SECRET_FIELDS:
            if cfg.get(alias) is not None:
                values[alias] = {"secure": "[pulumi-secret]"}
            continue
        raw = cfg.get(alias)
        if raw is None:
            continue
        values[alias] = json.loads(raw) if raw[:1] in "{[" else _scalar(raw)
    return parse_config(values, source=f"Pulumi config of stack '{stack}'", stack=stack)


def _scalar(raw: str) -> Any:
    return {"true": True, "false": False}.get(raw, raw)
