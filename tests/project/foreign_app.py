"""A Flutter + Firebase app repository that is not the example: other names, domain, collections,
folder layout (rules under `firebase/`), flavors named `development`/`staging`/`production`,
FlutterFlow-style double-quoted options, a Realtime Database URL, camelCase fields, per-flavor
native configs. `build_app` writes it; tests then run `launchready init` in it like a new user.
"""
from __future__ import annotations

import json
import plistlib
from pathlib import Path

PROJECTS = {"dev": "tidal-planner-dev-3021", "staging": "tidal-planner-staging-3021", "prod": "tidal-planner-prod-3021"}
DOMAIN = "tidalplanner.io"
WEAK_RULE = "      allow read, write: if request.auth != null;"
RULES = f"""rules_version = '2';
service cloud.firestore {{
  match /databases/{{database}}/documents {{
    function signedIn() {{ return request.auth != null; }}

    match /boards/{{boardId}} {{
      allow read: if signedIn() && resource.data.ownerUid == request.auth.uid;
      allow create: if signedIn() && request.resource.data.ownerUid == request.auth.uid
                    && request.resource.data.keys().hasOnly(['ownerUid', 'title', 'createdAt']);
      allow update, delete: if false;
    }}

    match /invoices/{{invoiceId}} {{
{WEAK_RULE}
    }}

    match /customers/{{uid}} {{
      allow get: if signedIn() && request.auth.uid == uid;
      allow list, write: if false;
    }}

    match /{{document=**}} {{
      allow read, write: if false;
    }}
  }}
}}
"""
WEAK_LINE = RULES.splitlines().index(WEAK_RULE) + 1


def dart_options(project: str, quote: str = "'") -> str:
    q = quote
    return (f"import 'package:firebase_core/firebase_core.dart';\n\n"
            f"class DefaultFirebaseOptions {{\n"
            f"  static const FirebaseOptions android = FirebaseOptions(\n"
            f"    apiKey: {q}AIzaSyTidalPlannerPublicKey000000000{q},\n"
            f"    appId: {q}1:551234567890:android:0a1b2c3d4e5f{q},\n"
            f"    messagingSenderId: {q}551234567890{q},\n"
            f"    projectId: {q}{project}{q},\n"
            f"    databaseURL: {q}https://{project}-default-rtdb.europe-west1.firebasedatabase.app{q},\n"
            f"    storageBucket: {q}{project}.firebasestorage.app{q},\n"
            f"  );\n}}\n")


def build_app(root: Path, *, prod_project: str | None = None) -> Path:
    """Write the app into `root`; `prod_project` makes the production flavor point elsewhere."""
    prod = prod_project or PROJECTS["prod"]
    (root / "firebase").mkdir(parents=True)
    (root / "firebase" / "firestore.rules").write_text(RULES)
    (root / "firebase" / "firestore.indexes.json").write_text(json.dumps({
        "indexes": [{"collectionGroup": "boards", "queryScope": "COLLECTION",
                     "fields": [{"fieldPath": "ownerUid", "order": "ASCENDING"},
                                {"fieldPath": "createdAt", "order": "DESCENDING"}]}], "fieldOverrides": []}))
    (root / ".firebaserc").write_text(json.dumps({"projects": {
        "default": PROJECTS["dev"], "staging": PROJECTS["staging"], "production": PROJECTS["prod"]}}))
    (root / "firebase.json").write_text(json.dumps({
        "firestore": {"rules": "firebase/firestore.rules", "indexes": "firebase/firestore.indexes.json"},
        "hosting": {"site": "tidal-planner", "public": "build/web"}}))
    (root / "pubspec.yaml").write_text("name: tidal_planner\ndescription: Plan your tides.\nversion: 1.4.0+12\n"
                                       "environment:\n  sdk: '>=3.3.0 <4.0.0'\n"
                                       "dependencies:\n  flutter:\n    sdk: flutter\n  firebase_core: ^3.1.0\n")
    lib = root / "lib"
    lib.mkdir()
    (lib / "firebase_options_development.dart").write_text(dart_options(PROJECTS["dev"]))
    (lib / "firebase_options_staging.dart").write_text(dart_options(PROJECTS["staging"], '"'))
    (lib / "firebase_options_production.dart").write_text(dart_options(prod))
    (lib / "main_production.dart").write_text(
        "import 'firebase_options_production.dart';\n\nvoid main() {\n  // flutter run --flavor production "
        "--dart-define=APP_ENV=production\n  const env = String.fromEnvironment('APP_ENV');\n}\n")
    android = root / "android" / "app" / "src" / "production"
    android.mkdir(parents=True)
    (android / "google-services.json").write_text(json.dumps({
        "project_info": {"project_number": "551234567890", "project_id": prod,
                         "storage_bucket": f"{prod}.firebasestorage.app"},
        "client": [{"client_info": {"mobilesdk_app_id": "1:551234567890:android:0a1b2c3d4e5f",
                                    "android_client_info": {"package_name": "io.tidalplanner.app"}}}]}))
    ios = root / "ios" / "config" / "staging"
    ios.mkdir(parents=True)
    (ios / "GoogleService-Info.plist").write_bytes(plistlib.dumps({
        "PROJECT_ID": PROJECTS["staging"], "GOOGLE_APP_ID": "1:551234567890:ios:9f8e7d6c",
        "GCM_SENDER_ID": "551234567890", "BUNDLE_ID": "io.tidalplanner.app.staging",
        "STORAGE_BUCKET": f"{PROJECTS['staging']}.firebasestorage.app"}))
    return root


def set_secrets(root: Path) -> None:
    """What `pulumi config set --secret` does to each stack file: the project's own salt and
    ciphertexts (opaque to launchready, which never decrypts them)."""
    for index, stack in enumerate(("dev", "staging", "prod")):
        path = root / "stacks" / f"Pulumi.{stack}.yaml"
        text = path.read_text()
        salt = f"encryptionsalt: v1:Tid{index}lPl4nner=:v1:own{index}salt:Zm9yIHRpZGFsIHBsYW5uZXIgb25seQ==\n"
        secrets = "".join(f"  {key}:\n    secure: v1:tidal{index}{n}:Y2lwaGVydGV4dC1vZi10aGUtYXBwcy1vd24tc2VjcmV0{n}{index}\n"
                          for n, key in enumerate(("launchready:stripeSecretKey", "launchready:crmApiToken",
                                                   "launchready:supportApiToken", "cloudflare:apiToken")))
        head, _, rest = text.partition("config:\n")
        path.write_text(head + salt + "config:\n" + secrets + rest)
