"""What ships inside a Flutter app: anything there is readable by every user who installs it.

`lib/` is compiled into the app, `web/` is served to browsers, and `flutter: assets:` in pubspec.yaml
bundles files as-is (a listed folder bundles the files directly in it, not its subfolders).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from launchready.files import FileProblem, read_bytes_capped

SHIPPED_DIRS = ("lib/", "web/")


@dataclass(frozen=True)
class FlutterAssets:
    files: frozenset[str]
    folders: frozenset[str]   # each ends with "/"
    problem: str | None = None
    is_app: bool = True       # False when there is no pubspec.yaml: nothing ships
    lines: dict[str, int] = field(default_factory=dict, compare=False)  # entry -> its line in pubspec.yaml

    def bundles(self, rel: str) -> bool:
        folder = rel.rpartition("/")[0] + "/" if "/" in rel else ""
        return rel in self.files or folder in self.folders

    def ships(self, rel: str) -> bool:
        return self.is_app and (rel.startswith(SHIPPED_DIRS) or self.bundles(rel))


NO_ASSETS = FlutterAssets(frozenset(), frozenset(), is_app=False)


def read_assets(app_root: Path) -> FlutterAssets:
    """The asset entries of `app_root/pubspec.yaml` (none when there is no Flutter app there)."""
    pubspec = Path(app_root) / "pubspec.yaml"
    try:
        text = read_bytes_capped(pubspec, root=app_root).decode("utf-8")
    except FileProblem as exc:
        return NO_ASSETS if str(exc) == "not found" else \
            FlutterAssets(frozenset(), frozenset(), f"pubspec.yaml {exc}", is_app=False)
    except UnicodeDecodeError as exc:
        return FlutterAssets(frozenset(), frozenset(), f"pubspec.yaml is not UTF-8: {type(exc).__name__}")
    try:
        document = yaml.safe_load(text) or {}
    except (yaml.YAMLError, RecursionError) as exc:
        return FlutterAssets(frozenset(), frozenset(), f"pubspec.yaml is not valid YAML: {type(exc).__name__}")
    flutter = document.get("flutter") if isinstance(document, dict) else None
    entries = flutter.get("assets") if isinstance(flutter, dict) else None
    files: set[str] = set()
    folders: set[str] = set()
    for entry in entries if isinstance(entries, list) else []:
        # Flutter 3.19+ also accepts `- path: assets/x` (with flavors); plain strings otherwise.
        path = entry.get("path") if isinstance(entry, dict) else entry
        if isinstance(path, str) and path.strip():
            path = path.strip().removeprefix("./")
            (folders if path.endswith("/") else files).add(path)
    return FlutterAssets(frozenset(files), frozenset(folders), lines=_entry_lines(text, files | folders))


def _entry_lines(text: str, entries: set[str]) -> dict[str, int]:
    """The 1-based line of each asset entry (`- .env`, `- path: assets/`) in the pubspec text."""
    lines: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), 1):
        value = line.split(" #")[0].strip().removeprefix("-").strip().removeprefix("path:").strip().strip("'\"").removeprefix("./")
        if value in entries:
            lines.setdefault(value, number)
    return lines
