"""`launchready scan PATH`: judge any app repository with zero config (no Pulumi.yaml, stacks or secrets),
like `checkov -d .` or `trivy fs .`.

What it finds (Flutter apps, Firestore and Realtime Database rules, the access matrix, functions
folders, Firebase client configs) is said first, one line each, with what it could not read; then
the checks that need no stack (`Check.stackless`) run through the normal runner and gate, so formats
and exit codes are those of `check`. App-level checks run once per Flutter app; repository-level ones
(the repository secret scan, the rules) once.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from launchready.checks.framework.base import Check
from launchready.checks.framework.context import CheckContext, CheckOptions
from launchready.checks.framework.registry import registry
from launchready.checks.framework.report import Report
from launchready.config.model import DEFAULT_BLOCKING, EnvironmentConfig
from launchready.flutter.app_config import AppConfigError, firebase_clients
from launchready.flutter.discovery import flutter_apps
from launchready.flutter.firebase_files import find_rules
from launchready.project import DEFAULT_MATRIX, MATRIX_KEY, Project
from launchready.secrets.flutter import read_assets

SCAN_STACK = "scan"   # the report's stack name; the text report titles it as a scan
# The catalog areas holding stackless checks: only these are imported, so a core install (no Pulumi SDK,
# no firebase-admin) serves `scan`.
SCAN_AREAS = ("secrets", "client", "rules")
APP_CHECKS = ("secrets.app", "client")           # read one Flutter app (ctx.app_dir)
FIRESTORE_CHECKS = ("rules.static", "rules.behaviour")
MATRIX_CHECKS = ("rules.behaviour.app",)
DATABASE_CHECKS = ("rules.database",)
FUNCTIONS_MARKERS = ("package.json", "main.py", "requirements.txt", "index.js", "pubspec.yaml")


@dataclass
class Found:
    """What `scan` found in a repository, and what it could not read."""

    root: Path
    apps: list[Path] = field(default_factory=list)
    firestore_rules: Path | None = None
    database_rules: Path | None = None
    access_matrix: Path | None = None
    functions: list[Path] = field(default_factory=list)
    firebase_projects: list[str] = field(default_factory=list)
    assets: dict[str, list[str]] = field(default_factory=dict)   # app -> pubspec `flutter: assets:` entries
    unreadable: list[str] = field(default_factory=list)

    def display(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(self.root).as_posix() or "."
        except ValueError:
            return str(path)

    @property
    def judgeable(self) -> bool:
        return bool(self.apps or self.firestore_rules or self.database_rules or self.functions)

    def summary(self) -> list[str]:
        """The compact lines printed before the report."""
        items = []
        if self.apps:
            names = ", ".join(self.display(a) for a in self.apps)
            items.append(f"{len(self.apps)} Flutter app{'s' if len(self.apps) > 1 else ''} ({names})")
        items += [self.display(p) for p in (self.firestore_rules, self.database_rules, self.access_matrix) if p]
        items += [f"functions ({self.display(p)})" for p in self.functions]
        lines = [f"found: {', '.join(items) or 'nothing launchready can judge'}"]
        if self.firebase_projects:
            lines.append(f"Firebase projects named by the app: {', '.join(self.firebase_projects)}")
        if any(self.assets.values()):
            lines.append("assets bundled: " + "; ".join(f"{app} ({', '.join(entries)})"
                                                        for app, entries in self.assets.items() if entries))
        missing = [what for what, present in (("no Flutter app (pubspec.yaml with a Flutter SDK dependency)", self.apps),
                                             ("no Firestore or Realtime Database rules",
                                              self.firestore_rules or self.database_rules)) if not present]
        lines += [f"not found: {what}" for what in missing]
        lines += [f"could not read: {problem}" for problem in self.unreadable]
        return lines


def discover(root: Path) -> Found:
    """Every Flutter app, the rules, the access matrix and functions folders under `root`."""
    found = Found(Path(root).resolve())
    found.apps = flutter_apps(found.root)
    rules = find_rules(found.root, found.apps, found.display)
    found.firestore_rules, found.database_rules = rules.firestore, rules.database
    found.unreadable += rules.problems
    holders = list(dict.fromkeys([found.root, *found.apps]
                                 + ([found.firestore_rules.parent] if found.firestore_rules else [])))
    found.access_matrix = next((h / DEFAULT_MATRIX for h in holders if (h / DEFAULT_MATRIX).is_file()), None)
    found.functions = list(dict.fromkeys(f.resolve() for h in holders for f in (h / "functions", h / "firebase" / "functions")
                                         if f.is_dir() and any((f / m).is_file() for m in FUNCTIONS_MARKERS)))
    for app in found.apps:
        _read_app_config(found, app)
    return found


def _read_app_config(found: Found, app: Path) -> None:
    """The app's assets and the Firebase projects its client configs name; one line for what cannot be read."""
    assets = read_assets(app)
    if assets.problem:
        found.unreadable.append(f"{found.display(app / 'pubspec.yaml')}: {assets.problem.removeprefix('pubspec.yaml is ')}")
    found.assets[found.display(app)] = sorted(assets.files | assets.folders)
    try:
        clients = firebase_clients(app)
    except AppConfigError as exc:
        problem = str(exc).replace(str(found.root) + "/", "")
        path = Path(str(exc).split(":", 1)[0])
        if path.suffix == ".dart" and _mentions_dotenv(path):
            problem = (f"{found.display(path)}: reads its values from dotenv at run time (no literal "
                       "FirebaseOptions), so the app's Firebase project is unknown")
        found.unreadable.append(problem)
        return
    for client in clients:
        label = client.project_id + (f" ({client.flavor})" if client.flavor else "")
        if label not in found.firebase_projects:
            found.firebase_projects.append(label)


def _mentions_dotenv(path: Path) -> bool:
    try:
        return "dotenv" in path.read_text(encoding="utf-8", errors="replace").lower()
    except OSError:
        return False


class ScanContext(CheckContext):
    """A check context without a stack: the scanned folder is the project; every app shares the run."""

    def __init__(self, found: Found, app: Path | None, only: tuple[str, ...], skip: tuple[str, ...] = (),
                 others: tuple[CheckContext, ...] = ()):
        settings = {"config": {MATRIX_KEY: found.display(found.access_matrix)}} if found.access_matrix else {}
        options = CheckOptions(stack=SCAN_STACK, app_dir=app, rules_file=found.firestore_rules, strict=False,
                               only=only, skip=skip)
        super().__init__(options, scan_config(), Project(found.root, settings))
        self.others = others

    @property
    def app_contexts(self) -> tuple[CheckContext, ...]:
        return (*super().app_contexts, *self.others)


def scan_config() -> EnvironmentConfig:
    """The gate's policy without a stack: prod's blocking severities (a scan asks "can this ship?"),
    nothing declared not applicable. Only stackless checks run, and they read no stack setting."""
    return EnvironmentConfig.model_construct(environment="prod", blocking_severities=list(DEFAULT_BLOCKING["prod"]),
                                             not_applicable={}, source="launchready scan")


def selected_ids(found: Found, checks: list[type[Check]], *, app_level: bool) -> tuple[str, ...]:
    """The stackless checks whose input exists: app-level ones, or repository-level ones."""
    def wanted(check_id: str) -> bool:
        if check_id.startswith(APP_CHECKS):
            return app_level and bool(found.apps)
        if app_level:
            return False
        if check_id.startswith(MATRIX_CHECKS):
            return bool(found.firestore_rules and found.access_matrix)
        if check_id.startswith(FIRESTORE_CHECKS):
            return bool(found.firestore_rules)
        if check_id.startswith(DATABASE_CHECKS):
            return bool(found.database_rules)
        return True
    return tuple(cls.id for cls in checks if cls.stackless and wanted(cls.id))


def run_scan(found: Found, *, skip: tuple[str, ...] = ()) -> Report:
    """Repository-level checks once (in the first app's context), app-level checks once per app."""
    from launchready.checks.framework.runner import run_checks

    for area in SCAN_AREAS:
        registry.load_catalog(f"launchready.checks.catalog.{area}")
    checks = registry.all()
    app_ids, repo_ids = selected_ids(found, checks, app_level=True), selected_ids(found, checks, app_level=False)
    started, t0 = datetime.now(UTC), time.perf_counter()
    per_app = [ScanContext(found, app, app_ids, skip) for app in found.apps[1:]] if app_ids else []
    first = ScanContext(found, found.apps[0] if found.apps else None, app_ids + repo_ids, skip, tuple(per_app))
    contexts = [first, *per_app]
    reports = [run_checks(ctx) for ctx in contexts]
    results = []
    for ctx, report in zip(contexts, reports, strict=True):
        for result in report.results:
            if len(found.apps) > 1 and ctx.app_dir is not None and result.check_id.startswith(APP_CHECKS):
                result.subject = found.display(ctx.app_dir)
        results += report.results
    return Report(stack=SCAN_STACK, started_at=started, duration_s=time.perf_counter() - t0, results=results,
                  blocking_severities=list(DEFAULT_BLOCKING["prod"]), strict=False,
                  notices=list(dict.fromkeys(n for r in reports for n in r.notices)), project_root=str(found.root),
                  checks={k: v for r in reports for k, v in r.checks.items()})

