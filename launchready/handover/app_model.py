"""The app's own collections for `data-model.md`: what its rules file matches and what its access
matrix (launchready.access.yaml) expects, so the handover describes this app, not the example."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from launchready.config.model import EnvironmentConfig
from launchready.project import Project

# Documented by the template's canonical table: the backend owns them.
BACKEND_COLLECTIONS = frozenset({"customers", "stripe_events", "sync_tasks", "support_requests"})


@dataclass
class AppCollection:
    name: str
    rule_paths: list[str] = field(default_factory=list)   # `/boards/{boardId}` (line 6)
    rows: list[str] = field(default_factory=list)         # `owner update boards/b1 {title}: allow`
    written_at: list[str] = field(default_factory=list)   # `lib/pages/board.dart:42` (the app's own writes)


@dataclass
class AppModel:
    """What the handover says about the app itself, beside (or instead of) launchready's backend."""

    collections: list[AppCollection] = field(default_factory=list)
    canonical: bool = True        # the rules hold `customers/{uid}`: the app adopted the backend's model
    functions: dict[str, str] = field(default_factory=dict)   # the app's own functions: name -> file


def _rule_paths(config: EnvironmentConfig, project) -> dict[str, list[str]]:
    from launchready.rules.analysis.model import RulesSyntaxError, parse_rules

    try:
        rules = parse_rules(project.resolve(config.firestore.rules_file, "rulesFile").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, RulesSyntaxError, ValueError):
        return {}
    found: dict[str, list[str]] = {}
    for match in rules.matches():
        segments = match.document_segments
        if segments and "{" not in segments[0]:
            found.setdefault(segments[0], []).append(f"`/{'/'.join(segments)}` (line {match.line})")
    return found


def _matrix_rows(project) -> dict[str, list[str]]:
    from launchready.rules.testing.access_file import AccessFileError, load_access_matrix

    try:
        matrix = load_access_matrix(project.matrix_file)
    except AccessFileError:
        return {}
    rows: dict[str, list[str]] = {}
    for row in matrix.rows:
        fields = f" {{{', '.join(row.data)}}}" if row.data else ""
        rows.setdefault(row.path.split("/")[0], []).append(f"{row.who} {row.op} `{row.path}`{fields}: {row.expect}")
    return rows


MAX_WRITE_PLACES = 5
# `exports.name = functions...`, `export const name = onCall(...)` (JS/TS); a decorated `def name(` (Python).
JS_EXPORT = re.compile(r"^\s*(?:exports\.(\w+)\s*=|export\s+const\s+(\w+)\s*=)", re.M)
PY_FUNCTION = re.compile(r"^@[\w.]+(?:\(.*\))?\s*\n(?:@.*\n)*def\s+(\w+)\s*\(", re.M)


def _app_writes(project) -> dict[str, list[str]]:
    """Collection -> `file:line` of the Flutter app's own Firestore/RTDB writes (its data flows)."""
    from launchready.flutter.app_scan import scan_app
    from launchready.flutter.data_writes import record_collections, writes

    app_dir = project.app_dir
    if app_dir is None or not app_dir.is_dir():
        return {}
    app = scan_app(app_dir)
    records = record_collections(app)
    found: dict[str, list[str]] = {}
    for dart in app.dart:
        for flow, _name, _value, at, _api in writes(dart, records):
            places = found.setdefault(flow.collection.split("/")[0], []) if flow.collection else None
            file = project.display(dart.path)
            if places is not None and not any(p.startswith(file + ":") for p in places):
                places.append(f"{file}:{dart.line(at)}")   # the first write of the file
    return found


def _own_functions(project) -> dict[str, str]:
    """The app's own Cloud Functions (not launchready's packaged backend): exported name -> file."""
    found: dict[str, str] = {}
    for folder in (project.root / "functions", project.root / "firebase" / "functions"):
        for name in ("index.js", "index.ts", "src/index.ts", "src/index.js", "main.py"):
            path = folder / name
            if not path.is_file() or path.resolve().is_relative_to(_packaged()):
                continue
            text = path.read_text(encoding="utf-8", errors="replace")
            pattern = PY_FUNCTION if name.endswith(".py") else JS_EXPORT
            for match in pattern.finditer(text):
                found.setdefault(next(g for g in match.groups() if g), project.display(path))
    return found


def _packaged():
    import launchready.functions as packaged
    return Path(packaged.__file__).resolve().parent


def app_model(config: EnvironmentConfig, project: Project | None) -> AppModel:
    """The app's collections (rules, access matrix, its own writes), whether it adopted the canonical
    customer model, and its own functions (nothing known without a project: the canonical table stands alone)."""
    if project is None:
        return AppModel()
    paths, rows, written = _rule_paths(config, project), _matrix_rows(project), _app_writes(project)
    names = sorted((set(paths) - BACKEND_COLLECTIONS) | set(rows) | (set(written) - BACKEND_COLLECTIONS))
    collections = [AppCollection(n, paths.get(n, []), rows.get(n, []), written.get(n, [])[:MAX_WRITE_PLACES])
                   for n in names]
    return AppModel(collections, canonical=not paths or "customers" in paths, functions=_own_functions(project))


def app_collections(config: EnvironmentConfig, project: Project | None) -> list[AppCollection]:
    """The app's collections beyond the backend's, with their rules and expected access."""
    return app_model(config, project).collections
