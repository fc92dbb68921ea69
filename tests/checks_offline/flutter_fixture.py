"""A Flutter app tree with planted secrets and public-by-design lookalikes, written at test time.

Every secret-shaped string is assembled at runtime from pieces, so this repository never contains a
literal secret (GitHub push protection and our own repo scan stay quiet).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


def fake(*parts: str) -> str:
    return "".join(parts)


STRIPE_LIVE = fake("sk_", "live_", "51H8xQ2eZvKYlo2C", "9fWpD3kLmN4q")
STRIPE_TEST = fake("sk_", "test_", "51H8xQ2eZvKYlo2C", "7yTgB1vCxZ0a")
RESTRICTED_LIVE = fake("rk_", "live_", "51H8xQ2eZvKYlo2C", "Qw3rT5yU7iO9")
WEBHOOK_SECRET = fake("wh", "sec_", "Jx8dP2kq0Lm4Nv6Bz1Cy3Rt5Wu7Ea9Sg")
PUBLISHABLE_LIVE = fake("pk_", "live_", "51H8xQ2eZvKYlo2C", "Aa1Bb2Cc3Dd4")
PUBLISHABLE_TEST = fake("pk_", "test_", "51H8xQ2eZvKYlo2C", "Ee5Ff6Gg7Hh8")
HUBSPOT_TOKEN = fake("pat-", "na1-", "3f2a9c1e-7b6d-4e0f-8a1b-2c3d4e5f6a7b")
ZENDESK_TOKEN = fake("Zt9Qm2Lx7Kp4", "Wv8Nc3Rb6Hd1Fg5Js0Ty2Ue4Io6P")  # 40 characters
INTERCOM_TOKEN = fake("dG9r", "Ojk2ZjNhYzE1XzQ1ZTlfNGJkYV85YzFhXzJhNGI1YzZkN2U4ZjoxOjA=")
FIREBASE_KEY = fake("AI", "za", "SyD3mo_K3yF0rF1rebaseW3bC0nf1gXXXXX")
PRIVATE_KEY_HEADER = fake("-----BEGIN ", "PRIVATE KEY-----")
PRIVATE_KEY_FOOTER = fake("-----END ", "PRIVATE KEY-----")
RSA_HEADER = fake("-----BEGIN ", "RSA PRIVATE KEY-----")
RSA_FOOTER = fake("-----END ", "RSA PRIVATE KEY-----")

ALL_SECRET_VALUES = (STRIPE_LIVE, STRIPE_TEST, RESTRICTED_LIVE, WEBHOOK_SECRET, HUBSPOT_TOKEN, ZENDESK_TOKEN,
                     INTERCOM_TOKEN)


@dataclass(frozen=True)
class Planted:
    path: str
    needle: str       # a string on the planted line (the secret itself, or a key name)
    detector: str
    ships: bool


# (path, needle, detector, ships) of every secret the scan must report, and nothing else.
PLANTED = (
    Planted(".env", STRIPE_TEST, "stripe-test-secret-key", False),
    Planted(".env.production", ZENDESK_TOKEN, "zendesk-api-token", True),
    Planted("lib/main.dart", HUBSPOT_TOKEN, "hubspot-private-app-token", True),
    Planted("lib/maps.dart", "mapsKey", "google-api-key", True),
    Planted("lib/services/billing.dart", STRIPE_LIVE, "stripe-live-secret-key", True),
    Planted("assets/config/service_account.json", '"private_key"', "gcp-service-account-key", True),
    Planted("android/app/upload-key.pem", RSA_HEADER, "private-key", False),
    Planted("ios/Runner/Secrets.xcconfig", RESTRICTED_LIVE, "stripe-live-restricted-key", False),
    Planted("web/intercom.js", INTERCOM_TOKEN, "intercom-access-token", True),
)

PUBSPEC = """\
name: acme_notes
description: Acme Notes
environment:
  sdk: ">=3.3.0 <4.0.0"
dependencies:
  flutter:
    sdk: flutter
  cloud_firestore: ^5.0.0
  flutter_dotenv: ^5.1.0
flutter:
  uses-material-design: true
  assets:
    - assets/config/
    - assets/images/
    - .env.production
"""

FILES: dict[str, str] = {
    "pubspec.yaml": PUBSPEC,
    ".gitignore": "/secrets-local/\n*.log\n",
    ".launchreadyignore": "# reviewed: sample values in docs\ndocs/examples/\n",
    ".env": f"# local only, not bundled\nSTRIPE_SECRET_KEY={STRIPE_TEST}\nSTRIPE_PUBLISHABLE_KEY={PUBLISHABLE_TEST}\n",
    ".env.production": f"API_BASE=https://api.acmenotes.com\nZENDESK_API_TOKEN={ZENDESK_TOKEN}\n",
    "lib/main.dart": f"""\
import 'package:flutter/material.dart';

// The publishable key is public by design.
const stripePublishableKey = '{PUBLISHABLE_LIVE}';
const hubspotToken = '{HUBSPOT_TOKEN}';
// Reviewed: a revoked sample kept for the docs. launchready: allow-secret {WEBHOOK_SECRET}

void main() => runApp(const MaterialApp());
""",
    "lib/maps.dart": f"const mapsKey = '{FIREBASE_KEY}';\n",
    "lib/firebase_options.dart": f"""\
import 'package:firebase_core/firebase_core.dart';

class DefaultFirebaseOptions {{
  static const FirebaseOptions android = FirebaseOptions(
    apiKey: '{FIREBASE_KEY}',
    appId: '1:123456789012:android:abc123',
    projectId: 'acme-notes-prod',
  );
}}
""",
    "lib/services/billing.dart": f"""\
import 'package:http/http.dart' as http;

const stripeSecretKey = '{STRIPE_LIVE}';

Future<void> createCheckout() async {{
  await http.post(
    Uri.parse('https://api.stripe.com/v1/checkout/sessions'),
    headers: {{'Authorization': 'Bearer $stripeSecretKey'}},
  );
}}
""",
    "lib/services/checkout.dart": """\
import 'package:http/http.dart' as http;

// A publishable-key call is fine: no secret key in this file.
Future<void> token() => http.post(Uri.parse('https://api.stripe.com/v1/tokens'));
""",
    "lib/services/support.dart": """\
import 'package:http/http.dart' as http;

// Old code, kept for reference: https://api.hubapi.com/crm/v3/objects/contacts
Future<void> openTicket() async {
  await http.post(Uri.parse('https://acme.zendesk.com/api/v2/tickets.json'));
  await http.post(Uri.parse("https://api.intercom.io/contacts"));
}
/* also not code: https://api.hubspot.com/ */
""",
    "lib/services/account.dart": """\
import 'package:cloud_firestore/cloud_firestore.dart';

final _db = FirebaseFirestore.instance;
final customerRef = _db.collection('customers').doc('me');

Future<void> upgrade(String uid, String name) async {
  await _db.collection('customers').doc(uid).update({
    'display_name': name,
    'plan_status': 'active',
  });
  await customerRef.set({'support_tier': 'priority'}, SetOptions(merge: true));
  await _db.runTransaction((transaction) async {
    transaction.update(customerRef, {'plan_id': 'price_enterprise'});
  });
  await customerRef.update({'display_name': name});
  await _db.collection('profiles').doc(uid).set({'plan_status': 'mine'});
  final items = <Map<String, Object>>[];
  items.add({'plan_id': 'not firestore'});
  // await customerRef.update({'billing_provider_id': 'cus_x'});
}
""",
    "assets/config/service_account.json": (
        '{\n  "type": "service_account",\n  "project_id": "acme-notes-prod",\n'
        f'  "private_key": "{PRIVATE_KEY_HEADER}\\nMIIEvQIBADANBgkq\\n{PRIVATE_KEY_FOOTER}\\n",\n'
        '  "client_email": "app@acme-notes-prod.iam.gserviceaccount.com"\n}\n'),
    "assets/config/flags.json": '{"new_editor": true}\n',
    "android/app/google-services.json": f'{{\n  "client": [{{"api_key": [{{"current_key": "{FIREBASE_KEY}"}}]}}]\n}}\n',
    "android/app/upload-key.pem": f"{RSA_HEADER}\nMIIEowIBAAKCAQEA\n{RSA_FOOTER}\n",
    "android/.gitignore": "local.properties\n",
    "android/local.properties": f"stripe.webhook={WEBHOOK_SECRET}\n",
    "ios/Runner/GoogleService-Info.plist": f"<plist><dict>\n<key>API_KEY</key>\n<string>{FIREBASE_KEY}</string>\n</dict></plist>\n",
    "ios/Runner/Secrets.xcconfig": f"// build settings\nSTRIPE_RESTRICTED_KEY = {RESTRICTED_LIVE}\n",
    "ios/Pods/SomeSdk/config.h": f"#define KEY \"{STRIPE_LIVE}\"\n",
    "web/index.html": f"<script>const pk = '{PUBLISHABLE_TEST}';</script>\n",
    "web/intercom.js": f"// widget\nwindow.intercomSettings = {{ token: '{INTERCOM_TOKEN}' }};\n",
    "build/app/outputs/flutter_assets/.env": f"STRIPE_SECRET_KEY={STRIPE_LIVE}\n",
    ".dart_tool/package_config.json": f'{{"note": "{STRIPE_LIVE}"}}\n',
    "secrets-local/dev.env": f"STRIPE_SECRET_KEY={STRIPE_LIVE}\n",
    "docs/examples/setup.md": f"Example: `{STRIPE_TEST}`\n",
    "test/widget_test.dart": "// tests do not ship\nfinal url = Uri.parse('https://api.hubapi.com/crm/v3');\n",
}
BINARY_FILES: dict[str, bytes] = {
    "assets/images/logo.png": b"\x89PNG\r\n\x1a\n" + STRIPE_LIVE.encode(),
    "assets/config/blob.dat": b"\0\0\0" + STRIPE_LIVE.encode(),
}


def line_of(root: Path, planted: Planted) -> int:
    lines = (root / planted.path).read_text(encoding="utf-8").splitlines()
    return next(i for i, text in enumerate(lines, 1) if planted.needle in text)


def build_flutter_app(root: Path) -> Path:
    for rel, text in FILES.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for rel, data in BINARY_FILES.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    return root
