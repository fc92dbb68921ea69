"""Reading an app's Firebase config: layouts other than FlutterFire's default, flavors, aliases."""
from __future__ import annotations

import json
from pathlib import Path

from launchready.checks.catalog.config._base import stack_files
from launchready.checks.catalog.config.example import FINGERPRINTS, fingerprints_of
from launchready.flutter.app_config import clients_for, firebase_clients, found_projects, read_firebaserc
from launchready.project import Project, find_root
from tests.project.foreign_app import dart_options

REPO = Path(__file__).resolve().parents[2]

FLUTTERFLOW = """import 'package:firebase_core/firebase_core.dart';
import 'package:flutter/foundation.dart';

Future initFirebase() async {
  if (kIsWeb) {
    await Firebase.initializeApp(
        options: FirebaseOptions(
            apiKey: "AIzaSyFlutterFlowPublicKey00000000000",
            authDomain: "login.harborlog.app",
            projectId: "harbor-log-prod-77",
            storageBucket: "harbor-log-dev-12.appspot.com",
            messagingSenderId: "771234567890",
            appId: "1:771234567890:web:abcdef"));
  } else {
    await Firebase.initializeApp();
  }
}
"""


def test_flutterflow_config_with_custom_auth_domain_and_a_stray_bucket(tmp_path):
    lib = tmp_path / "lib" / "backend" / "firebase"
    lib.mkdir(parents=True)
    (lib / "firebase_config.dart").write_text(FLUTTERFLOW)
    [client] = firebase_clients(tmp_path)
    assert client.flavor is None and client.project_id == "harbor-log-prod-77"
    assert client.line == 7   # the FirebaseOptions( line
    # a custom auth domain names no project; the storage bucket does (and it is the dev one)
    assert client.other_projects == ("harbor-log-dev-12",)


def test_flavors_from_file_names_and_folders(tmp_path):
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "firebase_options.dart").write_text(dart_options("harbor-dev"))
    (tmp_path / "lib" / "firebase_options_prd.dart").write_text(dart_options("harbor-prod"))
    ios = tmp_path / "ios" / "Runner" / "Firebase" / "production"
    ios.mkdir(parents=True)
    import plistlib
    (ios / "GoogleService-Info.plist").write_bytes(plistlib.dumps({"PROJECT_ID": "harbor-prod"}))
    main = tmp_path / "android" / "app"
    main.mkdir(parents=True)
    (main / "google-services.json").write_text(json.dumps({"project_info": {"project_id": "harbor-dev"}}))
    clients = firebase_clients(tmp_path)
    assert {(c.platform, c.environment) for c in clients} == {("dart", None), ("dart", "prod"), ("ios", "prod"),
                                                               ("android", None)}
    assert {c.project_id for c in clients_for(clients, "prod")} == {"harbor-prod"}
    assert {c.project_id for c in clients_for(clients, "staging")} == {"harbor-dev"}   # no staging flavor
    projects, skipped = found_projects(tmp_path, {}, clients)
    # the unflavoured files name harbor-dev; a project id's own words are never read as its environment
    assert {(p.project_id, p.environment) for p in projects} == {("harbor-dev", None), ("harbor-prod", "prod")}
    assert "ios/Runner/Firebase/production/GoogleService-Info.plist (flavor production)" in \
        next(p for p in projects if p.project_id == "harbor-prod").sources and not skipped


def test_firebaserc_aliases_map_to_environments(tmp_path):
    (tmp_path / ".firebaserc").write_text(json.dumps({"projects": {"default": "kite-dev", "live": "kite-live",
                                                                    "qa": "kite-qa"}}))
    aliases = read_firebaserc(tmp_path)
    projects, _ = found_projects(tmp_path, aliases, [])
    assert {p.project_id: p.environment for p in projects} == {"kite-dev": None, "kite-live": "prod",
                                                               "kite-qa": "staging"}


def test_project_root_is_found_from_a_subdirectory_and_paths_stay_inside(tmp_path):
    (tmp_path / "Pulumi.yaml").write_text("name: kite\nruntime: python\nstackConfigDir: infra/stacks\n")
    deep = tmp_path / "lib" / "src" / "widgets"
    deep.mkdir(parents=True)
    assert find_root(deep) == tmp_path.resolve()
    project = Project.load(tmp_path)
    assert project.stacks_dir == tmp_path.resolve() / "infra" / "stacks"
    assert project.display(deep / "a.dart") == "lib/src/widgets/a.dart"
    assert project.app_dir is None   # no pubspec.yaml at the root, no launchready:appDir
    import pytest

    from launchready.config.model import ConfigError
    with pytest.raises(ConfigError, match="outside the project root"):
        project.resolve("../../etc/passwd", "rulesFile")


def test_example_fingerprints_match_the_example_stacks():
    """`config.example.copied` knows the bundled example by these digests: they must not drift."""
    files, errors = stack_files(REPO / "stacks", ["dev", "staging", "prod"])
    assert not errors
    assert json.loads(FINGERPRINTS.read_text()) == fingerprints_of(files)
