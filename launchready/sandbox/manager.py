"""`launchready sandbox up|down|status`: a local replica of one environment, every part real.

Each part is its own process on a free 127.0.0.1 port (or one the user fixed), started in its own
session with its log in the sandbox folder, recorded by PID (and the kernel's start time, so a reused
PID is never signalled) in the state file, and stopped by exactly that PID.
"""
from __future__ import annotations

import importlib.util
import os
import secrets
import shutil
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from launchready.config.model import EnvironmentConfig, StripeSettings
from launchready.functions.backend.events import STRIPE_API_VERSION, endpoint_events
from launchready.infra.dns_records import desired_records
from launchready.project import Project
from launchready.runtime import firestore_emulator, identity, lifetime
from launchready.runtime.processes import ServiceError, free_port, port_open, spawn, stop_pid, wait_until
from launchready.sandbox import knot
from launchready.sandbox.external_dns import spf_include_zones
from launchready.sandbox.state import Standing, clear_state, owner_record, save_state, standing, state_dir, state_file

# functions-framework target -> port name (the webhook's port may be fixed, e.g. for `stripe listen`)
FUNCTION_PORTS = {"stripe_webhook": "webhook", "request_support": "support_fn", "on_user_created": "user_fn",
                  "sweep": "sweep_fn"}
FIXABLE_PORTS = ("dns", "https", "http", "webhook")
ORDER = ("firestore", "dns", "https", "stripe", "crm", "support", "monitoring", "firebase_rules", "auth",
         *FUNCTION_PORTS, "sweeper")
SWEEP_INTERVAL_ENV = "LAUNCHREADY_SANDBOX_SWEEP_SECONDS"   # the scheduled sweep's period (default 60 s)
START_TIMEOUT = 60.0


@dataclass
class Service:
    """One running part: what it is, where it listens, and how to recognise its process."""

    name: str
    pid: int
    ports: list[int]
    detail: str
    log: str
    start_ticks: int | None = None

    @classmethod
    def of(cls, name: str, pid: int, ports: list[int], detail: str, log: Path) -> Service:
        return cls(name, pid, ports, detail, str(log), process_start_ticks(pid))


@dataclass
class Health:
    name: str
    pid: int
    ports: list[int]
    healthy: bool
    problem: str = ""


@dataclass
class Launch:
    """What `up` is building; on any failure everything in `services` is stopped again."""

    config: EnvironmentConfig
    project: Project
    workdir: Path
    ports: dict[str, int]
    services: list[Service] = field(default_factory=list)
    local: dict[str, str] = field(default_factory=dict)
    owner: dict[str, Any] | None = None
    abandoned: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def logs(self) -> Path:
        return self.workdir / "logs"

    def record(self, service: Service) -> None:
        """Remember a started process at once, in the state file too: even if `up` itself is killed
        half-way, `down` still finds and stops every process it started."""
        with self._lock:
            self.services.append(service)
            if self.abandoned:  # `up` failed meanwhile: stop this one too, keep no state
                lifetime.stop([(service.pid, service.start_ticks)])
                return
            save_state(self.project, {"version": 1, "stack": self.config.stack, "starting": True, "owner": self.owner,
                        "boot_id": identity.boot_id(), "services": [asdict(s) for s in self.services]})


# ---------------------------------------------------------------- process identity

def process_start_ticks(pid: int) -> int | None:
    """The start time recorded when this run started `pid` (else read now), to tell a reused PID apart."""
    return lifetime.recorded_ticks(pid) or identity.start_ticks(pid)


def same_process(service: Service, boot: str | None = None) -> bool:
    """The recorded process still runs and is not another program that reuses its PID."""
    return identity.is_same(service.pid, service.start_ticks, boot)


# ---------------------------------------------------------------- preconditions

def _python() -> str:
    """The interpreter of the installed toolkit (the repo's .venv), so the functions see its packages."""
    return sys.executable


def missing_prerequisites(project: Project) -> list[str]:
    problems = [r for r in (firestore_emulator.unavailable_reason(), knot.unavailable_reason()) if r]
    if importlib.util.find_spec("functions_framework") is None:
        problems.append("functions-framework is not installed in this environment (run `make venv`)")
    main = project.functions_dir / "main.py"
    if not main.is_file():
        problems.append(f"{main} not found: the functions cannot be served")
    return problems


def choose_ports(fixed: dict[str, int | None]) -> dict[str, int]:
    """Free ports for every part; a port the user fixed must be free now."""
    unknown = sorted(set(fixed) - set(FIXABLE_PORTS))
    if unknown:
        raise ServiceError(f"unknown sandbox port(s): {', '.join(unknown)}")
    busy = [f"{name} port {port}" for name, port in sorted(fixed.items()) if port and port_open(port)]
    if busy:
        raise ServiceError(f"{', '.join(busy)} already in use by another process: choose another port "
                           "or leave it out to get a free one")
    names = (*FIXABLE_PORTS, "firestore", "stripe", "crm", "support", "monitoring", "firebase_rules", "auth",
             *FUNCTION_PORTS.values())
    return {name: fixed.get(name) or free_port() for name in names}


# ---------------------------------------------------------------- the parts

def _wait_http(url: str, what: str, proc, log: Path) -> None:
    def ready() -> bool:
        try:
            httpx.get(url, timeout=0.5)
            return True
        except httpx.HTTPError:
            return False
    wait_until(ready, timeout=START_TIMEOUT, proc=proc, what=what, log_file=log)


def _spawn(launch: Launch, name: str, argv: list[str], port: int, detail: str,
           env: dict[str, str] | None = None):
    log = launch.logs / f"{name}.log"
    proc = spawn(argv, log, env=env, cwd=launch.project.root)
    service = Service.of(name, proc.pid, [port], detail, log)
    launch.record(service)
    return service, proc, log


def _start_process(launch: Launch, name: str, argv: list[str], port: int, detail: str,
                   env: dict[str, str] | None = None, ready_url: str | None = None) -> Service:
    service, proc, log = _spawn(launch, name, argv, port, detail, env)
    if ready_url:
        _wait_http(ready_url, name, proc, log)
    else:
        wait_until(lambda: port_open(port), timeout=START_TIMEOUT, proc=proc, what=name, log_file=log)
    return service


def _rules_file(launch: Launch) -> Path | None:
    """The stack's rules file, loaded into the emulator and released by the Rules API stand-in."""
    rules = launch.project.resolve(launch.config.firestore.rules_file, "launchready:firestore.rulesFile")
    return rules if rules.is_file() else None


def start_firestore(launch: Launch) -> None:
    rules = _rules_file(launch)
    emulator = firestore_emulator.FirestoreEmulator(launch.logs, rules_file=rules,
                                                    port=launch.ports["firestore"])
    try:
        emulator.start(timeout=START_TIMEOUT)
    finally:
        if emulator.pid:
            launch.record(Service.of("firestore", emulator.pid, [emulator.port],
                                     f"Firestore emulator, rules {rules.name if rules else 'none'}",
                                     emulator.log_file))


def start_dns(launch: Launch) -> None:
    cfg = launch.config
    zones = {**spf_include_zones(cfg), cfg.domain.zone: desired_records(cfg)}
    server = knot.KnotServer(launch.workdir / "knot", zones, port=launch.ports["dns"])
    try:
        server.start(timeout=START_TIMEOUT)
    finally:
        if server.pid:
            launch.record(Service.of("dns", server.pid, [server.port],
                                              f"Knot serving {cfg.domain.zone}, SPF include stand-ins, parent zones", server.log_file))


def start_https(launch: Launch) -> None:
    cfg, ports = launch.config, launch.ports
    argv = [_python(), "-m", "launchready.sandbox.tls_server", "--ca-file", str(launch.workdir / "ca.pem"),
            "--https-port", str(ports["https"]), "--http-port", str(ports["http"])]
    for host in cfg.app_hostnames:
        argv += ["--hostname", host]
    argv += ["--no-hsts"] if cfg.tls.hsts_max_age == 0 else ["--hsts-max-age", str(cfg.tls.hsts_max_age)]
    if not cfg.tls.always_use_https:
        argv.append("--no-redirect")
    service = _start_process(launch, "https", argv, ports["https"],
                             f"HTTPS for {', '.join(cfg.app_hostnames)} (throwaway CA), HTTP redirect")
    service.ports.append(ports["http"])
    wait_until(lambda: port_open(ports["http"]), timeout=START_TIMEOUT, what="HTTP redirect server")


def _stripe(launch: Launch) -> StripeSettings:
    """The stack's Stripe settings: the sandbox always runs the Stripe stand-in and the webhook."""
    if launch.config.stripe is None:
        raise ServiceError(f"cannot start the sandbox: stack '{launch.config.stack}' has no Stripe settings "
                           "(payments: none), and the sandbox replicates the Stripe webhook")
    return launch.config.stripe


def start_stripe(launch: Launch) -> None:
    """The Stripe API stand-in, with the environment's webhook endpoint registered as `pulumi up` would."""
    port = launch.ports["stripe"]
    base = f"http://127.0.0.1:{port}"
    _start_process(launch, "stripe", [_python(), "-m", "launchready.sandbox.stubs.stripe_api", "--port", str(port)], port,
                   "Stripe API stand-in (webhook endpoints)")
    key = f"sk_{_stripe(launch).mode}_" + secrets.token_hex(12)
    form = {"url": webhook_url(launch), "api_version": STRIPE_API_VERSION,
            "description": f"launchready sandbox ({launch.config.stack})"}
    form.update({f"enabled_events[{i}]": event for i, event in enumerate(endpoint_events(STRIPE_API_VERSION))})
    response = httpx.post(f"{base}/v1/webhook_endpoints", data=form, headers={"Authorization": f"Bearer {key}"},
                          timeout=5)
    if response.status_code != 200:
        raise ServiceError(f"the Stripe stand-in refused the webhook endpoint ({response.status_code})")
    endpoint = response.json()
    launch.local.update(stripe_api_base=base, stripe_api_key=key, stripe_webhook_secret=endpoint["secret"],
                        stripe_endpoint_id=endpoint["id"])


def start_crm_support(launch: Launch) -> None:
    """One stand-in process per provider, each with its own token, as the real services are separate."""
    for name in ("crm", "support"):
        port = launch.ports[name]
        argv = [_python(), "-m", "launchready.sandbox.stubs.crm_support", "--port", str(port),
                "--token", launch.local[f"{name}_api_token"]]
        _start_process(launch, name, argv, port, f"{getattr(launch.config, name).provider} API stand-in",
                       ready_url=f"http://127.0.0.1:{port}/_stub/state")


def start_auth(launch: Launch) -> None:
    """The Auth stand-in: sign-up, sign-in and deletion with the Web API key (smoke's test users), the
    account lookup `request_support` asks about revoked or disabled users, and the sign-up trigger."""
    port = launch.ports["auth"]
    argv = [_python(), "-m", "launchready.sandbox.stubs.auth_api", "--port", str(port), "--open",
            "--project", firestore_emulator.DEFAULT_PROJECT, "--api-key", launch.local["web_api_key"],
            "--on-user-created", f"http://127.0.0.1:{launch.ports['user_fn']}/"]   # Eventarc's part
    _start_process(launch, "auth", argv, port, "Firebase Auth (Identity Toolkit) stand-in")


def start_monitoring(launch: Launch) -> None:
    """The Cloud Monitoring stand-in holding the plan's alert policies and channels."""
    import json

    from launchready.infra.plan import build_plan
    from launchready.sandbox.stubs.monitoring_api import items_from_plan

    project, port = launch.config.gcp.project_id, launch.ports["monitoring"]
    items = launch.workdir / "monitoring.json"
    items.parent.mkdir(parents=True, exist_ok=True)
    items.write_text(json.dumps(items_from_plan(build_plan(launch.config, launch.project), project), indent=1))
    _start_process(launch, "monitoring", [_python(), "-m", "launchready.sandbox.stubs.monitoring_api", "--port", str(port),
                                          "--project", project, "--items", str(items)], port,
                   "Cloud Monitoring API stand-in (alert policies from the plan)")


def start_firebase_rules(launch: Launch) -> None:
    """The Firebase Rules API stand-in, releasing the same rules file the emulator enforces."""
    project, port, rules = launch.config.gcp.project_id, launch.ports["firebase_rules"], _rules_file(launch)
    argv = [_python(), "-m", "launchready.sandbox.stubs.firebase_rules_api", "--port", str(port), "--project", project]
    _start_process(launch, "firebase_rules", argv + (["--rules", str(rules)] if rules else []), port,
                   f"Firebase Rules API stand-in (releases {rules.name if rules else 'no rules'})")


def webhook_url(launch: Launch) -> str:
    return f"http://127.0.0.1:{launch.ports['webhook']}{_stripe(launch).webhook_path}"


def function_env(launch: Launch) -> dict[str, str]:
    return {
        "GOOGLE_CLOUD_PROJECT": firestore_emulator.DEFAULT_PROJECT,
        "FIRESTORE_EMULATOR_HOST": f"127.0.0.1:{launch.ports['firestore']}",
        "STRIPE_WEBHOOK_SECRET": launch.local["stripe_webhook_secret"],
        "STRIPE_SECRET_KEY": launch.local["stripe_api_key"],
        "STRIPE_API_BASE": launch.local["stripe_api_base"],   # link lookups go to the stand-in, never api.stripe.com
        "CRM_PROVIDER": launch.config.crm.provider,
        "CRM_API_BASE": f"http://127.0.0.1:{launch.ports['crm']}",
        "CRM_API_TOKEN": launch.local["crm_api_token"],
        "SUPPORT_PROVIDER": launch.config.support.provider,
        "SUPPORT_API_BASE": f"http://127.0.0.1:{launch.ports['support']}",
        "SUPPORT_API_TOKEN": launch.local["support_api_token"],
        "SYNC_MAX_ATTEMPTS": str(launch.config.functions.sync_max_attempts),
        # firebase-admin accepts the unsigned (emulator-style) ID tokens local clients send and asks this
        # stand-in whether the user is disabled or its tokens revoked (check_revoked=True).
        "FIREBASE_AUTH_EMULATOR_HOST": f"127.0.0.1:{launch.ports['auth']}",
        "SUPPORT_ALLOWED_ORIGINS": ",".join(f"https://{host}" for host in launch.config.app_hostnames),
        # The emulator shares a developer's machine: give Firestore calls the slack a real database needs not.
        "FIRESTORE_CALL_TIMEOUT_SECONDS": "30", "FIRESTORE_TRANSACTION_SECONDS": "45",
    }


def start_functions(launch: Launch) -> None:
    """All entry points at once (each is its own server, as each is its own Cloud Function)."""
    env = function_env(launch)
    started = []
    for target, port_name in FUNCTION_PORTS.items():
        port = launch.ports[port_name]
        argv = [_python(), "-m", "functions_framework", "--source", str(launch.project.functions_dir / "main.py"),
                "--target", target, "--host", "127.0.0.1", "--port", str(port)]
        started.append((target, port, *_spawn(launch, target, argv, port, f"functions-framework: {target}", env)))
    for target, port, _service, proc, log in started:
        _wait_http(f"http://127.0.0.1:{port}/", f"function {target}", proc, log)
    start_sweeper(launch)


def start_sweeper(launch: Launch) -> None:
    """Cloud Scheduler's part: POST the sweep function on a timer (the same sweep as deployed)."""
    from launchready.sandbox.sweeper import DEFAULT_INTERVAL_SECONDS

    interval = os.environ.get(SWEEP_INTERVAL_ENV) or str(DEFAULT_INTERVAL_SECONDS)
    argv = [_python(), "-m", "launchready.sandbox.sweeper", "--url", f"http://127.0.0.1:{launch.ports['sweep_fn']}/",
            "--interval", interval]
    service = _spawn(launch, "sweeper", argv, launch.ports["sweep_fn"], f"POSTs the sweep every {interval} s")[0]
    service.ports.clear()  # it listens on nothing: healthy while it runs


def start_stripe_then_functions(launch: Launch) -> None:
    """The functions need only the webhook secret Stripe issues, not the other parts: starting them
    right after it lets their import time overlap the emulator's start."""
    start_stripe(launch)
    start_functions(launch)


# ---------------------------------------------------------------- up / down / status

def _targets(launch: Launch) -> dict[str, Any]:
    cfg, ports = launch.config, launch.ports
    return {
        "domain": cfg.domain.mail_domain,
        "zone": cfg.domain.zone,
        "hostnames": list(cfg.app_hostnames),
        "nameserver": f"127.0.0.1:{ports['dns']}",
        "https_port": ports["https"],
        "http_port": ports["http"],
        "ca_file": str(launch.workdir / "ca.pem"),
        "connect_host": "127.0.0.1",
        "webhook_url": webhook_url(launch),
        "request_support_url": f"http://127.0.0.1:{ports['support_fn']}/",
        "on_user_created_url": f"http://127.0.0.1:{ports['user_fn']}/",
        "sweep_url": f"http://127.0.0.1:{ports['sweep_fn']}/",
        "stripe_api_base": launch.local["stripe_api_base"],
        "stripe_api_key": launch.local["stripe_api_key"],
        "firestore_emulator_host": f"127.0.0.1:{ports['firestore']}",
        "firestore_project": firestore_emulator.DEFAULT_PROJECT,
        "crm_api_base": f"http://127.0.0.1:{ports['crm']}",
        "support_api_base": f"http://127.0.0.1:{ports['support']}",
        "monitoring_api_base": f"http://127.0.0.1:{ports['monitoring']}",
        "firebase_rules_api_base": f"http://127.0.0.1:{ports['firebase_rules']}",
        "identity_toolkit_api_base": f"http://127.0.0.1:{ports['auth']}",
        "web_api_key": launch.local["web_api_key"],
    }


def up(config: EnvironmentConfig, project: Project, *, ports: dict[str, int | None] | None = None,
       outlive: bool = False) -> dict[str, Any]:
    """Start every part, write the state file, return it. Raises ServiceError (nothing left running).

    `outlive`: the sandbox is meant to keep running after this command (`sandbox up`, `demo --keep`);
    otherwise it is tied to this run and the state file names the run as its owner.
    """
    existing = standing(project)
    if existing is not None:
        if not existing.stale:
            raise ServiceError(existing.in_use())
        clear_state(project)  # stale: every process of it is gone
    problems = missing_prerequisites(project)
    if problems:
        raise ServiceError("cannot start the sandbox: " + "; ".join(problems))
    workdir = state_dir(project)
    if workdir.exists():
        for stale in ("knot", "logs"):
            shutil.rmtree(workdir / stale, ignore_errors=True)
    launch = Launch(config, project, workdir, choose_ports({k: v for k, v in (ports or {}).items() if v}),
                    owner=None if outlive else owner_record("demo"))
    launch.local.update(crm_api_token="local-crm-" + secrets.token_hex(8),
                        support_api_token="local-support-" + secrets.token_hex(8),
                        web_api_key="local-web-api-key-" + secrets.token_hex(8))
    if outlive:
        lifetime.outlive()
    _start_all(launch)
    state = {
        "version": 1, "stack": config.stack, "project_root": str(project.root), "environment": config.environment,
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "boot_id": identity.boot_id(), "owner": launch.owner,
        "services": [asdict(s) for s in sorted(launch.services, key=lambda s: ORDER.index(s.name))],
        "targets": _targets(launch),
        "local": {k: launch.local[k] for k in ("stripe_webhook_secret", "stripe_endpoint_id")},
        "function_env": function_env(launch),
    }
    save_state(project, state)
    os.chmod(state_file(project), 0o600)  # local throwaway keys, still not for other users
    if outlive:
        lifetime.release(s.pid for s in launch.services)
    return state


def _start_all(launch: Launch) -> None:
    """Start the parts in parallel; on any failure (or a signal) stop everything started."""
    steps = (start_firestore, start_dns, start_https, start_crm_support, start_monitoring,
             start_firebase_rules, start_auth, start_stripe_then_functions)
    pool = ThreadPoolExecutor(max_workers=len(steps))
    try:
        futures = [pool.submit(step, launch) for step in steps]
        errors = [error for f in futures if (error := f.exception()) is not None]
        if errors:
            raise errors[0]
    except BaseException as exc:
        with launch._lock:  # a step still running (on a signal) stops what it starts itself
            launch.abandoned = True
            started = list(launch.services)
            clear_state(launch.project)
        lifetime.stop([(s.pid, s.start_ticks) for s in started])
        if isinstance(exc, ServiceError):
            raise
        if isinstance(exc, OSError):
            raise ServiceError(f"the sandbox could not start: {exc}") from None
        raise
    finally:
        pool.shutdown(wait=False, cancel_futures=True)  # on a signal, don't wait for slow steps


def drain(state: dict[str, Any], *, backoff_seconds: float = 0.2, timeout: float = 30.0) -> dict[str, int]:
    """Run every pending sync task to `done` or `dead` in a worker process, as the platform would
    redeliver `sync_worker` events; returns task counts by status."""
    import json
    import subprocess

    env = {**os.environ, **state["function_env"], "SYNC_BACKOFF_SECONDS": str(backoff_seconds),
           "SYNC_HTTP_TIMEOUT_SECONDS": "2"}
    code = f"import json; from launchready.functions.backend.sync.worker import drain; print(json.dumps(drain(timeout={timeout!r})))"
    worker = lifetime.popen([_python(), "-c", code], env=env, cwd=state.get("project_root"), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)
    try:
        stdout, stderr = worker.communicate(timeout=timeout + 30)
    finally:
        stop_pid(worker.pid)
    if worker.returncode != 0:
        tail = " ".join(stderr.strip().splitlines()[-3:])
        raise ServiceError(f"draining sync tasks failed (exit {worker.returncode}): {tail}")
    return json.loads(stdout.strip().splitlines()[-1])


def down(project: Project) -> list[Service]:
    """Stop exactly the recorded processes that still run; returns them. No state: nothing to do."""
    existing = standing(project)
    if existing is None:
        return []
    running = [Service(**s) for s in existing.alive]
    lifetime.stop([(s.pid, s.start_ticks) for s in running])
    clear_state(project)
    return running


def status(project: Project) -> tuple[Standing | None, list[Health]]:
    """The sandbox's standing and each part's health; a stale state file is removed (None)."""
    existing = standing(project)
    if existing is None:
        return None, []
    if existing.stale:
        clear_state(project)
        return existing, []
    alive = {(s["pid"], s["start_ticks"]) for s in existing.alive}
    report = []
    for service in (Service(**s) for s in existing.state.get("services", [])):
        if (service.pid, service.start_ticks) not in alive:
            report.append(Health(service.name, service.pid, service.ports, False, "process not running"))
            continue
        closed = [p for p in service.ports if not port_open(p)]
        report.append(Health(service.name, service.pid, service.ports, not closed,
                             f"port {', '.join(map(str, closed))} not accepting connections" if closed else ""))
    return existing, report
