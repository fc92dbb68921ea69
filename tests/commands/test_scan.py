"""`launchready scan PATH` on repositories shaped like real ones: no Pulumi.yaml, no stacks, no secrets set.

The apps come from tests/checks_offline/real_apps.py (a FlutterFlow export, a flavored RTDB app) laid out
as those tools lay them out, plus a monorepo, a clean app without payments, a dotenv-based options file
and repositories with no Flutter app. Every case runs the real CLI in-process.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from launchready.cli import main
from tests.checks_offline.flutter_fixture import STRIPE_LIVE
from tests.checks_offline.real_apps import SHOPLY, SHOPLY_BINARY, TUTORLY, expected, write_app
from tests.project.foreign_app import PROJECTS, build_app

STACK_CHECK_AREAS = ("config.", "dns.", "email.", "tls.", "http.", "stripe.", "webhook.", "monitoring.",
                     "infra.", "functions.", "client.config.firebase_project", "rules.deployed.")

# FlutterFlow exports its Firebase files into firebase/ (rules, functions, firebase.json).
FLUTTERFLOW = {("firebase/" + rel if rel == "firestore.rules" or rel.startswith("functions/") else rel): text
               for rel, text in TUTORLY.items()}
FLUTTERFLOW["firebase/firebase.json"] = json.dumps({"firestore": {"rules": "firestore.rules"},
                                                    "functions": {"source": "functions"}})

DATABASE_RULES = """\
{
  // Orders are per user; the catalogue is public.
  "rules": {
    "catalogue": {
      ".read": true,
      ".write": false
    },
    "orders": {
      "$uid": {
        ".read": "auth.uid === $uid",
        ".write": "auth != null"
      }
    },
    "chats": {
      ".read": "true"
    }
  }
}
"""

PUBSPEC = """\
name: {name}
environment:
  sdk: '>=3.3.0 <4.0.0'
dependencies:
  flutter:
    sdk: flutter
  cloud_firestore: ^4.15.0
  firebase_auth: ^4.17.0
"""

BIRDWATCH = {
    "pubspec.yaml": PUBSPEC.format(name="birdwatch"),
    "lib/main.dart": """\
import 'package:cloud_firestore/cloud_firestore.dart';
import 'package:firebase_auth/firebase_auth.dart';

Future<void> addSighting(String species, int count) async {
  final uid = FirebaseAuth.instance.currentUser!.uid;
  await FirebaseFirestore.instance.collection('sightings').add({
    'owner_id': uid,
    'species': species,
    'count': count,
  });
}
""",
    "firestore.rules": """\
rules_version = '2';
service cloud.firestore {
  match /databases/{database}/documents {
    match /sightings/{sightingId} {
      allow get: if request.auth != null && resource.data.owner_id == request.auth.uid;
      allow create: if request.auth != null
        && request.resource.data.owner_id == request.auth.uid
        && request.resource.data.keys().hasOnly(['owner_id', 'species', 'count'])
        && request.resource.data.species is string && request.resource.data.species.size() < 100
        && request.resource.data.count is int;
    }
  }
}
""",
}

DOTENV_OPTIONS = """\
import 'package:firebase_core/firebase_core.dart';
import 'package:flutter_dotenv/flutter_dotenv.dart';

class DefaultFirebaseOptions {
  static FirebaseOptions get currentPlatform => FirebaseOptions(
        apiKey: dotenv.env['FIREBASE_API_KEY']!,
        appId: dotenv.env['FIREBASE_APP_ID']!,
        messagingSenderId: dotenv.env['FIREBASE_SENDER_ID']!,
        projectId: dotenv.env['FIREBASE_PROJECT_ID']!,
      );
}
"""


def scan(capsys, *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["scan", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def scan_json(capsys, path: Path, *extra: str) -> tuple[int, dict, str]:
    code, out, err = scan(capsys, str(path), "--format", "json", *extra)
    return code, json.loads(out), err


def results(report: dict, check_id: str) -> list[dict]:
    return [r for r in report["results"] if r["id"] == check_id]


def places(report: dict, check_id: str) -> set[tuple[str, int]]:
    return {(Path(f["path"]).name, f["line"]) for r in results(report, check_id) for f in r["findings"]}


def test_flutterflow_export_rules_in_firebase_folder(tmp_path, capsys):
    repo = write_app(tmp_path / "tutorly", FLUTTERFLOW)
    code, report, err = scan_json(capsys, repo)
    assert code == 1 and not report["ready"]
    assert err.splitlines()[0] == "found: 1 Flutter app (.), firebase/firestore.rules, functions (firebase/functions)"
    assert "Firebase projects named by the app: tutorly-4f2a1" in err
    assert "assets bundled: . (assets/fonts/, assets/images/)" in err.splitlines()
    for check_id in ("client.state.backend_owned", "client.credentials.shipped", "rules.static.billing_self_grant"):
        assert places(report, check_id) == expected(TUTORLY, check_id), check_id
    assert {r["findings"][0]["path"] for r in results(report, "rules.static.billing_self_grant")} == {"firebase/firestore.rules"}
    ran = {r["id"] for r in report["results"]}
    assert not [i for i in ran if i.startswith(STACK_CHECK_AREAS)]
    assert "rules.behaviour.app" not in ran and "rules.database.public" not in ran  # no access matrix, no RTDB


def test_rtdb_only_app(tmp_path, capsys):
    repo = write_app(tmp_path / "shoply", {**SHOPLY, "database.rules.json": DATABASE_RULES}, SHOPLY_BINARY)
    code, report, err = scan_json(capsys, repo)
    assert code == 1
    assert err.splitlines()[0] == "found: 1 Flutter app (.), database.rules.json"
    assert ("could not read: android/app/src/development/google-services.json: project_info.project_id is missing"
            in err.splitlines())
    assert places(report, "rules.database.public") == {("database.rules.json", 5), ("database.rules.json", 15)}
    assert places(report, "rules.database.auth_only") == {("database.rules.json", 11)}
    assert results(report, "rules.database.syntax")[0]["status"] == "pass"
    assert not [r for r in report["results"] if r["id"].startswith(("rules.static", "rules.behaviour"))]
    assert places(report, "secrets.app.env_asset") == expected(SHOPLY, "secrets.app.env_asset")


def test_app_at_repo_root_reports_each_secret_once(tmp_path, capsys):
    repo = write_app(tmp_path / "shoply", SHOPLY, SHOPLY_BINARY)
    code, report, _ = scan_json(capsys, repo)
    app, = results(report, "secrets.app.scan")
    repo_result, = results(report, "secrets.repo.scan")
    app_places = {(f["path"], f["line"]) for f in app["findings"]}
    assert ("tool/refund.sh", 1) in app_places
    assert not app_places & {(f["path"], f["line"]) for f in repo_result["findings"]}
    assert repo_result["evidence"]["reported_by_secrets_app_scan"] >= 1
    code, out, _ = scan(capsys, str(repo), "--format", "sarif")
    located = [(loc["physicalLocation"]["artifactLocation"]["uri"], loc["physicalLocation"]["region"]["startLine"])
               for run in json.loads(out)["runs"] for res in run["results"] for loc in res.get("locations", [])]
    assert len(located) == len(set(located)) and ("tool/refund.sh", 1) in located
    assert all((repo / uri).is_file() for uri, _ in located)


def test_app_without_payments_is_ready(tmp_path, capsys):
    repo = write_app(tmp_path / "birdwatch", BIRDWATCH)
    code, out, err = scan(capsys, str(repo))
    assert code == 0, out
    assert out.splitlines()[0] == "found: 1 Flutter app (.), firestore.rules"
    assert "READY" in out and "NOT READY" not in out
    assert "launchready scan — checks that need no stack" in out.splitlines() and err == ""


def test_monorepo_with_two_apps(tmp_path, capsys):
    repo = tmp_path / "fieldops"
    write_app(repo / "apps/customer", BIRDWATCH)
    (repo / "apps/customer/firestore.rules").rename(repo / "firestore.rules")
    write_app(repo / "apps/admin", {"pubspec.yaml": PUBSPEC.format(name="fieldops_admin"),
                                    "lib/billing.dart": f"const stripeKey = '{STRIPE_LIVE}';\n"})
    write_app(repo / "packages/shared_models", {"pubspec.yaml": "name: shared_models\ndependencies:\n  meta: ^1.9.0\n"})
    code, report, err = scan_json(capsys, repo)
    assert code == 1
    assert err.splitlines()[0] == "found: 2 Flutter apps (apps/admin, apps/customer), firestore.rules"
    scans = {r["subject"]: r for r in results(report, "secrets.app.scan")}
    assert set(scans) == {"apps/admin", "apps/customer"}
    assert scans["apps/admin"]["status"] == "fail" and scans["apps/customer"]["status"] == "pass"
    every = [(f["path"], f["line"]) for r in report["results"] if r["id"].startswith("secrets.")
             for f in r["findings"]]
    assert every == [("apps/admin/lib/billing.dart", 1)]


def test_dotenv_options_file_is_named_and_the_scan_goes_on(tmp_path, capsys):
    repo = write_app(tmp_path / "petpal", {**BIRDWATCH, "pubspec.yaml": PUBSPEC.format(name="petpal"),
                                           "lib/firebase_options.dart": DOTENV_OPTIONS})
    code, out, _ = scan(capsys, str(repo))
    assert code == 0
    assert ("could not read: lib/firebase_options.dart: reads its values from dotenv at run time (no literal "
            "FirebaseOptions), so the app's Firebase project is unknown") in out.splitlines()
    assert "READY" in out


def test_unreadable_firebase_json_and_missing_rules_are_one_line_each(tmp_path, capsys):
    repo = write_app(tmp_path / "quizzy", {"pubspec.yaml": PUBSPEC.format(name="quizzy"),
                                           "firebase.json": '{"firestore": {"rules": "firestore.rules",}',
                                           "lib/main.dart": "void main() {}\n"})
    code, out, _ = scan(capsys, str(repo))
    lines = out.splitlines()
    assert code == 0
    assert lines[0] == "found: 1 Flutter app (.)"
    assert "not found: no Firestore or Realtime Database rules" in lines
    assert [line for line in lines if line.startswith("could not read: firebase.json: not valid JSON")]


def test_repo_without_flutter_app_but_with_rules(tmp_path, capsys):
    repo = write_app(tmp_path / "api", {"firestore.rules": "rules_version = '2';\nservice cloud.firestore {\n"
                                        "  match /databases/{database}/documents {\n    match /{document=**} {\n"
                                        "      allow read, write: if true;\n    }\n  }\n}\n",
                                        "package.json": '{"name": "api"}\n'})
    code, report, err = scan_json(capsys, repo)
    assert code == 1
    assert "not found: no Flutter app (pubspec.yaml with a Flutter SDK dependency)" in err.splitlines()
    assert places(report, "rules.static.always_true") == {("firestore.rules", 5)}
    assert not [r for r in report["results"] if r["id"].startswith(("secrets.app", "client."))]


@pytest.mark.parametrize("files", [{"README.md": "# notes\n"},
                                   {"pubspec.yaml": "name: dart_tool\ndependencies:\n  args: ^2.4.0\n"}])
def test_nothing_to_judge_is_exit_2_in_one_line(tmp_path, capsys, files):
    repo = write_app(tmp_path / "tool", files)
    code, out, err = scan(capsys, str(repo))
    assert code == 2
    assert err.strip().splitlines() == [f"launchready: scan: nothing to judge in {repo.resolve()}: no Flutter app, "
                                        "Firebase rules or functions folder"]
    assert out.splitlines()[0] == "found: nothing launchready can judge"


def test_missing_path_is_exit_2(tmp_path, capsys):
    code, _, err = scan(capsys, str(tmp_path / "nope"))
    assert code == 2 and err.strip() == f"launchready: scan: {tmp_path / 'nope'} is not a folder"


def test_prod_flavor_on_the_dev_project_is_found_without_a_stack(tmp_path, capsys):
    repo = build_app(tmp_path / "tidal-planner", prod_project=PROJECTS["dev"])
    code, report, err = scan_json(capsys, repo)
    assert f"{PROJECTS['dev']} (production)" in err
    flavors, = results(report, "client.flavors.separate")
    assert flavors["status"] == "fail" and code == 1
    assert {f["path"] for f in flavors["findings"]} >= {"lib/firebase_options_production.dart"}
    code, report, _ = scan_json(capsys, build_app(tmp_path / "tidal-ok"))
    assert results(report, "client.flavors.separate")[0]["status"] == "pass"


SIGHTINGS_MATRIX = """\
version: 1
seed:
  sightings/s1: {owner_id: alice, species: heron, count: 2}
rows:
- {who: owner, op: get, path: sightings/s1, expect: allow}
- {who: other, op: get, path: sightings/s1, expect: deny}
- {who: anonymous, op: list, path: sightings, expect: deny}
- {who: other, op: delete, path: sightings/s1, expect: allow, note: moderators may delete (intended; rules disagree)}
"""


def test_declared_intent_from_the_access_matrix_is_tried_on_the_rules(tmp_path, capsys):
    repo = write_app(tmp_path / "birdwatch", {**BIRDWATCH, "launchready.access.yaml": SIGHTINGS_MATRIX})
    code, report, err = scan_json(capsys, repo)
    assert err.splitlines()[0] == "found: 1 Flutter app (.), firestore.rules, launchready.access.yaml"
    app, = results(report, "rules.behaviour.app")
    assert app["status"] == "fail" and code == 1
    assert app["evidence"]["violated"] == 1 and "delete" in app["findings"][0]["message"]
    assert not [r for r in report["results"] if r["id"].startswith("rules.behaviour.") and r["id"] != "rules.behaviour.app"]


def test_rules_paths_come_from_firebase_json(tmp_path, capsys):
    repo = write_app(tmp_path / "shoply", {**SHOPLY, "rtdb/rules.json": DATABASE_RULES,
                                           "firebase.json": json.dumps({"database": {"rules": "rtdb/rules.json"},
                                                                        "firestore": {"rules": "fs/missing.rules"}})},
                     SHOPLY_BINARY)
    code, report, err = scan_json(capsys, repo)
    assert err.splitlines()[0] == "found: 1 Flutter app (.), rtdb/rules.json"
    assert ("could not read: firebase.json: firestore.rules names fs/missing.rules, which does not exist"
            in err.splitlines())
    assert places(report, "rules.database.public") == {("rules.json", 5), ("rules.json", 15)}
