"""The offline plan: the real Pulumi program (infra/__main__.py) run under Pulumi's mocks.

No Pulumi CLI, cloud or credentials are needed. Secret config values are replaced by a placeholder
that stays a Pulumi secret, and every secret input shows as `[secret]` in the plan. Pulumi's runtime
state lives in context variables, so each plan runs in its own thread with a fresh context (safe to call
repeatedly and from worker threads); plans are serialized by a lock and cached per config + source.
"""
from __future__ import annotations

import asyncio
import contextvars
import hashlib
import importlib.util
import json
import os
import runpy
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from launchready.config.model import NAMESPACE, ConfigError, EnvironmentConfig
from launchready.files import FileProblem, read_bytes_capped
from launchready.infra import plan_cache

if TYPE_CHECKING:
    from launchready.project import Project

SECRET = "[secret]"
PROJECT = "launchready"
INFRA_DIR = Path(__file__).resolve().parent   # the program ships inside the package
# the program imports the backend's event list, callers and log messages: part of the cache key
_BACKEND_SPEC = importlib.util.find_spec("launchready.functions.backend")
assert _BACKEND_SPEC is not None and _BACKEND_SPEC.origin is not None, "the backend package ships inside launchready"
BACKEND_DIR = Path(_BACKEND_SPEC.origin).resolve().parent
PROGRAM = INFRA_DIR / "__main__.py"
_DYNAMIC = "pulumi-python:dynamic:Resource"
PLAN_CACHE_DIR = Path("plan-cache")   # under the project's build/ dir, across runs (infra/plan_cache.py)
MOCK_PROJECT_NUMBER = "100000000001"   # what Resource Manager would assign
PLAN_TIMEOUT_S = 120  # a program that never settles is an error, not a hung check run


class PlanError(RuntimeError):
    """The program could not be run under mocks (a bug in the program, not in the config)."""


@dataclass(frozen=True)
class PlannedResource:
    type: str
    name: str
    urn: str
    parent: str | None
    custom: bool
    inputs: dict[str, Any] = field(default_factory=dict, compare=False)
    dependencies: tuple[str, ...] = field(default=(), compare=False)   # URNs it waits for (depends_on + inputs)
    provider: str | None = field(default=None, compare=False)          # explicit provider URN, if any
    protect: bool = field(default=False, compare=False)
    delete_before_replace: bool = field(default=False, compare=False)
    import_id: str | None = field(default=None, compare=False)         # adopted: `pulumi up` imports this id

    def get(self, path: str, default: Any = None) -> Any:
        """`get("service_config.max_instance_count")`-style lookup into the inputs (camelCase keys
        as the engine sees them are accepted too)."""
        value: Any = self.inputs
        for part in path.split("."):
            if isinstance(value, list) and part.isdigit() and int(part) < len(value):
                value = value[int(part)]
            elif isinstance(value, dict):
                value = value.get(part, value.get(_camel(part), default))
            else:
                return default
        return value

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.type, "name": self.name, "urn": self.urn, "parent": self.parent,
                "custom": self.custom, "inputs": self.inputs, "dependencies": list(self.dependencies),
                "provider": self.provider, "protect": self.protect,
                "delete_before_replace": self.delete_before_replace,
                **({"import": self.import_id} if self.import_id else {})}

    @property
    def operation(self) -> str:
        """What the first `pulumi up` does with it: `import` an adopted resource, else `create`."""
        return "import" if self.import_id else "create"


@dataclass(frozen=True)
class Plan:
    stack: str
    environment: str
    resources: tuple[PlannedResource, ...]

    def of_type(self, *tokens: str) -> list[PlannedResource]:
        return [r for r in self.resources if r.type in tokens]

    def named(self, name: str) -> PlannedResource:
        for resource in self.resources:
            if resource.name == name:
                return resource
        raise KeyError(name)

    def children(self, parent: PlannedResource) -> list[PlannedResource]:
        return [r for r in self.resources if r.parent == parent.urn]

    @property
    def types(self) -> set[str]:
        return {r.type for r in self.resources}

    def to_dict(self) -> dict[str, Any]:
        return {"stack": self.stack, "environment": self.environment,
                "resources": [r.to_dict() for r in self.resources]}


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.title() for p in rest)


# ------------------------------------------------------------------ config -> Pulumi config

def pulumi_config(config: EnvironmentConfig) -> tuple[dict[str, str], list[str]]:
    """The `namespace:key -> string` map the Pulumi CLI would hand the program, plus secret keys."""
    values: dict[str, str] = {}
    secret_keys: list[str] = []
    secret_fields, required = set(EnvironmentConfig.SECRET_FIELDS), set(config.required_secrets())
    for name, info in EnvironmentConfig.model_fields.items():
        if info.exclude:
            continue
        key = f"{NAMESPACE}:{info.alias or name}"
        if name in secret_fields:
            if getattr(config, name) is None and name not in required:
                continue  # a service the app does not use: the program does not read it
            # Set or not, the plan sees a stand-in: values never reach a plan, and a secret still to set is
            # config.secrets.missing's finding (and `plan`'s note), not a reason the plan cannot be shown.
            values[key] = SECRET
            secret_keys.append(key)
            continue
        value = getattr(config, name)
        if value is None:
            continue
        # exclude_unset: the program sees what the stack says (an unnamed rules file is not a default path)
        dumped = value.model_dump(mode="json", by_alias=True, exclude_unset=True) if hasattr(value, "model_dump") else value
        values[key] = dumped if isinstance(dumped, str) else json.dumps(dumped)
    return values, secret_keys


# ------------------------------------------------------------------ mocks

def _mock_state(typ: str, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """A deterministic id and the outputs the program reads that a provider would compute."""
    state = dict(inputs)
    project = _plain(inputs.get("project")) or "mock-project"
    state.setdefault("name", name)
    resource_id = f"{name}-id"
    if typ == "gcp:organizations/project:Project":
        state["number"] = MOCK_PROJECT_NUMBER
    elif typ == "gcp:serviceaccount/account:Account":
        state["email"] = f"{inputs['accountId']}@{project}.iam.gserviceaccount.com"
    elif typ == "gcp:secretmanager/secretVersion:SecretVersion":
        state["version"] = "1"
    elif typ == "gcp:secretmanager/secret:Secret":
        resource_id = f"projects/{project}/secrets/{inputs['secretId']}"
    elif typ == "gcp:cloudfunctionsv2/function:Function":
        state["url"] = f"https://{inputs.get('location')}-{project}.cloudfunctions.net/{inputs.get('name', name)}"
    elif typ == "gcp:monitoring/uptimeCheckConfig:UptimeCheckConfig":
        state["uptimeCheckId"] = f"{name}-check"
    elif typ == "gcp:firebase/hostingVersion:HostingVersion":
        state["name"] = f"sites/{_plain(inputs.get('siteId'))}/versions/{name}"
    elif typ == _DYNAMIC:
        from pulumi.runtime.rpc import wrap_rpc_secret
        state.update(secret=wrap_rpc_secret(f"whsec_{SECRET}"), status="enabled")
    state["id"] = resource_id
    return resource_id, state


def _plain(value: Any) -> Any:
    from pulumi.runtime.rpc import is_rpc_secret, unwrap_rpc_secret
    return unwrap_rpc_secret(value) if is_rpc_secret(value) else value


def _redact(value: Any) -> Any:
    """Secrets -> "[secret]"; assets and archives -> a short description; everything JSON-able."""
    import pulumi
    from pulumi.runtime.rpc import is_rpc_secret

    if is_rpc_secret(value):
        return SECRET
    if isinstance(value, dict):
        return {k: _redact(v) for k, v in sorted(value.items()) if not k.startswith("__")}
    if isinstance(value, (list, tuple)):
        return [_redact(v) for v in value]
    if isinstance(value, pulumi.AssetArchive):
        return {"archive": sorted(value.assets)}
    if isinstance(value, (pulumi.FileArchive, pulumi.FileAsset)):
        return {"path": value.path}
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return repr(value)


def _run_program(stack: str, values: dict[str, str], secret_keys: list[str], root: Path) -> list[PlannedResource]:
    """Runs in a fresh thread + context: configure mocks, run infra/__main__.py, collect resources."""
    import pulumi.runtime as runtime
    from pulumi.runtime import mocks, rpc
    from pulumi.runtime.stack import run_pulumi_func

    records: list[PlannedResource] = []

    class Mocks(mocks.Mocks):
        def new_resource(self, args: mocks.MockResourceArgs):
            return _mock_state(args.typ, args.name, args.inputs)

        def call(self, args: mocks.MockCallArgs):
            if args.token == "gcp:organizations/getProject:getProject":   # an adopted project's number
                return {"projectId": args.args.get("projectId"), "number": MOCK_PROJECT_NUMBER}
            return {}

    class Recorder(mocks.MockMonitor):
        def RegisterResource(self, request):
            response = super().RegisterResource(request)
            if request.type != "pulumi:pulumi:Stack":
                inputs = rpc.deserialize_properties(request.object)
                records.append(PlannedResource(
                    type=request.type, name=request.name, urn=response.urn, parent=request.parent or None,
                    custom=bool(request.custom), inputs=_redact(inputs),
                    dependencies=tuple(sorted(set(request.dependencies))),
                    provider=request.provider.rsplit("::", 1)[0] if request.provider else None,
                    protect=bool(request.protect), delete_before_replace=bool(request.deleteBeforeReplace),
                    import_id=request.importId or None))
            return response

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        runtime.set_mocks(Mocks(), project=PROJECT, stack=stack, preview=False, monitor=Recorder(Mocks()))
        runtime.set_all_config(values, secret_keys)
        from pulumi.runtime.settings import SETTINGS
        SETTINGS.root_directory = str(root)  # as the engine sets it: where Pulumi.yaml is

        def program() -> None:   # run_pulumi_func wants None (or an awaitable), not run_path's globals
            runpy.run_path(str(PROGRAM), run_name="__main__")

        loop.run_until_complete(run_pulumi_func(program))
    finally:
        loop.close()
        asyncio.set_event_loop(None)
    return sorted(records, key=lambda r: (r.type, r.name))


# ------------------------------------------------------------------ public API

_LOCK = threading.Lock()
HASHED_BYTES = 16 * 1024 * 1024   # per source file; a larger one invalidates by its refusal text only
CACHE_SIZE = 32
_CACHE: dict[str, Plan | PlanFailure] = {}


def sources(config: EnvironmentConfig, project: Project) -> list[Path]:
    """What the program reads besides the config: a change to any of these invalidates cached plans."""
    fs = config.firestore
    where = f"{config.source or 'stack config'}: launchready:firestore"
    # Containment first: nothing outside the project is hashed (`rulesFile: ..` would walk the parent).
    return [INFRA_DIR, BACKEND_DIR, project.functions_dir, project.resolve(fs.rules_file, f"{where}.rulesFile"),
            project.resolve(fs.indexes_file, f"{where}.indexesFile")]


def source_digest(paths: list[Path]) -> str:
    """A digest of the files (folders walked without following links); each read by the bounded
    reader, so a FIFO or a link out is hashed as its refusal, never opened."""
    digest = hashlib.sha256()
    for path in paths:
        files = sorted(Path(folder) / name for folder, dirs, names in os.walk(path) for name in names
                       if "__pycache__" not in Path(folder).parts) if path.is_dir() else [path]
        for file in files:
            try:
                data = read_bytes_capped(file, HASHED_BYTES, root=path if path.is_dir() else path.parent)
            except FileProblem as exc:   # its size and time still invalidate the cache
                info = os.lstat(file) if os.path.lexists(file) else None
                data = f"\0refused: {exc} {info and (info.st_size, info.st_mtime_ns)}".encode()
            digest.update(os.fsencode(file) + b"\0" + data)
    return digest.hexdigest()


def build_plan(config: EnvironmentConfig, project: Project | None = None) -> Plan:
    """Every resource `pulumi up` would register for this environment, offline, sorted by type/name.
    The program reads the project's files (rules, indexes, functions) as `pulumi up` run there would."""
    from launchready.project import discover

    project = project or discover()   # a library caller: the project the working directory is in
    stack = config.stack or config.environment
    values, secret_keys = pulumi_config(config)
    key = hashlib.sha256(json.dumps([stack, values, str(project.root), source_digest(sources(config, project)),
                                     plan_cache.provider_versions()],
                                    sort_keys=True).encode()).hexdigest()
    with _LOCK:
        if key not in _CACHE:
            cached = plan_cache.load(project.build_dir / PLAN_CACHE_DIR, key, _plan_from_dict)
            if cached is not None:
                _CACHE[key] = cached
                return _raise_failure(cached)
            outcome: dict[str, Any] = {}

            def work() -> None:
                try:
                    outcome["records"] = _run_program(stack, values, secret_keys, project.root)
                except BaseException as exc:  # re-raised in the caller's thread
                    outcome["error"] = exc

            thread = threading.Thread(target=contextvars.Context().run, args=(work,), name=f"plan:{stack}",
                                      daemon=True)
            thread.start()
            thread.join(PLAN_TIMEOUT_S)
            if thread.is_alive():
                raise PlanError(f"stack {stack}: the Pulumi program did not finish under mocks "
                                f"within {PLAN_TIMEOUT_S} s")
            if "error" in outcome:
                failure = outcome["error"]
                if isinstance(failure, (ConfigError, OSError, PlanError)):  # decided by the inputs the key digests
                    plan_cache.store(project.build_dir / PLAN_CACHE_DIR, key, _failure_dict(failure))
                    _CACHE[key] = PlanFailure(_failure_dict(failure)["failure"])
                raise failure
            while len(_CACHE) >= CACHE_SIZE:
                _CACHE.pop(next(iter(_CACHE)))
            plan = Plan(stack=stack, environment=config.environment, resources=tuple(outcome["records"]))
            _CACHE[key] = plan
            plan_cache.store(project.build_dir / PLAN_CACHE_DIR, key, plan.to_dict())
        return _raise_failure(_CACHE[key])


@dataclass(frozen=True)
class PlanFailure:
    """A plan that failed for its inputs, cached like a good one: the next run with the same config and
    sources says the same thing at once instead of running the program again (8-12 s)."""

    failure: dict[str, Any]   # {"type": ..., "problems": [...]}


def _failure_dict(exc: BaseException) -> dict[str, Any]:
    problems = exc.problems if isinstance(exc, ConfigError) else [f"{type(exc).__name__}: {exc}"]
    return {"failure": {"type": "ConfigError" if isinstance(exc, ConfigError) else "PlanError", "problems": problems}}


def _raise_failure(entry: Plan | PlanFailure) -> Plan:
    if isinstance(entry, PlanFailure):
        problems = list(entry.failure["problems"])
        raise ConfigError(problems) if entry.failure["type"] == "ConfigError" else PlanError("\n".join(problems))
    return entry


def _plan_from_dict(data: dict[str, Any]) -> Plan | PlanFailure:
    """The inverse of `Plan.to_dict`, every field included (the launch policies read them all); a
    cached failure comes back as a PlanFailure."""
    if "failure" in data:
        return PlanFailure(data["failure"])
    resources = tuple(PlannedResource(**{**{k: v for k, v in r.items() if k != "import"},
                                         "dependencies": tuple(r["dependencies"]), "import_id": r.get("import")})
                      for r in data["resources"])
    return Plan(stack=data["stack"], environment=data["environment"], resources=resources)



# ------------------------------------------------------------------ comparing environments

def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """`{"a": {"b": [1]}}` -> `{"a.b.0": 1}`: one comparable line per setting."""
    if isinstance(value, dict):
        items = [(f"{prefix}.{k}" if prefix else k, v) for k, v in value.items()]
    elif isinstance(value, list) and value:
        items = [(f"{prefix}.{i}", v) for i, v in enumerate(value)]
    else:
        return {prefix: value}
    flat: dict[str, Any] = {}
    for key, item in items:
        flat.update(flatten(item, key))
    return flat


@dataclass(frozen=True)
class PlanDiff:
    stack: str
    other: str
    only_in_stack: tuple[PlannedResource, ...]
    only_in_other: tuple[PlannedResource, ...]
    changed: tuple[tuple[PlannedResource, dict[str, tuple[Any, Any]]], ...]

    def to_dict(self) -> dict[str, Any]:
        def ref(r: PlannedResource) -> dict[str, str]:
            return {"type": r.type, "name": r.name}
        return {"stack": self.stack, "other": self.other,
                "only_in_stack": [ref(r) for r in self.only_in_stack],
                "only_in_other": [ref(r) for r in self.only_in_other],
                "changed": [{**ref(r), "settings": {k: {self.stack: a, self.other: b} for k, (a, b) in s.items()}}
                            for r, s in self.changed]}


def diff_plans(plan: Plan, other: Plan) -> PlanDiff:
    """How two environments differ, resource by resource (matched on type and name)."""
    mine = {(r.type, r.name): r for r in plan.resources}
    theirs = {(r.type, r.name): r for r in other.resources}
    changed = []
    for key in sorted(mine.keys() & theirs.keys()):
        a, b = flatten(mine[key].inputs), flatten(theirs[key].inputs)
        settings = {k: (a.get(k), b.get(k)) for k in sorted(a.keys() | b.keys()) if a.get(k) != b.get(k)}
        if settings:
            changed.append((mine[key], settings))
    return PlanDiff(plan.stack, other.stack,
                    tuple(mine[k] for k in sorted(mine.keys() - theirs.keys())),
                    tuple(theirs[k] for k in sorted(theirs.keys() - mine.keys())), tuple(changed))
