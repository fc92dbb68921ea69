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
    "ios/Runner/Info.plist": f"""\
<?xml version="1.0" encoding="UTF-8"?>
<plist version="1.0"><dict>
  <key>CFBundleName</key><string>Field Note</string>
  <key>GMSPlacesApiKey</key><string>{MAPS_IOS}</string>
</dict></plist>
""",
    "lib/backend/api_requests/api_docs.dart": """\
// Copied from the SurveyHub docs: replace before use.
const exampleHeaders = {'Authorization': 'Bearer YOUR_ACCESS_TOKEN_1234567890'};
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

# `GIGBOARD`: a FlutterFlow gig marketplace with a `firebase/` folder: rules that open things on purpose
# (declared in its access matrix) and by mistake, snake_case fields in the app, camelCase in the rules,
# and a Stripe webhook that copies the customer's profile into users/.
GIGBOARD: dict[str, str] = {
    "pubspec.yaml": FIELDNOTE["pubspec.yaml"].replace("field_note", "gigboard"),
    "firebase/firestore.rules": """\
rules_version = '2';
service cloud.firestore {
  match /databases/{database}/documents {
    function isAuthenticated() { return request.auth != null; }
    function isOwner(userId) { return isAuthenticated() && request.auth.uid == userId; }

    match /users/{userId} {
      allow read: if !isAuthenticated() || isOwner(userId); // FIND:rules.static.always_true
      allow update: if isOwner(userId)
        && !request.resource.data.diff(resource.data).affectedKeys().hasAny(['verificationStatus', 'isPremium']); // FIND:rules.static.field_spelling
    }
    match /gigs/{gigId} {
      allow read: if true;
      allow create: if isAuthenticated() && request.resource.data.owner_id == request.auth.uid;
      allow update, delete: if isOwner(resource.data.owner_id);
    }
    match /applicants/{applicantId} {
      allow read: if true; // FIND:rules.static.always_true
      allow create: if isAuthenticated() && request.resource.data.uid == request.auth.uid;
    }
    match /leads/{leadId} {
      allow create: if true;
    }
    match /crash_logs/{logId} {
      allow create: if true; // FIND:rules.static.always_true FIND:rules.static.write_validation
    }
    match /forum_posts/{postId} {
      allow read, create: if request.auth != null;
    }
  }
}
""",
    "launchready.access.yaml": """\
version: 1
seed:
  gigs/g1: {owner_id: alice, title: Logo design, budget: 300}
  applicants/a1: {uid: alice, email: alice@example.org, gig_id: g1}
rows:
  - {who: anonymous, op: get, path: gigs/g1, expect: allow, note: the public gig board}
  - {who: anonymous, op: list, path: gigs, expect: allow}
  - {who: anonymous, op: get, path: applicants/a1, expect: allow}
  - {who: anonymous, op: create, path: leads/l1, data: {email: lead@example.org}, expect: allow, note: landing-page form}
  - {who: other, op: get, path: forum_posts/p1, expect: allow}
  - {who: other, op: create, path: forum_posts/p2, data: {body: hi}, expect: allow}
""",
    "lib/backend/schema/users_record.dart": """\
import 'package:cloud_firestore/cloud_firestore.dart';

class UsersRecord {
  UsersRecord._(this.reference, this.snapshotData);
  final DocumentReference reference;
  final Map<String, dynamic> snapshotData;

  String get verificationStatus => snapshotData['verification_status'] as String? ?? 'pending';
  bool get isPremium => snapshotData['isPremium'] as bool? ?? false;
  static CollectionReference get collection => FirebaseFirestore.instance.collection('users');
}
""",
    "firebase/functions/index.js": """\
const functions = require('firebase-functions');
const admin = require('firebase-admin');
const stripe = require('stripe')(process.env.STRIPE_SECRET_KEY);

exports.stripeWebhook = functions.https.onRequest(async (req, res) => {
  const event = stripe.webhooks.constructEvent(req.rawBody, req.headers['stripe-signature'], process.env.WHSEC);
  const customer = event.data.object;
  await admin.firestore().collection('users').doc(customer.metadata.uid).update({
    first_name: customer.name,
    description: customer.description,
    subscription_status: customer.subscriptions.data[0].status,
  });
  res.sendStatus(200);
});
""",
}

# `STUDIOHUB`: a monorepo — the customer app one folder down (`mobile/`, bundling its .env), an admin app
# beside it, a pure-Dart models package, and no pubspec.yaml at the root.
STRIPE_LIVE_KEY = fake("sk_", "live_", "51Nq8RtYp2Lk", "Vb7Xc3Zm9Wd4")
STRIPE_TEST_KEY = fake("sk_", "test_", "51Nq8RtYp2Lk", "Qa1Sd5Fg8Hj2")
ADMIN_TOKEN = fake("adm_", "9c8b7a6f5e4d3c2b1a0f")
STUDIOHUB: dict[str, str] = {
    "README.md": "# Studio Hub\n\nmobile/ is the customer app, admin_app/ the staff app.\n",
    "mobile/pubspec.yaml": """\
name: studiohub_mobile
environment:
  sdk: '>=3.2.0 <4.0.0'
dependencies:
  flutter:
    sdk: flutter
  flutter_dotenv: ^5.1.0
  cloud_firestore: ^4.15.0
  api_models:
    path: ../packages/api_models
flutter:
  assets:
    - .env
    - assets/images/
""",
    "mobile/.env": f"STRIPE_SECRET_KEY={STRIPE_LIVE_KEY}\nAPI_BASE=https://api.studiohub.app\n",
    "mobile/lib/services/membership.dart": """\
import 'package:cloud_firestore/cloud_firestore.dart';

Future<void> markMember(String uid) async {
  await FirebaseFirestore.instance.collection('users').doc(uid).update({
    'is_premium': true, // FIND:client.state.backend_owned
  });
}
""",
    "admin_app/pubspec.yaml": """\
name: studiohub_admin
environment:
  sdk: '>=3.2.0 <4.0.0'
dependencies:
  flutter:
    sdk: flutter
  http: ^1.2.0
""",
    "admin_app/.env.example": f"STRIPE_SECRET_KEY={STRIPE_TEST_KEY}\n",
    "admin_app/lib/main.dart": f"""\
import 'package:http/http.dart' as http;

Future<http.Response> refunds() => http.get(Uri.parse('https://api.studiohub.app/admin/refunds'),
    headers: {{'X-Admin-Token': '{ADMIN_TOKEN}'}}); // FIND:client.credentials.shipped
""",
    "admin_app/test/refunds_test.dart": f"""\
const fakeToken = '{ADMIN_TOKEN}';
final headers = {{'X-Admin-Token': fakeToken}};
""",
    "packages/api_models/pubspec.yaml": "name: api_models\nenvironment:\n  sdk: '>=3.2.0 <4.0.0'\n",
    "packages/api_models/lib/member.dart": "class Member { final bool isPremium; const Member(this.isPremium); }\n",
}

# `CADENCE`: a coaching marketplace (FlutterFlow layout, snake_case fields, RevenueCat, Stripe Connect
# sellers, PaymentSheet orders, PIN-joined classes). Every entitlement it grants itself on the device is
# marked; the look-alikes (a profile field, a name the backend writes elsewhere, an ungated copy) are not.
CADENCE: dict[str, str] = {
    "pubspec.yaml": """\
name: cadence
environment:
  sdk: '>=3.0.0 <4.0.0'
dependencies:
  flutter:
    sdk: flutter
  cloud_firestore: 4.15.8
  purchases_flutter: 6.21.0
  flutter_stripe: 10.1.1
  http: 1.2.0
""",
    "lib/backend/user_repo.dart": """\
import 'package:cloud_firestore/cloud_firestore.dart';

const kProAccessField = 'has_pro_access';

class UserRepo {
  static Future<void> patch(String uid, Map<String, dynamic> data) =>
      FirebaseFirestore.instance.collection('users').doc(uid).update(data);
}
""",
    "lib/paywall/paywall_widget.dart": """\
import 'package:purchases_flutter/purchases_flutter.dart';
import '../backend/user_repo.dart';

Future<void> buyPro(String uid, Package package) async {
  final customerInfo = await Purchases.purchasePackage(package);
  final active = customerInfo.entitlements.all['pro']?.isActive ?? false;
  await UserRepo.patch(uid, {
    kProAccessField: active, // FIND:client.state.backend_owned
    'rc_badge_label': customerInfo.originalAppUserId,
    'display_name': customerInfo.originalAppUserId,
  });
}

Future<void> startFreeWeek(String uid) async {
  await UserRepo.patch(uid, {
    'free_until': DateTime.now().add(const Duration(days: 7)), // FIND:client.state.backend_owned
  });
}
""",
    "lib/home/home_widget.dart": """\
import 'package:cloud_firestore/cloud_firestore.dart';

bool canOpenPlans(Map<String, dynamic> user) {
  if (user['has_pro_access'] == true) return true;
  if (DateTime.now().isBefore((user['free_until'] as Timestamp).toDate())) return true;
  return false;
}

bool canSell(Map<String, dynamic> seller) => seller['stripChargesEnabled'] == true;
""",
    "lib/seller/connect_widget.dart": """\
import 'dart:convert';
import 'package:cloud_firestore/cloud_firestore.dart';
import 'package:http/http.dart' as http;

Future<void> refreshSeller(String uid, String accountId, String key) async {
  final res = await http.get(Uri.parse('https://api.stripe.com/v1/accounts/$accountId'),
      headers: {'Authorization': 'Bearer $key'});
  final account = jsonDecode(res.body);
  if (account['charges_enabled'] == true) {
    await FirebaseFirestore.instance.collection('sellers').doc(uid).update({
      'stripChargesEnabled': true, // FIND:client.state.backend_owned
    });
  }
}
""",
    "lib/checkout/checkout_widget.dart": """\
import 'package:cloud_firestore/cloud_firestore.dart';
import 'package:flutter_stripe/flutter_stripe.dart';

Future<void> payForSession(String uid, String sessionId, int cents) async {
  await Stripe.instance.presentPaymentSheet();
  await FirebaseFirestore.instance.collection('orders').add({
    'buyer_uid': uid,
    'session_id': sessionId,
    'amount': cents,
    'status': 'PAID', // FIND:client.state.backend_owned
  });
}
""",
    "lib/classes/join_class_widget.dart": """\
import 'package:cloud_firestore/cloud_firestore.dart';

Future<bool> joinClass(String classId, String uid, String enteredPin) async {
  final snap = await FirebaseFirestore.instance.collection('classes').doc(classId).get();
  if (snap.data()!['join_pin'] == enteredPin) {
    await FirebaseFirestore.instance.collection('classes').doc(classId).update({
      'member_ids': FieldValue.arrayUnion([uid]), // FIND:client.state.backend_owned
    });
    return true;
  }
  return false;
}
""",
    "lib/store/purchase_log_widget.dart": """\
import 'package:cloud_firestore/cloud_firestore.dart';
import 'package:in_app_purchase/in_app_purchase.dart';

Future<void> logPurchase(String uid, PurchaseDetails purchase) =>
    FirebaseFirestore.instance.collection('users').doc(uid).collection('purchase_history').add({
      'product_id': purchase.productID,
      'status': 'paid',
    });
""",
    "lib/projects/project_widget.dart": """\
import 'package:cloud_firestore/cloud_firestore.dart';

Future<void> saveSummary(String id, String text) =>
    FirebaseFirestore.instance.collection('projects').doc(id).update({'summary': text});
""",
    "firestore.rules": """\
rules_version = '2';
service cloud.firestore {
  match /databases/{database}/documents {
    match /classes/{classId} {
      allow get: if true;
      allow update: if request.auth != null;
      match /plans/{planId} {
        allow read: if request.auth.uid in get(/databases/$(database)/documents/classes/$(classId)).data.member_ids;
      }
    }
  }
}
""",
    "functions/index.js": """\
const functions = require('firebase-functions');
const admin = require('firebase-admin');
const stripe = require('stripe')(process.env.STRIPE_SECRET_KEY);

exports.invoiceWebhook = functions.https.onRequest(async (req, res) => {
  const event = stripe.webhooks.constructEvent(req.rawBody, req.headers['stripe-signature'], process.env.WHSEC);
  const invoice = event.data.object;
  await admin.firestore().collection('invoice_copies').doc(invoice.id).set({
    summary: invoice.description,
    amount_paid: invoice.amount_paid,
  });
  res.sendStatus(200);
});
""",
}
