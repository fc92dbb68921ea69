"""Apps whose architecture is not launchready's packaged one, written at test time.

- `quizzo`: a FlutterFlow quiz app (lib/backend/schema, firebase/ folder) on Firestore, camelCase
  fields, no payments, no CRM or support desk, DNS at the registrar, its own backend (no functions/):
  it grants `isPro` from its own backend, and its access matrix says so (a `who: backend` row).
- `leaky`: the same app after a contractor "added payments" in the client: a Stripe secret key in
  lib/ and the client writing `isPremium` itself.
- `pulsepad`: a snake_case journaling app on the Realtime Database only (database.rules.json, no
  firestore.rules), with a --dart-define flavor.

Secret-shaped values are assembled at runtime (tests.checks_offline.flutter_fixture).
"""
from __future__ import annotations

import json
from pathlib import Path

import yaml

from tests.checks_offline.flutter_fixture import STRIPE_LIVE

PROJECTS = {"dev": "quizzo-dev-8812", "prod": "quizzo-prod-8812"}
RULES = """rules_version = '2';
service cloud.firestore {
  match /databases/{database}/documents {
    match /users/{userId} {
      allow get: if request.auth != null && request.auth.uid == userId;
      allow create: if request.auth != null && request.auth.uid == userId
                    && request.resource.data.keys().hasOnly(['displayName', 'avatarUrl']);
      allow update: if request.auth != null && request.auth.uid == userId
                    && request.resource.data.diff(resource.data).affectedKeys().hasOnly(['displayName', 'avatarUrl']);
    }
    match /quizzes/{quizId} {
      allow get, list: if true;
    }
    match /{document=**} {
      allow read, write: if false;
    }
  }
}
"""
ACCESS = {
    "version": 1,
    "seed": {"users/alice": {"displayName": "Alice", "isPro": False},
             "quizzes/q1": {"title": "Capitals", "authorUid": "alice"}},
    "rows": [
        {"who": "anonymous", "op": "get", "path": "quizzes/q1", "expect": "allow", "note": "a public quiz catalogue"},
        {"who": "owner", "op": "update", "path": "users/alice", "data": {"displayName": "Al"}, "expect": "allow"},
        {"who": "other", "op": "get", "path": "users/alice", "expect": "deny"},
        {"who": "backend", "op": "update", "path": "users/alice", "data": {"isPro": True}, "expect": "allow",
         "note": "the app's own backend grants Pro after an App Store receipt"},
    ],
}
USERS_RECORD = """import 'package:cloud_firestore/cloud_firestore.dart';

class UsersRecord {
  static CollectionReference get collection =>
      FirebaseFirestore.instance.collection('users');
}

Map<String, dynamic> createUsersRecordData({
  String? displayName,
  String? avatarUrl,
}) =>
    <String, dynamic>{
      'displayName': displayName,
      'avatarUrl': avatarUrl,
    };
"""
FIREBASE_CONFIG = """import 'package:firebase_core/firebase_core.dart';

Future initFirebase() async {
  await Firebase.initializeApp(
      options: const FirebaseOptions(
          apiKey: "AIzaSyQuizzoPublicWebKey0000000000000",
          authDomain: "quizzo-prod-8812.firebaseapp.com",
          projectId: "quizzo-prod-8812",
          storageBucket: "quizzo-prod-8812.appspot.com",
          messagingSenderId: "771234500099",
          appId: "1:771234500099:web:5e6f7a8b9c"));
}
"""
LEAKS = {  # file -> text; each leak line ends with `// LEAK`
    "lib/backend/api_requests/checkout.dart": f"""import 'package:http/http.dart' as http;

const stripeKey = '{STRIPE_LIVE}'; // LEAK
Future<http.Response> startCheckout(String priceId) =>
    http.post(Uri.parse('https://api.stripe.com/v1/checkout/sessions'), // LEAK
        headers: {{'Authorization': 'Bearer $stripeKey'}}, body: {{'price': priceId}}); // LEAK
""",
    "lib/pages/paywall/paywall_widget.dart": """import 'package:cloud_firestore/cloud_firestore.dart';

Future<void> unlock(String uid) async {
  await FirebaseFirestore.instance.collection('users').doc(uid).update({'isPremium': true}); // LEAK
}
""",
}


def _stack(env: str, project: str, extra: dict) -> dict:
    ns = "launchready"
    host = "quizzo.app" if env == "prod" else f"{env}.quizzo.app"
    config = {
        "gcp:project": project, "gcp:region": "us-central1",
        f"{ns}:environment": env,
        f"{ns}:app": {"name": "Quizzo", "supportEmail": "help@quizzo.app"},
        f"{ns}:gcp": {"projectId": project, "createProject": False, "region": "us-central1",
                      "firestoreLocation": "nam5"},
        f"{ns}:domain": {"zone": "quizzo.app", "appHost": host, "apiHost": f"api.{host}", "mailDomain": host},
        f"{ns}:email": {"provider": "google-workspace", "mx": [{"host": "smtp.google.com", "priority": 1}],
                        "spfIncludes": ["_spf.google.com"], "spfAll": "-all",
                        "dkim": [{"selector": "google", "value": "v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9wQuizzoKey"}],
                        "dmarcPolicy": "reject" if env == "prod" else "none", "dmarcRua": "mailto:dmarc@quizzo.app"},
        f"{ns}:caaIssuers": ["pki.goog", "letsencrypt.org"],
        f"{ns}:alerts": {"emails": ["oncall@quizzo.app"]},
        f"{ns}:owners": {"gcp": "ana@quizzo.app", "dns": "ana@quizzo.app"},
        f"{ns}:firestore": {"rulesFile": "firebase/firestore.rules", "indexesFile": "firebase/firestore.indexes.json"},
        # the app's own architecture
        f"{ns}:payments": "none",
        f"{ns}:dns": {"provider": "external"},
        f"{ns}:backend": "own",
    }
    config.update({f"{ns}:{k}": v for k, v in extra.items()})
    return {"config": {k: v for k, v in config.items() if v is not None}}


def write_stacks(root: Path, extra: dict | None = None, **per_env: dict) -> None:
    (root / "stacks").mkdir(parents=True, exist_ok=True)
    for env, project in PROJECTS.items():
        doc = _stack(env, project, {**(extra or {}), **per_env.get(env, {})})
        (root / "stacks" / f"Pulumi.{env}.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))


def quizzo(root: Path, extra: dict | None = None) -> Path:
    """The clean app (see the module docstring); `extra` adds or overrides `launchready:` keys."""
    root.mkdir(parents=True)
    (root / "Pulumi.yaml").write_text("name: quizzo\nruntime: python\nmain: deploy/\nstackConfigDir: stacks\n")
    write_stacks(root, extra)
    (root / "firebase").mkdir()
    (root / "firebase" / "firestore.rules").write_text(RULES)
    (root / "firebase" / "firestore.indexes.json").write_text(json.dumps({"indexes": [], "fieldOverrides": []}))
    (root / "firebase.json").write_text(json.dumps({"firestore": {"rules": "firebase/firestore.rules",
                                                                  "indexes": "firebase/firestore.indexes.json"}}))
    (root / "launchready.access.yaml").write_text(yaml.safe_dump(ACCESS, sort_keys=False))
    (root / "pubspec.yaml").write_text("name: quizzo\ndescription: Daily quizzes\nversion: 2.3.1+41\n"
                                       "environment:\n  sdk: '>=3.0.0 <4.0.0'\ndependencies:\n  flutter:\n"
                                       "    sdk: flutter\n  cloud_firestore: 4.15.8\n  firebase_core: 2.27.0\n")
    for rel, text in {"lib/backend/firebase/firebase_config.dart": FIREBASE_CONFIG,
                      "lib/backend/schema/users_record.dart": USERS_RECORD,
                      "lib/main.dart": "import 'backend/firebase/firebase_config.dart';\n\n"
                                       "void main() async {\n  await initFirebase();\n}\n"}.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


def leaky(root: Path) -> Path:
    quizzo(root)
    for rel, text in LEAKS.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


def leak_lines() -> set[tuple[str, int]]:
    return {(rel, n) for rel, text in LEAKS.items() for n, line in enumerate(text.splitlines(), 1) if "// LEAK" in line}


def pulsepad(root: Path) -> Path:
    """The RTDB-only app: no Firestore rules at all, its own Realtime Database rules."""
    quizzo(root, {"database": "rtdb", "app": {"name": "Pulsepad", "supportEmail": "hi@pulsepad.io"},
                  "firestore": None})
    (root / "firebase" / "firestore.rules").unlink()
    (root / "firebase" / "firestore.indexes.json").unlink()
    (root / "launchready.access.yaml").unlink()
    (root / "firebase.json").write_text(json.dumps({"database": {"rules": "database.rules.json"}}))
    (root / "database.rules.json").write_text(json.dumps({"rules": {"entries": {"$uid": {
        ".read": "auth != null && auth.uid == $uid", ".write": "auth != null && auth.uid == $uid"}}}}))
    (root / "lib" / "backend" / "schema" / "users_record.dart").unlink()
    (root / "lib" / "journal.dart").write_text(
        "import 'package:firebase_database/firebase_database.dart';\n\n"
        "const flavor = String.fromEnvironment('FLAVOR', defaultValue: 'production');\n\n"
        "Future<void> addEntry(String uid, String mood_text) =>\n"
        "    FirebaseDatabase.instance.ref('entries/$uid').push().set({'mood_text': mood_text});\n")
    return root
