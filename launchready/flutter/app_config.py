"""What a Flutter + Firebase app already says about itself: Firebase projects per flavor, rules paths,
hosting site, app name.

Read by `launchready init` (to fill the stack files) and by the `client.config.*` checks (a prod build
must talk to the prod project). Sources, as the FlutterFire CLI, FlutterFlow and the native SDKs lay
them out: `.firebaserc`, `firebase.json`, `pubspec.yaml`, `lib/firebase_options*.dart`,
`lib/backend/firebase/firebase_config.dart`, `android/app/**/google-services.json`,
`ios/**/GoogleService-Info.plist`; FlutterFlow keeps the Firebase CLI files in `firebase/`. A malformed,
oversized, unreadable or out-of-tree file is an `AppConfigError` naming the file; `scan_clients` collects
those per file so a caller can go on with the sources that could be read.
"""
from __future__ import annotations

import fnmatch
import json
import os
import plistlib
import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.parsers.expat import ExpatError

from launchready.config import stack_yaml
from launchready.files import MAX_FILE_BYTES, FileProblem, read_capped

# Flavor / alias words -> launchready environment.
ENVIRONMENT_WORDS = {
    "prod": "prod", "production": "prod", "prd": "prod", "live": "prod", "release": "prod",
    "staging": "staging", "stage": "staging", "stg": "staging", "preprod": "staging", "uat": "staging", "qa": "staging",
    "dev": "dev", "development": "dev", "develop": "dev", "debug": "dev",
}
# Bounded and free of nested brackets: linear on a file of repeated `FirebaseOptions(` (a hostile input).
_DART_OPTIONS = re.compile(r"FirebaseOptions\s*\(([^()]{0,4000})\)")
_DART_FIELD = re.compile(r"(\w+)\s*:\s*(?:'([^']*)'|\"([^\"]*)\")")
_SKIP_DIRS = {"build", ".dart_tool", ".git", "node_modules", "Pods", ".symlinks", ".venv"}
_MAX_DEPTH = 8                       # folders below lib/, android/app/, ios/ that are searched
FIREBASE_DIRS = (".", "firebase")    # where the Firebase CLI files live (FlutterFlow: firebase/)


class AppConfigError(Exception):
    """One line: the file and what is wrong with it."""


@dataclass(frozen=True)
class FirebaseClient:
    """One Firebase client config found in the app (one platform of one flavor)."""

    source: Path
    line: int | None
    platform: str                 # android | ios | web | dart
    flavor: str | None            # the flavor word as written (`production`), None when unflavoured
    project_id: str
    app_id: str | None = None
    sender_id: str | None = None  # the Firebase project number
    other_projects: tuple[str, ...] = ()  # project ids named by authDomain/storageBucket/databaseURL

    @property
    def environment(self) -> str | None:
        return environment_of(self.flavor)


def environment_of(word: str | None) -> str | None:
    return ENVIRONMENT_WORDS.get(word.lower()) if word else None


def _read_text(path: Path) -> str:
    """A regular file, size-capped, never a FIFO or device (which would block or never end)."""
    try:
        return read_capped(path)
    except FileProblem as exc:
        raise AppConfigError(f"{path}: {exc}") from None


def _read_binary(path: Path) -> bytes:
    """Binary property lists are legal: the same bounds as `read_capped`, without the UTF-8 rule."""
    try:
        if not path.is_file():
            raise AppConfigError(f"{path}: not a regular file")
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise AppConfigError(f"{path}: cannot be read: {exc.strerror or type(exc).__name__}") from None
    if len(data) > MAX_FILE_BYTES:
        raise AppConfigError(f"{path}: larger than {MAX_FILE_BYTES:,} bytes: refused")
    return data


def _read_json(path: Path) -> Any:
    try:
        return json.loads(_read_text(path))
    except json.JSONDecodeError as exc:
        raise AppConfigError(f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}") from None
    except RecursionError:
        raise AppConfigError(f"{path}: nested too deeply to be a Firebase file") from None


def _expect(ok: bool, path: Path, problem: str) -> None:
    if not ok:
        raise AppConfigError(f"{path}: {problem}")


def _contained(path: Path, base: Path) -> Path:
    """`path`, unless a link takes it out of `base` (a pull request must not make us read /etc)."""
    try:
        inside = path.resolve().is_relative_to(base.resolve())
    except (OSError, RuntimeError):
        raise AppConfigError(f"{path}: a link loop: not read") from None
    _expect(inside, path, "a link out of the repository: not read")
    return path


# ------------------------------------------------------------------ Firebase CLI files

def firebase_file(root: Path, name: str) -> Path | None:
    """`name` in the root, else in FlutterFlow's `firebase/` (present even when it cannot be read)."""
    for folder in FIREBASE_DIRS:
        path = root / folder / name
        if os.path.lexists(path):
            return path
    return None


def read_firebaserc(root: Path) -> dict[str, str]:
    """`.firebaserc` aliases: `{"default": "myapp-dev", "prod": "myapp-prod"}` ({} when absent)."""
    path = firebase_file(root, ".firebaserc")
    if path is None:
        return {}
    data = _read_json(_contained(path, root))
    projects = data.get("projects", {}) if isinstance(data, dict) else None
    _expect(isinstance(projects, dict) and all(isinstance(v, str) for v in projects.values()), path,
            "expected {\"projects\": {\"<alias>\": \"<project-id>\"}}")
    assert isinstance(projects, dict)  # _expect raised otherwise
    return dict(projects)


@dataclass(frozen=True)
class FirebaseJson:
    """What `firebase.json` says; paths relative to the project root (the CLI resolves them against
    the folder holding firebase.json, e.g. FlutterFlow's `firebase/`)."""

    rules: str | None = None
    indexes: str | None = None
    location: str | None = None          # `firestore.location`, e.g. nam5
    storage_rules: str | None = None
    hosting_site: str | None = None
    functions_source: str | None = None
    source: str | None = None            # where it was read, relative to the root


def read_firebase_json(root: Path) -> FirebaseJson:
    """Rules/indexes paths, Firestore location and hosting site from `firebase.json` (empty when absent)."""
    path = firebase_file(root, "firebase.json")
    if path is None:
        return FirebaseJson()
    data = _read_json(_contained(path, root))
    _expect(isinstance(data, dict), path, "expected a JSON object")
    firestore = _first(path, data, "firestore", lambda d: d.get("database") in (None, "(default)"))
    hosting = _first(path, data, "hosting", lambda d: True)
    functions = _first(path, data, "functions", lambda d: True)
    storage = _first(path, data, "storage", lambda d: True)
    for key, section, field in (("firestore", firestore, "rules"), ("firestore", firestore, "indexes"),
                                ("firestore", firestore, "location"), ("storage", storage, "rules"),
                                ("hosting", hosting, "site"), ("functions", functions, "source")):
        _expect(isinstance(section.get(field), (str, type(None))), path, f"{key}.{field}: expected a string")
    folder = path.parent.relative_to(root).as_posix()

    def rel(value: str | None) -> str | None:
        return posixpath.normpath(posixpath.join(folder, value)) if value else None

    return FirebaseJson(rules=rel(firestore.get("rules")), indexes=rel(firestore.get("indexes")),
                        location=firestore.get("location"), storage_rules=rel(storage.get("rules")),
                        hosting_site=hosting.get("site"), functions_source=rel(functions.get("source")),
                        source=path.relative_to(root).as_posix())


def _first(path: Path, data: dict, key: str, wanted) -> dict:
    """A firebase.json section: an object, or (multi-database / multi-site) the wanted one of a list."""
    section = data.get(key) or {}
    if isinstance(section, list):
        _expect(all(isinstance(item, dict) for item in section), path, f"{key}: expected objects in the list")
        section = next((item for item in section if wanted(item)), section[0] if section else {})
    _expect(isinstance(section, dict), path, f"{key}: expected an object or a list of objects")
    return section


def read_pubspec_name(app_dir: Path) -> str | None:
    """`name:` of pubspec.yaml, read with the stack files' bounded YAML loader (depth, alias bombs)."""
    path = app_dir / "pubspec.yaml"
    if not os.path.lexists(path):
        return None
    try:
        data, _ = stack_yaml.load(_contained(path, app_dir))
    except FileProblem as exc:
        raise AppConfigError(f"{path}: {exc}") from None
    _expect(isinstance(data, dict), path, "expected a mapping with `name:`")
    name = data.get("name")
    _expect(isinstance(name, (str, type(None))), path, "`name:` is not a string")
    return name or None


# ------------------------------------------------------------------ client configs

def _walk(folder: Path, pattern: str) -> Iterator[Path]:
    """Files matching `pattern` below `folder`: links to folders never followed, depth-bounded."""
    if not folder.is_dir() or folder.is_symlink():
        return
    found = []
    for here, dirs, files in os.walk(folder, followlinks=False):
        depth = len(Path(here).relative_to(folder).parts)
        dirs[:] = [d for d in dirs if d not in _SKIP_DIRS and depth < _MAX_DEPTH]
        found += [Path(here) / name for name in files if fnmatch.fnmatchcase(name, pattern)]
    yield from sorted(found)


def _flavor_from_dirs(path: Path, stop: Path) -> str | None:
    """The nearest folder between `stop` and `path` whose name is an environment word."""
    for part in reversed(path.relative_to(stop).parts[:-1]):
        if environment_of(part):
            return part
    return None


_PROJECT_HOSTS = (".firebaseapp.com", ".web.app", ".appspot.com", ".firebasestorage.app", ".firebaseio.com",
                  ".firebasedatabase.app")


def _project_of(field: str, value: str) -> str | None:
    """The project id inside `myapp-dev.firebaseapp.com`, `gs://myapp-dev.appspot.com`,
    `https://myapp-dev-default-rtdb.europe-west1.firebasedatabase.app`; None for a custom auth domain."""
    host = re.sub(r"^\w+://", "", value).split("/")[0].lower()
    if not host.endswith(_PROJECT_HOSTS):
        return None
    return host.split(".")[0].removesuffix("-default-rtdb") or None


def _dart_file(path: Path, lib: Path) -> list[FirebaseClient]:
    """`FirebaseOptions(...)` blocks of one options file (the flavor: file-name suffix or folder)."""
    text = _read_text(path)
    stem = path.stem.removeprefix("firebase_options").removeprefix("firebase_config").lstrip("_") or None
    flavor = stem if environment_of(stem) else _flavor_from_dirs(path, lib)
    clients = []
    for block in _DART_OPTIONS.finditer(text):
        fields = {m.group(1): m.group(2) if m.group(2) is not None else m.group(3)
                  for m in _DART_FIELD.finditer(block.group(1))}
        if not fields.get("projectId"):
            continue
        clients.append(FirebaseClient(
            source=path, line=text.count("\n", 0, block.start()) + 1, platform="dart", flavor=flavor,
            project_id=fields["projectId"], app_id=fields.get("appId"), sender_id=fields.get("messagingSenderId"),
            other_projects=tuple(p for f in ("authDomain", "storageBucket", "databaseURL")
                                 if fields.get(f) and (p := _project_of(f, fields[f])))))
    _expect(bool(clients), path, "no `FirebaseOptions(...)` with a projectId found")
    return clients


def _android_file(path: Path, base: Path) -> list[FirebaseClient]:
    """`android/app/google-services.json` (unflavoured) or `android/app/src/<flavor>/google-services.json`."""
    data = _read_json(path)
    info = data.get("project_info") if isinstance(data, dict) else None
    _expect(isinstance(info, dict) and isinstance(info.get("project_id"), str), path,
            "project_info.project_id is missing")
    assert isinstance(info, dict)  # _expect raised otherwise
    rel = path.relative_to(base).parts
    flavor = rel[1] if len(rel) == 3 and rel[0] == "src" and rel[1] not in ("main",) else None
    entries = data.get("client") if isinstance(data.get("client"), list) else []
    app_ids = [c["client_info"].get("mobilesdk_app_id") for c in entries
               if isinstance(c, dict) and isinstance(c.get("client_info"), dict)]
    return [FirebaseClient(source=path, line=None, platform="android", flavor=flavor,
                           project_id=info["project_id"], app_id=next((a for a in app_ids if a), None),
                           sender_id=info.get("project_number"),
                           other_projects=tuple(p for f in ("storage_bucket", "firebase_url")
                                                if isinstance(info.get(f), str) and (p := _project_of(
                                                    "databaseURL" if f == "firebase_url" else f, info[f]))))]


def _ios_file(path: Path, base: Path) -> list[FirebaseClient]:
    """One `GoogleService-Info*.plist`; the flavor is the file-name suffix or the nearest folder named
    like an environment (`ios/config/prod/`, `ios/Runner/Firebase/staging/`), else unflavoured."""
    try:
        data = plistlib.loads(_read_binary(path))
    except (plistlib.InvalidFileException, ValueError, ExpatError, RecursionError, OverflowError) as exc:
        raise AppConfigError(f"{path}: not a valid property list ({exc or type(exc).__name__})") from None
    _expect(isinstance(data, dict) and isinstance(data.get("PROJECT_ID"), str), path, "PROJECT_ID is missing")
    suffix = path.stem.removeprefix("GoogleService-Info").lstrip("-_") or None
    flavor = suffix if environment_of(suffix) else _flavor_from_dirs(path, base)
    return [FirebaseClient(source=path, line=None, platform="ios", flavor=flavor,
                           project_id=data["PROJECT_ID"], app_id=data.get("GOOGLE_APP_ID"),
                           sender_id=data.get("GCM_SENDER_ID"),
                           other_projects=tuple(p for f in ("STORAGE_BUCKET", "DATABASE_URL")
                                                if isinstance(data.get(f), str) and (p := _project_of(
                                                    "databaseURL" if f == "DATABASE_URL" else f, data[f]))))]


def _client_files(app_dir: Path) -> Iterator[tuple[Path, Any]]:
    """(file, reader) for every client config file of the app, in a stable order."""
    lib, android, ios = app_dir / "lib", app_dir / "android" / "app", app_dir / "ios"
    for path in [*_walk(lib, "firebase_options*.dart"), *_walk(lib, "firebase_config.dart")]:
        yield path, lambda p: _dart_file(p, lib)
    for path in _walk(android, "google-services.json"):
        yield path, lambda p: _android_file(p, android)
    for path in _walk(ios, "GoogleService-Info*.plist"):
        yield path, lambda p: _ios_file(p, ios)


def scan_clients(app_dir: Path) -> tuple[list[FirebaseClient], list[str]]:
    """(every client config that could be read, one line per file that could not) — so one unreadable
    source (a dotenv-based options file, a binary blob) never hides the others."""
    clients, problems = [], []
    for path, read in _client_files(app_dir):
        try:
            clients += read(_contained(path, app_dir))
        except AppConfigError as exc:
            problems.append(str(exc))
    return clients, problems


def firebase_clients(app_dir: Path) -> list[FirebaseClient]:
    """Every Firebase client config in the app; raises AppConfigError on the first malformed file."""
    clients, problems = scan_clients(app_dir)
    if problems:
        raise AppConfigError(problems[0])
    return clients


def clients_for(clients: list[FirebaseClient], environment: str) -> list[FirebaseClient]:
    """The configs a build for `environment` uses: its flavor's, else the unflavoured ones."""
    flavoured = [c for c in clients if c.environment == environment]
    return flavoured or [c for c in clients if c.flavor is None]


# ------------------------------------------------------------------ projects the app names

PROJECT_ID = re.compile(r"^[a-z][a-z0-9-]{4,28}[a-z0-9]$")   # GCP's rule for project ids


@dataclass(frozen=True)
class FoundProject:
    """One Firebase project the app names, where, and which environments those places call it."""

    project_id: str
    sources: tuple[str, ...]          # `.firebaserc alias "production"`, `lib/firebase_options_dev.dart (flavor dev)`
    environments: frozenset[str]      # from alias and flavor words only: an id is never read as a hint

    @property
    def environment(self) -> str | None:
        """The one environment the sources agree on, else None (none named, or several)."""
        return next(iter(self.environments)) if len(self.environments) == 1 else None


def found_projects(root: Path, aliases: dict[str, str],
                   clients: list[FirebaseClient]) -> tuple[list[FoundProject], list[str]]:
    """(projects in order of first mention, one line per id that is not a valid project id)."""
    seen: dict[str, tuple[list[str], set[str]]] = {}
    skipped: list[str] = []
    named = [(project, f'.firebaserc alias "{alias}"', environment_of(alias)) for alias, project in aliases.items()]
    named += [(c.project_id, _client_source(root, c), c.environment) for c in clients]
    for project, source, env in named:
        if not PROJECT_ID.match(project):
            skipped.append(f"{source}: {project[:40]!r} is not a project id (6-30 of a-z, 0-9, -): ignored")
            continue
        sources, envs = seen.setdefault(project, ([], set()))
        if source not in sources:
            sources.append(source)
        envs.update({env} if env else set())
    return [FoundProject(p, tuple(s), frozenset(e)) for p, (s, e) in seen.items()], skipped


def _client_source(root: Path, client: FirebaseClient) -> str:
    try:
        where = client.source.relative_to(root).as_posix()
    except ValueError:
        where = str(client.source)
    return where + (f" (flavor {client.flavor})" if client.flavor else "")
