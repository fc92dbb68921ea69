"""Apps shaped like the issue-23 repositories (not like our example), written at test time.

- `FIELDNOTE`: a FlutterFlow export of a field-survey app (Maps SDK keys in the native projects, an
  ApiManager with request-body templates, FFAppState getters, a `--dart-define` default, a Markdown
  note with the Firebase key, a provisioning profile, a PEM template): every ship-by-design value
  silent or advice, every shipped credential found.

Lines a check must report end in `// FIND:<check id>` (see real_apps.expected). Secret-shaped values
are assembled at run time so this file holds none.
"""
from __future__ import annotations

import base64
import json

from tests.checks_offline.flutter_fixture import FIREBASE_KEY, fake


def _jwt(claims: dict) -> str:
    part = lambda d: base64.urlsafe_b64encode(json.dumps(d).encode()).rstrip(b"=").decode()  # noqa: E731
    return f"{part({'alg': 'HS256', 'typ': 'JWT'})}.{part(claims)}.{fake('Qm9n', 'dXNTaWduYXR1cmVGb3JUZXN0cw')}"


MAPS_ANDROID = fake("AI", "za", "SyC8fW2nQ4kLr7Tp0ZvXs1DmA9bYh3GjK6e")
MAPS_IOS = fake("AI", "za", "SyD1gH7kMq2Ws9Pz4RtNv6LxC0bFj8YeU3a")
EXPIRED_JWT = _jwt({"sub": "svc-fieldnote", "role": "service", "exp": 1_600_000_000})
LIVE_JWT = _jwt({"sub": "svc-fieldnote", "role": "service", "exp": 4_102_444_800})
OPENAI_KEY = fake("sk-", "proj-", "a8Ks02LmQpZx73NwVb5Rt")
SURVEY_TOKEN = fake("srv_", "tok_", "8f7d6e5c4b3a29180716")
MAPBOX_DEFAULT = fake("pk.", "eyJ1IjoiZmllbGRub3RlIiwiYSI6ImNrOXoifQ", ".Zx9Qw2Er4Ty")
STRIPE_DOC_TEST = fake("sk_", "test_", "4eC39HqLyjWDarjtT1zdp7dc")   # printed in Stripe's API docs
STRIPE_PLACEHOLDER = fake("sk_", "live_", "x" * 24)
PEM_BEGIN, PEM_END = fake("-----BEGIN ", "PRIVATE KEY-----"), fake("-----END ", "PRIVATE KEY-----")

FIELDNOTE: dict[str, str] = {
    "pubspec.yaml": """\
name: field_note
description: Site surveys with maps (FlutterFlow)
environment:
  sdk: '>=3.0.0 <4.0.0'
dependencies:
  flutter:
    sdk: flutter
  cloud_firestore: 4.15.8
  google_maps_flutter: 2.5.3
  http: 1.2.0
flutter:
  assets:
    - assets/images/
""",
    "android/app/src/main/AndroidManifest.xml": f"""\
<manifest xmlns:android="http://schemas.android.com/apk/res/android" package="app.fieldnote.survey">
  <application android:label="Field Note">
    <meta-data android:name="com.google.android.geo.API_KEY"
               android:value="{MAPS_ANDROID}"/>
  </application>
</manifest>
""",
    "ios/Runner/AppDelegate.swift": f"""\
import UIKit
import Flutter
import GoogleMaps

@UIApplicationMain
@objc class AppDelegate: FlutterAppDelegate {{
  override func application(_ application: UIApplication,
    didFinishLaunchingWithOptions launchOptions: [UIApplication.LaunchOptionsKey: Any]?) -> Bool {{
    GMSServices.provideAPIKey("{MAPS_IOS}")
    GeneratedPluginRegistrant.register(with: self)
    return super.application(application, didFinishLaunchingWithOptions: launchOptions)
  }}
}}
""",
    "ios/Runner/embedded.mobileprovision": "<?xml version=\"1.0\"?><plist><dict><key>AppIDName</key>"
                                           "<string>Field Note</string></dict></plist>\n",
    "docs/SETUP_NOTES.md": f"""\
# Setup notes
Firebase web key (from the console): {FIREBASE_KEY}
Stripe: never commit the real key, it looks like `{STRIPE_PLACEHOLDER}`.
""",
    "lib/backend/api_requests/api_calls.dart": f"""\
import 'package:http/http.dart' as http;
import '../../app_state.dart';

const pemTemplate = '{PEM_BEGIN}\\n<paste the service key here>\\n{PEM_END}';
const stripeDocsKey = '{STRIPE_DOC_TEST}';

class SubmitSurveyCall {{
  static Future<http.Response> call({{String? siteId}}) {{
    final body = '''{{"api_key": "sample_api_key", "site": "$siteId"}}''';
    return http.post(Uri.parse('https://api.surveyhub.io/v2/surveys'),
        headers: {{
          'api_key': 'sample_api_key',
          'Authorization': 'Bearer {EXPIRED_JWT}',
        }},
        body: body);
  }}
}}

class SyncSitesCall {{
  static Future<http.Response> call() {{
    return http.get(Uri.parse('https://api.surveyhub.io/v2/sites'),
        headers: {{'X-API-KEY': FFAppState().surveyToken}}); // FIND:client.credentials.shipped
  }}
}}

class ArchiveCall {{
  static Future<http.Response> call() {{
    return http.get(Uri.parse('https://api.surveyhub.io/v2/archive'),
        headers: {{'Authorization': 'Bearer {LIVE_JWT}'}}); // FIND:client.credentials.shipped
  }}
}}
""",
    "lib/app_state.dart": f"""\
import 'package:flutter/material.dart';

class FFAppState extends ChangeNotifier {{
  static final FFAppState _instance = FFAppState._internal();
  factory FFAppState() => _instance;
  FFAppState._internal();

  String get surveyToken => '{SURVEY_TOKEN}';
  String get defaultAvatar =>
      'https://firebasestorage.googleapis.com/v0/b/field-note-8c1.appspot.com/o/avatars%2Fdefault.png?alt=media&token=4b1f0e2a-9c3d-4e5f-8a7b-6c5d4e3f2a1b';
}}
""",
    "lib/services/assistant.dart": f"""\
import 'package:http/http.dart' as http;

class Assistant {{
  Future<http.Response> ask(String prompt, String token) async {{
    return http.post(Uri.parse('https://api.openai.com/v1/chat/completions'),
        headers: {{'Authorization': 'Bearer $token'}}, // FIND:client.credentials.shipped
        body: prompt);
  }}
}}

Future<void> summarise(String notes) async {{
  await Assistant().ask(notes, '{OPENAI_KEY}');
}}
""",
    "lib/services/tiles.dart": f"""\
import 'package:http/http.dart' as http;

const mapboxToken = String.fromEnvironment('MAPBOX_TOKEN', defaultValue: '{MAPBOX_DEFAULT}');

Future<http.Response> tile(int z, int x, int y) =>
    http.get(Uri.parse('https://api.mapbox.com/v4/mapbox.satellite/$z/$x/$y.png'),
        headers: {{'Authorization': 'Bearer $mapboxToken'}}); // FIND:client.credentials.shipped
""",
}
