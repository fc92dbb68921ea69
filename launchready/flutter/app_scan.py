"""One pass over a Flutter app, shared by every `secrets.app.*` and `client.*` check of a run.

Each file is walked and read once; its bytes go through the secret detectors once; each shipped Dart
file is lexed at most once, and only when one of the client checks' trigger words occurs in it (a
350 KB l10n table full of strings is never tokenised). Checks run concurrently, so the scan is built
under a lock and cached per check context. A monorepo's apps (each `pubspec.yaml` with a Flutter
dependency, see `flutter.discovery`) are each judged as their own app: what ships, what its pubspec bundles.
"""
from __future__ import annotations

import re
import threading
import weakref
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import re2

from launchready.flutter.dart_lexer import DartTokens, lex
from launchready.flutter.discovery import flutter_apps
from launchready.runtime import budget
from launchready.secrets.flutter import FlutterAssets, read_assets
from launchready.secrets.registry import default_set
from launchready.secrets.scanner import ScanResult, read_candidate, scan_file
from launchready.secrets.walk import BINARY_SUFFIXES, iter_files

# Code that never ships in the app.
NOT_SHIPPED = ("test/", "integration_test/", "test_driver/")


@dataclass
class DartSource:
    """A shipped Dart file: its text now, its tokens on first use (then shared)."""

    path: Path
    rel: str
    source: str
    raw: bytes = field(default=b"", repr=False)   # the file's bytes, for the trigger-word filter
    facts: dict[str, Any] = field(default_factory=dict, repr=False)   # what checks derive once per file
    notes: list[str] = field(default_factory=list, repr=False)   # the scan's skipped list: where overruns go
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @cached_property
    def tokens(self) -> DartTokens:
        """Lexed once, within the per-file time budget; a file over it is analysed as empty, noted."""
        with self._lock:
            if "tokens" in self.__dict__:
                return self.__dict__["tokens"]
            try:
                with budget.per_file():
                    return lex(self.source)
            except budget.OverBudget as exc:
                self.notes.append(f"{self.rel}: Dart analysis {exc}")
                return lex("")

    @property
    def code(self) -> str:
        """The source with comments blanked (offsets and lines unchanged)."""
        return self.tokens.code

    def line(self, offset: int) -> int:
        return self.tokens.line(offset)


@dataclass
class AppScan:
    root: Path
    assets: FlutterAssets
    secrets: ScanResult
    dart: list[DartSource] = field(default_factory=list)
    files: list[str] = field(default_factory=list)   # every walked file (binary ones too), POSIX, relative
    texts: dict[str, str] = field(default_factory=dict, repr=False)  # small non-Dart text files by path
    # Every Flutter app below the root ("" for the root itself; "apps/admin/" for a monorepo's admin app)
    # -> its assets: each is judged as its own app (what ships, what it bundles).
    apps: dict[str, FlutterAssets] = field(default_factory=dict)

    def app_of(self, rel: str) -> tuple[str, FlutterAssets]:
        """The innermost app holding `rel` (its prefix and assets); the root's when none does."""
        for prefix in sorted(self.apps, key=len, reverse=True):
            if rel.startswith(prefix):
                return prefix, self.apps[prefix]
        return "", self.assets

    def ships(self, rel: str) -> bool:
        prefix, assets = self.app_of(rel)
        return assets.ships(rel[len(prefix):])

    def dart_with(self, *groups: tuple[str, ...]) -> list[DartSource]:
        """The shipped Dart files that hold a word of every group, in any case (comments included: a
        cheap filter). RE2 looks for all of a group's words in one pass over the bytes (a DFA), where
        one substring search per word would read each file once per word."""
        patterns = [_words_pattern(words) for words in groups]
        return [dart for dart in self.dart if all(p.search(dart.raw) for p in patterns)]


@lru_cache(maxsize=64)
def _words_pattern(words: tuple[str, ...]) -> Any:
    return re2.compile(b"(?i)" + b"|".join(re.escape(w).encode() for w in words))


# Non-Dart text other checks read: signing config, .env files, and the backend's own sources.
TEXT_KEPT = re.compile(r"(?:^|/)(?:key\.properties|\.env[\w.-]*|[\w.-]+\.(?:properties|gradle|kts))$"
                       r"|(?:^|/)functions/(?:.*/)?[^/]+\.(?:js|mjs|ts|py)$")


def scan_app(root: Path) -> AppScan:
    """Walk `root` once: secret hits of every text file, shipped Dart sources, the file list."""
    root = Path(root)
    assets = read_assets(root)
    scan = AppScan(root, assets, ScanResult(asset_problem=assets.problem), apps=_apps(root))
    detectors = default_set()
    for path, rel in iter_files(root, skip_binary_suffixes=False):
        scan.files.append(rel)
        if path.suffix.lower() in BINARY_SUFFIXES:
            continue
        data = read_candidate(path, rel, scan.secrets, root=root)
        if data is None:
            continue
        prefix, app_assets = scan.app_of(rel) if scan.apps else ("", assets)
        scan_file(scan.secrets, rel, data, app_assets.ships(rel[len(prefix):]), detectors)
        if rel.endswith(".dart") and not rel[len(prefix):].startswith(NOT_SHIPPED):
            scan.dart.append(DartSource(path, rel, data.decode("utf-8", errors="replace"), data,
                                        notes=scan.secrets.skipped))
        elif TEXT_KEPT.search(rel):
            scan.texts[rel] = data.decode("utf-8", errors="replace")
    return scan


def _apps(root: Path) -> dict[str, FlutterAssets]:
    """Each Flutter app under `root` (monorepos: several), by its POSIX prefix relative to `root`."""
    found = {}
    for app in flutter_apps(root):
        rel = app.relative_to(root.resolve()).as_posix()
        found["" if rel == "." else rel + "/"] = read_assets(app)
    return found


_CACHE: weakref.WeakKeyDictionary[Any, AppScan] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def app_scan(ctx: Any) -> AppScan:
    """The run's one scan of `ctx.app_dir` (built by the first check that asks)."""
    with _LOCK:
        scan = _CACHE.get(ctx)
        if scan is None or scan.root != Path(ctx.app_dir):
            scan = _CACHE[ctx] = scan_app(ctx.app_dir)
        return scan
