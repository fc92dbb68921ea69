"""How `reconcile` and `smoke` reach one running environment: its Firestore, Stripe, CRM and support
desk — the running sandbox's parts (`--sandbox`), or the deployed stack's with the operator's own
credentials (Application Default Credentials for Firestore, or $FIRESTORE_EMULATOR_HOST; STRIPE_SECRET_KEY,
CRM_API_TOKEN and SUPPORT_API_TOKEN from the environment, as `launchready check` reads them; Stripe's base
from $LAUNCHREADY_STRIPE_API_BASE as in `preflight`). A system without
credentials is `None` with the reason, so its comparisons are skipped, never guessed.
"""
from __future__ import annotations

import io
import os
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from launchready.config.model import ConfigError, EnvironmentConfig
from launchready.functions.backend.settings import SyncSettings
from launchready.preflight.model import Endpoints
from launchready.project import Project

if TYPE_CHECKING:
    from google.cloud.firestore import Client

DEFAULT_STRIPE_API_BASE = "https://api.stripe.com"


@dataclass
class Systems:
    stack: str
    environment: str
    sandbox: bool
    db: Client | None = None
    stripe_key: str | None = None
    stripe_base: str = DEFAULT_STRIPE_API_BASE
    sync: SyncSettings | None = None               # provider settings; a target without a token is skipped
    targets: dict[str, Any] = field(default_factory=dict)   # sandbox URLs (functions, stand-ins)
    missing: dict[str, str] = field(default_factory=dict)   # system -> why it cannot be read

    def has(self, *names: str) -> bool:
        return not any(name in self.missing for name in names)

    def why_not(self, *names: str) -> str:
        return "; ".join(self.missing[n] for n in names if n in self.missing)


def connect(config: EnvironmentConfig, project: Project, sandbox: bool) -> Systems:
    """The environment's systems, reachable or each with the reason it is not."""
    return _sandbox(config, project) if sandbox else _deployed(config)


def _settings(providers: tuple[str, str], crm: tuple[str, str], support: tuple[str, str],
              max_attempts: int) -> SyncSettings:
    return SyncSettings(crm_provider=providers[0], crm_api_base=crm[0], crm_api_token=crm[1],
                        support_provider=providers[1], support_api_base=support[0], support_api_token=support[1],
                        max_attempts=max_attempts, backoff_seconds=1.0, http_timeout_seconds=10.0)


def _sandbox(config: EnvironmentConfig, project: Project) -> Systems:
    from launchready.sandbox.state import load_state

    state = load_state(project)
    if state.get("stack") not in (None, config.stack):
        raise ConfigError([f"--sandbox: the running sandbox replicates stack '{state['stack']}', not "
                           f"'{config.stack}' (`launchready sandbox down`, then `sandbox up --stack {config.stack}`)"])
    return from_state(state, config.environment)


def from_state(state: dict[str, Any], environment: str) -> Systems:
    """The running sandbox's systems, from its state file's targets and the functions' environment."""
    from launchready.functions.backend.store import client_for

    targets, env = state["targets"], state["function_env"]
    return Systems(state["stack"], environment, True,
                   db=client_for(targets["firestore_project"], targets["firestore_emulator_host"]),
                   stripe_key=targets["stripe_api_key"], stripe_base=targets["stripe_api_base"],
                   sync=_settings((env["CRM_PROVIDER"], env["SUPPORT_PROVIDER"]),
                                  (targets["crm_api_base"], env["CRM_API_TOKEN"]),
                                  (targets["support_api_base"], env["SUPPORT_API_TOKEN"]), int(env["SYNC_MAX_ATTEMPTS"])),
                   targets=targets)


def _deployed(config: EnvironmentConfig) -> Systems:
    systems = Systems(config.stack, config.environment, False)
    systems.db = _firestore(config, systems.missing)
    systems.stripe_key = os.environ.get("STRIPE_SECRET_KEY") or None
    systems.stripe_base = Endpoints.resolve().stripe
    if not systems.stripe_key:
        systems.missing["stripe"] = "no Stripe key: set STRIPE_SECRET_KEY to a (restricted, read) key of this environment"
    tokens = {name: os.environ.get(f"{name.upper()}_API_TOKEN") or "" for name in ("crm", "support")}
    for name, token in tokens.items():
        if not token:
            systems.missing[name] = f"no {name} token: set {name.upper()}_API_TOKEN"
    # api_base is None only for `provider: none` (the config model requires it otherwise), which has no adapter to call
    systems.sync = _settings((config.crm.provider, config.support.provider), (config.crm.api_base or "", tokens["crm"]),
                             (config.support.api_base or "", tokens["support"]), config.functions.sync_max_attempts)
    return systems


def _firestore(config: EnvironmentConfig, missing: dict[str, str]) -> Client | None:
    import google.auth
    from google.auth.exceptions import DefaultCredentialsError

    from launchready.functions.backend.store import client_for

    emulator = os.environ.get("FIRESTORE_EMULATOR_HOST")
    if emulator:   # the Google clients' own switch: an emulator needs no credentials
        return client_for(config.gcp.project_id, emulator)
    try:
        google.auth.default()
    except DefaultCredentialsError:
        missing["firestore"] = ("no Google credentials for Firestore: run `gcloud auth application-default login` "
                                "(or set GOOGLE_APPLICATION_CREDENTIALS)")
        return None
    return client_for(config.gcp.project_id)


@contextmanager
def backend_env(systems: Systems) -> Iterator[list[dict[str, Any]]]:
    """Run backend code in-process against `systems`: its Stripe key and base for link lookups, its
    log lines collected (not printed over our report). Restores the environment afterwards."""
    from launchready.functions.backend.logs import captured

    wanted = {"STRIPE_SECRET_KEY": systems.stripe_key, "STRIPE_API_BASE": systems.stripe_base}
    saved = {name: os.environ.get(name) for name in wanted}
    try:
        for name, value in wanted.items():
            if value:
                os.environ[name] = value
            else:
                os.environ.pop(name, None)
        # lines logged on worker threads (transactions) bypass `captured`: keep them off our stdout too
        with captured() as lines, redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO()):
            yield lines
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
