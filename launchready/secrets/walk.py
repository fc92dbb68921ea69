"""Which files a scan reads: .gitignore-aware (nested files too), never build output or dependencies.

Ignore sources, in order: a fixed list of tool/build folders, every `.gitignore` from the scan root
down (each applies below its own folder, as git does), and the scan root's `.launchreadyignore`
(gitignore syntax) for paths a team decides are not secrets, e.g. test fixtures.

Links to folders are not walked (os.walk's default); what a link to a file, a FIFO or a device yields is
decided by the bounded reader (`launchready.files`), which never opens them. Names are
yielded display-safe: bytes that are not UTF-8 and control characters (a newline in a file name) are
escaped, so a hostile name can neither crash a report's encoder nor forge a line of output.
"""
from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pathspec

from launchready.files import FileProblem, read_bytes_capped

IGNORE_FILE = ".launchreadyignore"
# A real .gitignore is a few KB; pathspec tries every pattern on every file, so a 1 MB one would cost
# minutes: larger ignore files are not read (their patterns do not apply).
MAX_IGNORE_BYTES = 64 * 1024
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


def _load_spec(path: Path, root: Path) -> pathspec.GitIgnoreSpec | None:
    try:
        lines = read_bytes_capped(path, MAX_IGNORE_BYTES, root).decode("utf-8", errors="replace").splitlines()
    except FileProblem:
        return None
    return pathspec.GitIgnoreSpec.from_lines(lines) if lines else None


def iter_files(root: Path, *, skip_binary_suffixes: bool = True) -> Iterator[tuple[Path, str]]:
    """Yield (absolute path, POSIX path relative to root) of every file a scan should read (with
    `skip_binary_suffixes=False`, also images, archives and keystores: their names matter)."""
    root = Path(root)
    specs: list[tuple[str, pathspec.GitIgnoreSpec]] = []  # (folder relative to root, spec)
    own = _load_spec(root / IGNORE_FILE, root)
    if own:
        specs.append(("", own))
    for folder, dirs, files in os.walk(root):
        rel_dir = os.path.relpath(folder, root).replace(os.sep, "/")
        rel_dir = "" if rel_dir == "." else rel_dir + "/"
        # Drop specs of folders we have walked out of (os.walk is depth-first, top-down).
        specs = [(base, spec) for base, spec in specs if rel_dir.startswith(base)]
        if ".gitignore" in files:
            spec = _load_spec(Path(folder) / ".gitignore", root)
            if spec:
                specs.append((rel_dir, spec))
        dirs[:] = sorted(d for d in dirs if d not in ALWAYS_SKIPPED_DIRS
                         and not _ignored(specs, f"{rel_dir}{d}/"))
        for name in sorted(files):
            rel = rel_dir + name
            binary = skip_binary_suffixes and os.path.splitext(name)[1].lower() in BINARY_SUFFIXES
            if binary or _ignored(specs, rel):
                continue
            yield Path(folder) / name, display_name(rel)


_UNSAFE = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")


def display_name(rel: str) -> str:
    """`rel` as reports may show it: non-UTF-8 bytes as `\\xNN`, control characters as `\\n`, `\\x1b`."""
    if rel.isprintable() and rel.isascii():
        return rel
    text = rel.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return _UNSAFE.sub(lambda m: repr(m.group())[1:-1], text)


def _ignored(specs: list[tuple[str, pathspec.GitIgnoreSpec]], rel: str) -> bool:
    return any(rel.startswith(base) and spec.match_file(rel[len(base):]) for base, spec in specs)
