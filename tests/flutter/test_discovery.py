"""Finding the Flutter apps of a repository: root app, sub-folder app, monorepo, plain Dart packages."""
from __future__ import annotations

import os
from pathlib import Path

from launchready.flutter.discovery import flutter_apps

APP = "name: {name}\ndependencies:\n  flutter:\n    sdk: flutter\n  firebase_core: ^3.0.0\n"
DART_PACKAGE = "name: shared_models\ndependencies:\n  json_annotation: ^4.9.0\n"


def _pubspec(folder: Path, text: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "pubspec.yaml").write_text(text)


def test_a_monorepo_yields_each_app_but_not_libraries_build_output_or_links(tmp_path):
    _pubspec(tmp_path / "apps" / "customer", APP.format(name="tutor_customer"))
    _pubspec(tmp_path / "apps" / "admin_panel", APP.format(name="tutor_admin"))
    _pubspec(tmp_path / "packages" / "shared_models", DART_PACKAGE)
    _pubspec(tmp_path / "apps" / "customer" / "build" / "stale", APP.format(name="copy"))
    _pubspec(tmp_path / "apps" / "customer" / "ios" / "Pods" / "x", APP.format(name="pod"))
    outside = tmp_path.parent / f"{tmp_path.name}-outside"
    _pubspec(outside, APP.format(name="elsewhere"))
    os.symlink(outside, tmp_path / "linked_app")
    assert flutter_apps(tmp_path) == [(tmp_path / "apps" / "admin_panel").resolve(), (tmp_path / "apps" / "customer").resolve()]


def test_a_root_app_comes_first_and_unreadable_pubspecs_are_skipped(tmp_path):
    _pubspec(tmp_path, APP.format(name="chess_clock"))
    _pubspec(tmp_path / "example", APP.format(name="chess_clock_example"))
    _pubspec(tmp_path / "broken", "dependencies: [flutter\n")
    (tmp_path / "binary").mkdir()
    (tmp_path / "binary" / "pubspec.yaml").write_bytes(b"\xff\xfe\x00garbage")
    assert flutter_apps(tmp_path) == [tmp_path.resolve(), (tmp_path / "example").resolve()]
