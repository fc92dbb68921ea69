"""Where the Flutter apps of a repository are: every `pubspec.yaml` that depends on the Flutter SDK.

A repository may hold one app at its root, one in a sub-folder (`app/`, `mobile/`), or several
(monorepos: customer app, admin app, shared packages). Plain Dart packages (no `flutter` SDK dependency)
are libraries, not apps, and are left out. The walk never follows links and skips build output and
dependency caches, so it stays bounded on large or hostile trees.
"""
from __future__ import annotations

import os
from pathlib import Path

import yaml

from launchready.config.project_files import FileProblem, read_bytes_capped

PUBSPEC = "pubspec.yaml"
PUBSPEC_MAX_BYTES = 256 * 1024
MAX_DEPTH = 6
SKIPPED_DIRS = frozenset({"build", "node_modules", ".dart_tool", "Pods", ".symlinks", ".git", ".venv", "venv",
                          "ephemeral", ".fvm", ".pub-cache", "__pycache__"})


def flutter_apps(root: Path, *, max_depth: int = MAX_DEPTH) -> list[Path]:
    """Absolute paths of the Flutter apps under `root` (itself included), shallowest first."""
    root = Path(root).resolve()
    found: list[Path] = []
    for folder, dirs, files in os.walk(root, followlinks=False):
        depth = len(Path(folder).relative_to(root).parts)
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS and not d.startswith(".") and depth < max_depth)
        if PUBSPEC in files and is_flutter_app(Path(folder) / PUBSPEC):
            found.append(Path(folder))
    return sorted(found, key=lambda p: (len(p.parts), str(p)))


def is_flutter_app(pubspec: Path) -> bool:
    """True when the pubspec depends on the Flutter SDK (`dependencies: flutter: sdk: flutter`)."""
    try:
        data = read_bytes_capped(pubspec, PUBSPEC_MAX_BYTES, root=pubspec.parent)
        document = yaml.safe_load(data.decode("utf-8", errors="replace"))
    except (FileProblem, yaml.YAMLError, RecursionError):
        return False
    dependencies = document.get("dependencies") if isinstance(document, dict) else None
    flutter = dependencies.get("flutter") if isinstance(dependencies, dict) else None
    return isinstance(flutter, dict) and flutter.get("sdk") == "flutter"
