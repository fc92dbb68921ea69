"""Which files a scan reads: .gitignore-aware (nested files too), never build output or dependencies.

Ignore sources, in order: a fixed list of tool/build folders, every `.gitignore` from the scan root
down (each applies below its own folder, as git does), and the scan root's `.launchreadyignore`
(gitignore syntax) for paths a team decides are not secrets, e.g. test fixtures.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator

import pathspec

IGNORE_FILE = ".launchreadyignore"
# Build output, dependency caches and VCS metadata of Flutter/Dart, Android, iOS, web and Python trees.
ALWAYS_SKIPPED_DIRS = frozenset({
    ".git", ".hg", ".svn", ".dart_tool", ".pub-cache", ".pub", "build", "Pods", "node_modules", ".gradle",
    ".idea", ".symlinks", "ephemeral", ".venv", "venv", "__pycache__", ".pytest_cache", ".mypy_cache",
    "DerivedData", ".fvm",
})
# Extensions that are never text a human pasted a key into (images, fonts, archives, compiled code).
BINARY_SUFFIXES = frozenset({
    ".png", ".jpg", ".jpeg", ".gif", ".webp", ".ico", ".icns", ".bmp", ".ttf", ".otf", ".woff", ".woff2",
    ".mp3", ".mp4", ".wav", ".ogg", ".mov", ".zip", ".gz", ".tgz", ".xz", ".jar", ".aar", ".apk", ".aab",
    ".ipa", ".so", ".dylib", ".a", ".o", ".class", ".dex", ".pdf", ".car", ".riv", ".pyc", ".keystore",
    ".jks", ".p12", ".mobileprovision",
})


def _load_spec(path: Path) -> pathspec.GitIgnoreSpec | None:
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    return pathspec.GitIgnoreSpec.from_lines(lines) if lines else None


def iter_files(root: Path, *, skip_binary_suffixes: bool = True) -> Iterator[tuple[Path, str]]:
    """Yield (absolute path, POSIX path relative to root) of every file a scan should read (with
    `skip_binary_suffixes=False`, also images, archives and keystores: their names matter)."""
    root = Path(root)
    specs: list[tuple[str, pathspec.GitIgnoreSpec]] = []  # (folder relative to root, spec)
    own = _load_spec(root / IGNORE_FILE)
    if own:
        specs.append(("", own))
    for folder, dirs, files in os.walk(root):
        rel_dir = os.path.relpath(folder, root).replace(os.sep, "/")
        rel_dir = "" if rel_dir == "." else rel_dir + "/"
        # Drop specs of folders we have walked out of (os.walk is depth-first, top-down).
        specs = [(base, spec) for base, spec in specs if rel_dir.startswith(base)]
        if ".gitignore" in files:
            spec = _load_spec(Path(folder) / ".gitignore")
            if spec:
                specs.append((rel_dir, spec))
        dirs[:] = sorted(d for d in dirs if d not in ALWAYS_SKIPPED_DIRS
                         and not _ignored(specs, f"{rel_dir}{d}/"))
        for name in sorted(files):
            rel = rel_dir + name
            binary = skip_binary_suffixes and os.path.splitext(name)[1].lower() in BINARY_SUFFIXES
            if binary or _ignored(specs, rel):
                continue
            yield Path(folder) / name, rel


def _ignored(specs: list[tuple[str, pathspec.GitIgnoreSpec]], rel: str) -> bool:
    return any(rel.startswith(base) and spec.match_file(rel[len(base):]) for base, spec in specs)
