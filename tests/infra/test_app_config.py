"""The app loop: the program registers the environment's Firebase apps, and `launchready app-config`
writes the flavor's options from the stack's `firebase_apps` output, refusing another project's."""
from __future__ import annotations

import base64
import json
import plistlib

import pytest

from launchready.cli import main
from launchready.flutter.app_config import clients_for, firebase_clients
from launchready.infra.plan import build_plan
from tests.foundation.gate_fixtures import app_project
from tests.infra.conftest import with_changes

PACKAGE, BUNDLE, PROJECT = "io.fernhill.tutors", "io.fernhill.tutors", "fernhill-prod"
APPS = {"androidPackage": PACKAGE, "appleBundleId": BUNDLE, "web": True, "flavor": "production"}


def outputs(project: str = PROJECT) -> dict:
    """What `pulumi stack output --json` prints after `up` (configs as the Firebase Management API returns)."""
    services = {"project_info": {"project_number": "418800213377", "project_id": project,
                                 "storage_bucket": f"{project}.firebasestorage.app"},
                "client": [{"client_info": {"mobilesdk_app_id": "1:418800213377:android:5f1c0ad2e1",
                                            "android_client_info": {"package_name": PACKAGE}},
                            "api_key": [{"current_key": "AIzaSyFernhillAndroidKey0123456789abc"}]}]}
    plist = {"API_KEY": "AIzaSyFernhillIosKey0123456789abcdef", "GOOGLE_APP_ID": "1:418800213377:ios:77aa01",
             "GCM_SENDER_ID": "418800213377", "PROJECT_ID": project, "BUNDLE_ID": BUNDLE,
             "STORAGE_BUCKET": f"{project}.firebasestorage.app"}
    return {"project_id": project, "firebase_apps": {
        "android": {"packageName": PACKAGE, "appId": "1:418800213377:android:5f1c0ad2e1",
                    "configFile": base64.b64encode(json.dumps(services).encode()).decode()},
        "ios": {"bundleId": BUNDLE, "appId": "1:418800213377:ios:77aa01",
                "configFile": base64.b64encode(plistlib.dumps(plist)).decode()},
        "web": {"appId": "1:418800213377:web:c0ffee", "apiKey": "AIzaSyFernhillWebKey0123456789abcdefg",
                "authDomain": f"{project}.firebaseapp.com", "messagingSenderId": "418800213377",
                "storageBucket": f"{project}.firebasestorage.app", "projectId": project}}}


@pytest.fixture
def project(tmp_path):
    root = app_project(tmp_path / "fernhill", extra={"firebaseApps": APPS})
    app = root / "app"
    (app / "lib").mkdir(parents=True)
    (app / "pubspec.yaml").write_text("name: fernhill_tutors\ndependencies:\n  firebase_core: ^3.6.0\n")
    return root


def run(project, tmp_path, data: dict, capsys) -> tuple[int, str, str]:
    path = tmp_path / "outputs.json"
    path.write_text(json.dumps(data))
    code = main(["--project-dir", str(project), "app-config", "--stack", "prod", "--outputs", str(path),
                 "--app-dir", "app"])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_the_program_registers_the_environments_apps(configs):
    config = with_changes(configs["staging"], "firebase_apps", android_package="com.acme.notes.staging",
                          apple_bundle_id="com.acme.notes.staging", web=True)
    plan = build_plan(config)
    android = plan.named("apps-android")
    assert android.get("packageName") == "com.acme.notes.staging" and android.get("project") == "acme-notes-staging"
    assert plan.named("apps-apple").get("bundleId") == "com.acme.notes.staging"
    assert plan.named("apps-web").get("deletionPolicy") == "DELETE"        # prod: ABANDON
    assert all(r.provider and r.provider.endswith("::project-billed")
               for r in plan.of_type("gcp:firebase/androidApp:AndroidApp", "gcp:firebase/webApp:WebApp"))
    assert not build_plan(configs["staging"]).of_type("gcp:firebase/androidApp:AndroidApp")   # none declared


def test_app_config_writes_the_flavors_options_and_native_files(project, tmp_path, capsys):
    code, out, err = run(project, tmp_path, outputs(), capsys)
    assert code == 0, err
    app = project / "app"
    dart = (app / "lib" / "firebase_options_production.dart").read_text()
    assert "projectId: 'fernhill-prod'" in dart and "iosBundleId: 'io.fernhill.tutors'" in dart
    assert "case TargetPlatform.android:\n        return android;" in dart and "return web;" in dart
    assert (app / "android/app/src/production/google-services.json").is_file()
    assert (app / "ios/flavors/production/GoogleService-Info.plist").is_file()
    assert "Firebase Management API" in out and "lib/firebase_options_production.dart" in out
    # what the client checks read back: every platform of the production flavor points at prod's project
    clients = clients_for(firebase_clients(app), "prod")
    assert {c.platform for c in clients} >= {"android", "ios", "dart"}
    assert {c.project_id for c in clients} == {PROJECT}


def test_another_projects_apps_are_refused(project, tmp_path, capsys):
    code, _, err = run(project, tmp_path, outputs("fernhill-dev"), capsys)
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "belong to fernhill-dev, but stack prod is project fernhill-prod" in err
    assert not (project / "app" / "lib" / "firebase_options_production.dart").exists()


@pytest.mark.parametrize("data,message", [
    ({"project_id": PROJECT}, "has no firebase_apps output: set launchready:firebaseApps"),
    ({"firebase_apps": {"android": {"packageName": PACKAGE, "configFile": "%%%"}}}, "configFile is not base64"),
    ({"firebase_apps": {"windows": {}}}, "firebase_apps has windows"),
])
def test_unusable_outputs_are_one_line(project, tmp_path, capsys, data, message):
    code, _, err = run(project, tmp_path, data, capsys)
    assert code == 2 and message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
