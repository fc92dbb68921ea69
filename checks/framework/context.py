"""What a check may look at: the stack's typed config, every stack, the offline plan, live targets.

Everything is loaded once per run and shared by all checks (lazily, thread-safe): a check never
re-parses YAML or re-runs the plan on its own.
"""
from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from launchready.config.model import NAMESPACE, ConfigError, EnvironmentConfig, list_stacks, load_stack, stack_file

if TYPE_CHECKING:
    from launchready.checks.framework.waivers import Waiver, WaiverPolicy
    from launchready.config.architecture import Architecture
    from launchready.infra.plan import Plan
    from launchready.project import Project

T = TypeVar("T")
RULES_API_ENV = "LAUNCHREADY_FIREBASE_RULES_API"  # Firebase Rules API base outside the sandbox (tests, proxies)


@dataclass(frozen=True)
class CheckOptions:
    """The CLI's flags; `None` means "take it from the stack config"."""

    stack: str
    stacks_dir: Path | None = None         # None: the project's stackConfigDir
    offline: bool = False
    only: tuple[str, ...] = ()
    skip: tuple[str, ...] = ()
    app_dir: Path | None = None
    rules_file: Path | None = None
    domain: str | None = None
    nameserver: str | None = None          # "host:port"
    https_port: int | None = None
    http_port: int | None = None
    ca_file: Path | None = None
    connect_host: str | None = None        # connect here instead of resolving app hostnames
    webhook_url: str | None = None
    stripe_api_base: str | None = None
    monitoring_api_base: str | None = None  # Cloud Monitoring API base (a local stand-in in tests)
    sandbox: bool = False
    rules_engine: str = "builtin"           # rules.behaviour.*: builtin engine, or the emulator to cross-check
    strict: bool | None = None             # None: strict in CI (CI=true) and for prod
    waivers_file: Path | None = None       # None: launchready.yaml at the project root
    baseline: Path | None = None           # fingerprints of accepted findings (--baseline)
    allow_critical_waivers: bool = False   # a waiver/baseline may accept a critical finding in prod
    base_ref: str | None = None            # git ref whose trust levers this run compares against (--base-ref)


@dataclass(frozen=True)
class LiveTargets:
    """Where live checks point: the environment's real endpoints unless overridden."""

    domain: str
    hostnames: tuple[str, ...]
    nameserver: tuple[str, int] | None
    https_port: int
    http_port: int
    ca_file: Path | None
    connect_host: str | None
    webhook_url: str
    stripe_api_base: str
    stripe_api_key: str | None = field(repr=False, default=None)
    firestore_emulator_host: str | None = None
    monitoring_api_base: str | None = None   # None: https://monitoring.googleapis.com with Google credentials
    firebase_rules_api_base: str | None = None  # None: https://firebaserules.googleapis.com with Google credentials


class CheckContext:
    def __init__(self, options: CheckOptions, config: EnvironmentConfig | None = None,
                 project: Project | None = None):
        from launchready.project import discover

        self.project = project or discover()   # a library caller: the project the working directory is in
        self.options = replace(options, stacks_dir=options.stacks_dir or self.project.stacks_dir)
        self.config = config or load_stack(self.stacks_dir, options.stack)
        self.rules_file  # noqa: B018 - a rules path outside the project is a config error now (exit 2), not N check errors
        self._lock = threading.Lock()
        self._plan: Plan | None = None
        self._shared: dict[str, tuple[threading.Lock, list]] = {}

    @property
    def repo_root(self) -> Path:
        """The project root: what the repository secret scan walks and what paths are shown relative to."""
        return self.project.root

    @property
    def stack(self) -> str:
        return self.options.stack

    @property
    def stacks_dir(self) -> Path:
        """`--stacks-dir`, else the project's stackConfigDir (filled in by __init__, so never None here)."""
        assert self.options.stacks_dir is not None  # __init__ replaced None with the project's folder
        return self.options.stacks_dir

    @cached_property
    def all_stacks(self) -> dict[str, EnvironmentConfig | ConfigError]:
        """Every stack in `--stacks-dir`; one that does not load is kept as its ConfigError."""
        stacks: dict[str, EnvironmentConfig | ConfigError] = {}
        for name in list_stacks(self.stacks_dir):
            try:
                stacks[name] = self.config if name == self.stack else load_stack(self.stacks_dir, name)
            except ConfigError as exc:
                stacks[name] = exc
        return stacks

    @property
    def checked_stacks(self) -> dict[str, EnvironmentConfig | ConfigError]:
        """The stacks whose own findings this run reports: only the checked one (another stack's
        placeholders belong to that stack's run); cross-stack checks (separation) read `all_stacks`."""
        return {self.stack: self.all_stacks.get(self.stack, self.config)}

    @property
    def plan(self) -> Plan:
        """The offline plan (the Pulumi program under mocks), computed once per run."""
        with self._lock:
            if self._plan is None:
                from launchready.infra.plan import build_plan
                self._plan = build_plan(self.config, self.project)
            return self._plan

    def shared(self, key: str, compute: Callable[[], T]) -> T:
        """`compute()` once per run for every check that asks (one API call, and one failure to
        report, per service); an exception is kept and raised again to each caller."""
        with self._lock:
            lock, slot = self._shared.setdefault(key, (threading.Lock(), []))
        with lock:
            if not slot:
                try:
                    slot.append((compute(), None))
                except Exception as exc:  # noqa: BLE001 - handed to every caller
                    slot.append((None, exc))
        value, error = slot[0]
        if error is not None:
            raise error
        return value

    @cached_property
    def architecture(self) -> Architecture:
        """What the app uses (payments, database, CRM, support, DNS, backend): decides what applies."""
        from launchready.config.architecture import Architecture
        return Architecture.of(self.config, self.project.root)

    @property
    def stack_file(self) -> Path:
        return stack_file(self.stacks_dir, self.stack)

    @property
    def strict(self) -> bool:
        """Skipped checks at a blocking severity block (default in CI and for prod)."""
        from launchready.checks.framework.gate import default_strict
        return default_strict(self.config.environment) if self.options.strict is None else self.options.strict

    @cached_property
    def waiver_policy(self) -> WaiverPolicy:
        """launchready.yaml at the project root (or --waivers): the waivers and the expiry cap."""
        from launchready.checks.framework.waivers import load_policy
        return load_policy(self.waivers_file)

    @property
    def waivers_file(self) -> Path:
        from launchready.checks.framework.waivers import PROJECT_FILE
        return self.options.waivers_file or self.repo_root / PROJECT_FILE

    @property
    def waivers(self) -> list[Waiver]:
        """The project's waivers (`waivers:` in launchready.yaml at the project root)."""
        return list(self.waiver_policy.waivers)

    @cached_property
    def baseline(self) -> frozenset[str]:
        from launchready.checks.framework.baseline import load_baseline
        return load_baseline(self.options.baseline) if self.options.baseline else frozenset()

    @cached_property
    def rules_file(self) -> Path:
        return self.options.rules_file or self.project.resolve(
            self.config.firestore.rules_file, f"{self.config.source or self.stack}: {NAMESPACE}:firestore.rulesFile")

    @property
    def app_dir(self) -> Path | None:
        """--app-dir, else the project's; else the root of a monorepo whose Flutter apps sit one or two
        folders down (each is then scanned as its own app)."""
        if self.options.app_dir or self.project.app_dir:
            return self.options.app_dir or self.project.app_dir
        from launchready.flutter.discovery import flutter_apps
        return self.project.root if flutter_apps(self.project.root, max_depth=2) else None

    @property
    def app_contexts(self) -> tuple[CheckContext, ...]:
        """One context per Flutter app the run scans (`launchready scan` finds several in a monorepo):
        what repository-wide checks consult to report a file once."""
        return (self,) if self.app_dir is not None and self.app_dir.is_dir() else ()

    @cached_property
    def targets(self) -> LiveTargets:
        opts = self.options
        state: dict[str, Any] = {}
        if opts.sandbox:
            from launchready.sandbox.state import load_state
            running = load_state(self.project)
            if running.get("stack") not in (None, self.stack):
                raise ConfigError([f"--sandbox: the running sandbox replicates stack '{running['stack']}', "
                                   f"not '{self.stack}' (`launchready sandbox down`, then `sandbox up --stack {self.stack}`)"])
            state = running.get("targets", {})
        domain = opts.domain or state.get("domain") or self.config.domain.mail_domain
        ns = opts.nameserver or state.get("nameserver")
        return LiveTargets(
            domain=domain,
            hostnames=tuple(self.config.app_hostnames),
            nameserver=_host_port(ns) if ns else None,
            https_port=opts.https_port or state.get("https_port") or 443,
            http_port=opts.http_port or state.get("http_port") or 80,
            ca_file=opts.ca_file or (Path(state["ca_file"]) if state.get("ca_file") else None),
            connect_host=opts.connect_host or state.get("connect_host"),
            webhook_url=opts.webhook_url or state.get("webhook_url") or self.config.webhook_url,
            stripe_api_base=opts.stripe_api_base or state.get("stripe_api_base") or "https://api.stripe.com",
            stripe_api_key=state.get("stripe_api_key") or os.environ.get("STRIPE_SECRET_KEY"),
            firestore_emulator_host=state.get("firestore_emulator_host"),
            monitoring_api_base=opts.monitoring_api_base or state.get("monitoring_api_base"),
            firebase_rules_api_base=state.get("firebase_rules_api_base") or os.environ.get(RULES_API_ENV),
        )

    def with_options(self, **changes: Any) -> CheckContext:
        return CheckContext(replace(self.options, **changes), self.config, self.project)


def _host_port(value: str) -> tuple[str, int]:
    host, _, port = value.rpartition(":")
    if not host or not port.isdigit():
        raise ConfigError([f"--nameserver: expected HOST:PORT, got {value!r}"])
    return host, int(port)
