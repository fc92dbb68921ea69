"""What a Flutter + Firebase app already says about itself: Firebase projects per flavor, rules paths,
hosting site, app name.

Read by `launchready init` (to fill the stack files) and by the `client.config.*` checks (a prod build
must talk to the prod project). Sources, as the FlutterFire CLI, FlutterFlow and the native SDKs lay
them out: `.firebaserc`, `firebase.json`, `pubspec.yaml`, `lib/firebase_options*.dart`,
`lib/backend/firebase/firebase_config.dart`, `android/app/**/google-services.json`,
`ios/**/GoogleService-Info.plist`. A malformed file is an `AppConfigError` naming the file.
"""
from __future__ import annotations

import json
import plistlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator
from xml.parsers.expat import ExpatError

import re2
import yaml

from launchready.config.project_files import FileProblem, read_bytes_capped

# Flavor / alias words -> launchready environment.
ENVIRONMENT_WORDS = {
    "prod": "prod", "production": "prod", "prd": "prod", "live": "prod", "release": "prod",
    "staging": "staging", "stage": "staging", "stg": "staging", "preprod": "staging", "uat": "staging", "qa": "staging",
    "dev": "dev", "development": "dev", "develop": "dev", "debug": "dev",
}
_DART_OPTIONS = re.compile(r"FirebaseOptions\s*\(")
# RE2: linear time whatever the text (with `re`, `\w+` backtracks at every offset of a long word).
_DART_FIELD = re2.compile(r"(\w+)\s*:\s*(?:'([^']*)'|\"([^\"]*)\")")
_SKIP_DIRS = {"build", ".dart_tool", ".git", "node_modules", "Pods", ".symlinks", ".venv"}


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


def _read_bytes(path: Path) -> bytes:
    """A config file of the app, by the bounded reader: no link out of the app, no FIFO or device."""
    try:
        return read_bytes_capped(path, root=path.parent if path.name in _ROOT_FILES else _app_root(path))
    except FileProblem as exc:
        raise AppConfigError(f"{path}: cannot be read ({exc})") from None


def _read_text(path: Path) -> str:
    try:
        return _read_bytes(path).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise AppConfigError(f"{path}: cannot be read ({exc})") from None


_ROOT_FILES = (".firebaserc", "firebase.json", "pubspec.yaml")


def _app_root(path: Path) -> Path:
    """The app folder above a file found under lib/, android/ or ios/ (what links must stay in)."""
    for parent in path.parents:
        if parent.name in ("lib", "android", "ios"):
            return parent.parent
    return path.parent


def options_blocks(text: str) -> Iterator[tuple[int, str]]:
    """(offset, inner text) of each `FirebaseOptions(...)` up to the first `)`, in one linear pass:
    the next `)` is searched once and reused (a lazy `(.*?)\\)` regex rescans to the end of the file
    for every opening without a close: quadratic, minutes on a 320 KB file of `FirebaseOptions(`)."""
    close, end = -1, 0
    for match in _DART_OPTIONS.finditer(text):
        if match.start() < end:
            continue
        if close < match.end():
            close = text.find(")", match.end())
            if close < 0:
                return
        yield match.start(), text[match.end():close]
        end = close + 1


def _read_json(path: Path) -> Any:
    try:
        return json.loads(_read_text(path))
    except json.JSONDecodeError as exc:
        raise AppConfigError(f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}") from None


def _expect(ok: bool, path: Path, problem: str) -> None:
    if not ok:
        raise AppConfigError(f"{path}: {problem}")


# ------------------------------------------------------------------ Firebase CLI files

def read_firebaserc(root: Path) -> dict[str, str]:
    """`.firebaserc` aliases: `{"default": "myapp-dev", "prod": "myapp-prod"}` ({} when absent)."""
    path = root / ".firebaserc"
    if not path.is_file():
        return {}
    data = _read_json(path)
    projects = data.get("projects", {}) if isinstance(data, dict) else None
    _expect(isinstance(projects, dict) and all(isinstance(v, str) for v in projects.values()), path,
            "expected {\"projects\": {\"<alias>\": \"<project-id>\"}}")
    return dict(projects)


@dataclass(frozen=True)
class FirebaseJson:
    rules: str | None = None
    indexes: str | None = None
    hosting_site: str | None = None
    functions_source: str | None = None


def read_firebase_json(root: Path) -> FirebaseJson:
    """Rules/indexes paths and hosting site from `firebase.json` (empty when absent)."""
    path = root / "firebase.json"
    if not path.is_file():
        return FirebaseJson()
    data = _read_json(path)
    _expect(isinstance(data, dict), path, "expected a JSON object")
    firestore = _first(path, data, "firestore", lambda d: d.get("database") in (None, "(default)"))
    hosting = _first(path, data, "hosting", lambda d: True)
    functions = _first(path, data, "functions", lambda d: True)
    for key, section, field in (("firestore", firestore, "rules"), ("firestore", firestore, "indexes"),
                                ("hosting", hosting, "site"), ("functions", functions, "source")):
        _expect(isinstance(section.get(field), (str, type(None))), path, f"{key}.{field}: expected a string")
    return FirebaseJson(rules=firestore.get("rules"), indexes=firestore.get("indexes"),
                        hosting_site=hosting.get("site"), functions_source=functions.get("source"))


def _first(path: Path, data: dict, key: str, wanted) -> dict:
    """A firebase.json section: an object, or (multi-database / multi-site) the wanted one of a list."""
    section = data.get(key) or {}
    if isinstance(section, list):
        _expect(all(isinstance(item, dict) for item in section), path, f"{key}: expected objects in the list")
        section = next((item for item in section if wanted(item)), section[0] if section else {})
    _expect(isinstance(section, dict), path, f"{key}: expected an object or a list of objects")
    return section


def read_pubspec_name(app_dir: Path) -> str | None:
    path = app_dir / "pubspec.yaml"
    if not path.is_file():
        return None
    try:
        data = yaml.safe_load(_read_text(path))
    except yaml.YAMLError as exc:
        raise AppConfigError(f"{path}: not valid YAML: {getattr(exc, 'problem', exc)}") from None
    _expect(isinstance(data, dict), path, "expected a mapping with `name:`")
    return str(data["name"]) if data.get("name") else None


# ------------------------------------------------------------------ client configs

def _walk(folder: Path, pattern: str) -> Iterator[Path]:
    if not folder.is_dir():
        return
    for path in sorted(folder.rglob(pattern)):
        if not _SKIP_DIRS.intersection(path.relative_to(folder).parts):
            yield path


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


def dart_clients(app_dir: Path) -> list[FirebaseClient]:
    """`FirebaseOptions(...)` blocks in `lib/firebase_options*.dart` (FlutterFire CLI; the flavor is
    the file-name suffix) and FlutterFlow's `lib/backend/firebase/firebase_config.dart`."""
    lib = app_dir / "lib"
    paths = [*_walk(lib, "firebase_options*.dart"), *_walk(lib, "firebase_config.dart")]
    clients = []
    for path in paths:
        text = _read_text(path)
        stem = path.stem.removeprefix("firebase_options").removeprefix("firebase_config").lstrip("_") or None
        flavor = stem if environment_of(stem) else _flavor_from_dirs(path, lib)
        found = 0
        for start, inner in options_blocks(text):
            fields = {m.group(1): m.group(2) if m.group(2) is not None else m.group(3)
                      for m in _DART_FIELD.finditer(inner)}
            if not fields.get("projectId"):
                continue
            found += 1
            clients.append(FirebaseClient(
                source=path, line=text.count("\n", 0, start) + 1, platform="dart", flavor=flavor,
                project_id=fields["projectId"], app_id=fields.get("appId"), sender_id=fields.get("messagingSenderId"),
                other_projects=tuple(p for f in ("authDomain", "storageBucket", "databaseURL")
                                     if fields.get(f) and (p := _project_of(f, fields[f])))))
        _expect(found > 0, path, "no `FirebaseOptions(...)` with a projectId found")
    return clients


def android_clients(app_dir: Path) -> list[FirebaseClient]:
    """`android/app/google-services.json` (unflavoured) and `android/app/src/<flavor>/google-services.json`."""
    base = app_dir / "android" / "app"
    clients = []
    for path in _walk(base, "google-services.json"):
        data = _read_json(path)
        info = data.get("project_info") if isinstance(data, dict) else None
        _expect(isinstance(info, dict) and isinstance(info.get("project_id"), str), path,
                "project_info.project_id is missing")
        rel = path.relative_to(base).parts
        flavor = rel[1] if len(rel) == 3 and rel[0] == "src" and rel[1] not in ("main",) else None
        app_ids = [c.get("client_info", {}).get("mobilesdk_app_id") for c in data.get("client", []) if isinstance(c, dict)]
        clients.append(FirebaseClient(source=path, line=None, platform="android", flavor=flavor,
                                      project_id=info["project_id"], app_id=next((a for a in app_ids if a), None),
                                      sender_id=info.get("project_number"),
                                      other_projects=tuple(p for f in ("storage_bucket", "firebase_url")
                                                           if info.get(f) and (p := _project_of(
                                                               "databaseURL" if f == "firebase_url" else f, info[f])))))
    return clients


def ios_clients(app_dir: Path) -> list[FirebaseClient]:
    """`ios/**/GoogleService-Info.plist`; the flavor is the nearest folder named like an environment
    (`ios/config/prod/`, `ios/Runner/Firebase/staging/`), else unflavoured."""
    base = app_dir / "ios"
    clients = []
    for path in _walk(base, "GoogleService-Info*.plist"):
        try:
            data = plistlib.loads(_read_bytes(path))
        except (plistlib.InvalidFileException, ValueError, ExpatError) as exc:
            raise AppConfigError(f"{path}: not a valid property list ({exc or type(exc).__name__})") from None
        _expect(isinstance(data, dict) and isinstance(data.get("PROJECT_ID"), str), path, "PROJECT_ID is missing")
        suffix = path.stem.removeprefix("GoogleService-Info").lstrip("-_") or None
        flavor = suffix if environment_of(suffix) else _flavor_from_dirs(path, base)
        clients.append(FirebaseClient(source=path, line=None, platform="ios", flavor=flavor,
                                      project_id=data["PROJECT_ID"], app_id=data.get("GOOGLE_APP_ID"),
                                      sender_id=data.get("GCM_SENDER_ID"),
                                      other_projects=tuple(p for f in ("STORAGE_BUCKET", "DATABASE_URL")
                                                           if data.get(f) and (p := _project_of(
                                                               "databaseURL" if f == "DATABASE_URL" else f, data[f])))))
    return clients


def firebase_clients(app_dir: Path) -> list[FirebaseClient]:
    """Every Firebase client config in the app; raises AppConfigError on the first malformed file."""
    return [*dart_clients(app_dir), *android_clients(app_dir), *ios_clients(app_dir)]


def clients_for(clients: list[FirebaseClient], environment: str) -> list[FirebaseClient]:
    """The configs a build for `environment` uses: its flavor's, else the unflavoured ones."""
    flavoured = [c for c in clients if c.environment == environment]
    return flavoured or [c for c in clients if c.flavor is None]


def projects_by_environment(clients: list[FirebaseClient], aliases: dict[str, str]) -> dict[str, str]:
    """The Firebase project each environment's build points at: `.firebaserc` aliases first, then the
    flavoured client configs, then (for all) the unflavoured one."""
    found: dict[str, str] = {}
    for alias, project in aliases.items():
        env = environment_of(alias)
        if env:
            found.setdefault(env, project)
    for client in clients:
        if client.environment:
            found.setdefault(client.environment, client.project_id)
    default = aliases.get("default") or next((c.project_id for c in clients if c.flavor is None), None)
    if default and default not in found.values():
        found.setdefault(environment_of(default.rsplit("-", 1)[-1]) or "dev", default)
    return found
