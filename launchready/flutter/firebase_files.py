"""Where a repository keeps its Firebase rules: Firestore (`firestore.rules`) and the Realtime Database
(`database.rules.json`), as the Firebase CLI, FlutterFire and FlutterFlow lay them out.

Looked for, in order, in the repository root, each Flutter app and their `firebase/` folders (FlutterFlow
exports `firebase/firestore.rules` beside `firebase/firebase.json`): the path `firebase.json` names
(`firestore.rules`, `database.rules`; the first of a multi-database list), then the conventional file
name. Shared by `launchready scan` and the checks that read the Realtime Database rules.
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from launchready.config.project_files import FileProblem, read_capped

FIRESTORE_DEFAULT = "firestore.rules"
DATABASE_DEFAULT = "database.rules.json"


@dataclass
class RulesFiles:
    firestore: Path | None = None
    database: Path | None = None
    problems: list[str] = field(default_factory=list)   # "firebase.json: not valid JSON (line 3)" ...


def _folders(root: Path, apps: Iterable[Path]) -> list[Path]:
    bases = list(dict.fromkeys([root, *apps]))
    return list(dict.fromkeys(f for base in bases for f in (base, base / "firebase") if f.is_dir()))


def _section(data: dict, key: str) -> dict:
    """`firebase.json`'s `firestore`/`database` section: an object, or the first of a list."""
    section = data.get(key)
    if isinstance(section, list):
        section = next((item for item in section if isinstance(item, dict)), None)
    return section if isinstance(section, dict) else {}


def _named(folder: Path, display) -> tuple[dict[str, Path], str | None]:
    """Rules paths `folder/firebase.json` names, keyed firestore/database; a problem when unreadable."""
    path = folder / "firebase.json"
    if not path.is_file():
        return {}, None
    try:
        data = json.loads(read_capped(path))
    except FileProblem as exc:
        return {}, f"{display(path)}: {exc}"
    except json.JSONDecodeError as exc:
        return {}, f"{display(path)}: not valid JSON (line {exc.lineno}): {exc.msg}"
    if not isinstance(data, dict):
        return {}, f"{display(path)}: expected a JSON object"
    named = {}
    for key in ("firestore", "database"):
        value = _section(data, key).get("rules")
        if isinstance(value, str) and value and "\x00" not in value:
            named[key] = (folder / value).resolve()
    return named, None


def find_rules(root: Path, apps: Iterable[Path] = (), display=str) -> RulesFiles:
    """The first Firestore and Realtime Database rules file found (see the module docstring); a file
    firebase.json names but that does not exist is a problem, and the search goes on."""
    found = RulesFiles()
    for folder in _folders(Path(root).resolve(), apps):
        named, problem = _named(folder, display)
        if problem:
            found.problems.append(problem)
        for key, default in (("firestore", FIRESTORE_DEFAULT), ("database", DATABASE_DEFAULT)):
            if getattr(found, key) is not None:
                continue
            candidate = named.get(key)
            if candidate is not None and not candidate.is_file():
                found.problems.append(f"{display(folder / 'firebase.json')}: {key}.rules names "
                                      f"{display(candidate)}, which does not exist")
                candidate = None
            conventional = folder / default
            setattr(found, key, candidate or (conventional if conventional.is_file() else None))
    return found
