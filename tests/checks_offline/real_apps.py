"""Small apps shaped like real ones (not like the bundled example), written at test time.

- `tutorly`: a FlutterFlow export (lib/backend/firebase/firebase_config.dart, lib/backend/schema/*_record.dart,
  createXRecordData(...) writes, ApiManager calls, FFAppConstants with --dart-define, an l10n table), its
  own firestore.rules and a Stripe webhook in functions/.
- `shoply`: a flavored FlutterFire app (firebase_options_development/production.dart, per-flavor native
  config) on the Realtime Database, with flutter_dotenv, mailer, and Android signing files.

Each file marks the lines a check must report with a trailing `// FIND:<check>` comment, so the
expected lines are read from the files, not hard-coded. Secret-shaped values are assembled at runtime.
"""
from __future__ import annotations

import re
from pathlib import Path

from tests.checks_offline.flutter_fixture import FIREBASE_KEY, STRIPE_LIVE, fake

MAPS_KEY = fake("AI", "za", "SyM4psK3yN0tF1rebase0nlyMapsXXXXXXX")
RAPIDAPI_KEY = fake("9f3c2b1a7d", "msh4e5f6a7b8c9d0e1f2a3bp1c2d3ejsn4f5a6b7c8d9e")
FIND = re.compile(r"(?://|#) FIND:([\w.]+)")

TUTORLY: dict[str, str] = {
    "pubspec.yaml": """\
name: tutorly
description: Tutoring marketplace (FlutterFlow)
environment:
  sdk: '>=3.0.0 <4.0.0'
dependencies:
  flutter:
    sdk: flutter
  cloud_firestore: 4.15.8
  firebase_auth: 4.17.8
  firebase_core: 2.27.0
flutter:
  uses-material-design: true
  assets:
    - assets/fonts/
    - assets/images/
""",
    "lib/backend/firebase/firebase_config.dart": f"""\
import 'package:firebase_core/firebase_core.dart';
import 'package:flutter/foundation.dart';

Future initFirebase() async {{
  if (kIsWeb) {{
    await Firebase.initializeApp(
        options: FirebaseOptions(
            apiKey: "{FIREBASE_KEY}",
            authDomain: "tutorly-4f2a1.firebaseapp.com",
            projectId: "tutorly-4f2a1",
            storageBucket: "tutorly-4f2a1.appspot.com",
            messagingSenderId: "530210998877",
            appId: "1:530210998877:web:8d1f0c1b2a"));
  }} else {{
    await Firebase.initializeApp();
  }}
}}
""",
    "lib/backend/schema/users_record.dart": """\
import 'package:cloud_firestore/cloud_firestore.dart';

class UsersRecord {
  static CollectionReference get collection =>
      FirebaseFirestore.instance.collection('users');
}

Map<String, dynamic> createUsersRecordData({
  String? email,
  String? displayName,
  bool? isPremium,
  String? subscriptionTier,
}) =>
    <String, dynamic>{
      'email': email,
      'display_name': displayName,
      'is_premium': isPremium,
      'subscription_tier': subscriptionTier,
    };
""",
    "lib/backend/schema/premium_user_data_record.dart": """\
import 'package:cloud_firestore/cloud_firestore.dart';

class PremiumUserDataRecord {
  static CollectionReference get collection =>
      FirebaseFirestore.instance.collection('PremiumUserData');
}
""",
    "lib/app_constants.dart": """\
abstract class FFAppConstants {
  static const String docusealToken = String.fromEnvironment('DOCUSEAL_TOKEN');
  static const String supportEmail = 'help@tutorly.app';
}
""",
    "lib/pages/paywall/paywall_widget.dart": """\
import '/auth/firebase_auth/auth_util.dart';
import '/backend/backend.dart';

Future<void> onPurchaseCompleted(String tier) async {
  // The store callback said yes: unlock premium right away.
  await currentUserReference!.update(createUsersRecordData(
    isPremium: true, // FIND:client.state.backend_owned
    subscriptionTier: tier, // FIND:client.state.backend_owned
  ));
}

Future<void> onSignUp() async {
  await currentUserReference!.update(createUsersRecordData(isPremium: false, email: currentUserEmail));
}
""",
    "lib/pages/checkout/checkout_widget.dart": """\
import '/backend/backend.dart';

Future<void> confirmPlan(String uid, String plan) async {
  await PremiumUserDataRecord.collection.doc(uid).set(createPremiumUserDataRecordData(
    paymentStatus: 'paid', // FIND:client.state.backend_owned
    planId: plan, // FIND:client.state.backend_owned
    subscriptionId: 'manual-${DateTime.now().millisecondsSinceEpoch}', // FIND:client.state.backend_owned
  ));
}

Future<void> saveReceipt(String url) async {
  await currentUserReference!.update({'receiptUrl': url}); // FIND:client.state.backend_owned
}
""",
    "lib/pages/rewards/rewards_widget.dart": """\
import 'package:cloud_firestore/cloud_firestore.dart';

Future<void> claimDailyReward(String uid) async {
  final userRef = FirebaseFirestore.instance.collection('users').doc(uid);
  final batch = FirebaseFirestore.instance.batch();
  batch.update(userRef, {'credits': FieldValue.increment(50), 'lastClaim': FieldValue.serverTimestamp()}); // FIND:client.state.backend_owned
  await batch.commit();
  await FirebaseFirestore.instance.runTransaction((tx) async {
    tx.set(userRef, {'unlockedCourses': FieldValue.arrayUnion(['advanced'])}, SetOptions(merge: true)); // FIND:client.state.backend_owned
  });
}
""",
    "lib/pages/profile/profile_widget.dart": """\
import '/backend/backend.dart';

Future<void> saveProfile(String name) async {
  await currentUserReference!.update(createUsersRecordData(displayName: name));
  final tags = <String>{};
  tags.add('plan: ${name.length}');
}
""",
    "lib/pages/notes/notes_widget.dart": """\
import '/backend/backend.dart';

Future<void> addNote(String title, String body) async {
  await NotesRecord.createDoc(currentUserReference!).set(createNotesRecordData(title: title, body: body));
}
""",
    "lib/backend/api_requests/api_calls.dart": """\
import 'api_manager.dart';
import '/app_constants.dart';

class CreateSubmissionCall {
  static Future<ApiCallResponse> call({String? templateId = ''}) async {
    return ApiManager.instance.makeApiCall(
      callName: 'createSubmission',
      apiUrl: 'https://api.docuseal.co/submissions',
      callType: ApiCallType.POST,
      headers: {
        'X-Auth-Token': '${FFAppConstants.docusealToken}', // FIND:client.credentials.shipped
      },
      params: {'template_id': templateId},
    );
  }
}

class ContactSupportCall {
  static Future<ApiCallResponse> call({String? email = '', String? body = ''}) async {
    return ApiManager.instance.makeApiCall(
      callName: 'contactSupport',
      apiUrl: 'https://tutorly.zendesk.com/api/v2/requests.json',
      callType: ApiCallType.POST,
      headers: {'Content-Type': 'application/json'},
      body: '{"request": {"requester": {"name": "Student", "email": "$email"}, "comment": {"body": "$body"}}}',
    );
  }
}
""",
    "lib/flutter_flow/internationalization.dart": "final kTranslationsMap = <Map<String, Map<String, String>>>[\n"
        + "".join(f"  {{'k{i}': {{'en': 'Go premium and update your plan {i}', 'es': 'Hazte premium {i}',}}}},\n"
                  for i in range(400)) + "].reduce((a, b) => a..addAll(b));\n",
    "test/paywall_test.dart": """\
void main() {
  currentUserReference!.update({'isPremium': true});
}
""",
    "firestore.rules": """\
rules_version = '2';
service cloud.firestore {
  match /databases/{database}/documents {
    function isPremium() {
      return get(/databases/$(database)/documents/users/$(request.auth.uid)).data.isPremium == true;
    }
    match /users/{uid} {
      allow read: if request.auth.uid == uid;
      allow create, update: if request.auth.uid == uid; // FIND:rules.static.billing_self_grant
      match /notes/{noteId} {
        allow read, write: if request.auth.uid == uid;
      }
    }
    match /lessons/{lessonId} {
      allow read: if request.auth != null;
      allow write: if false;
    }
    match /categories/{id} {
      allow read: if true;
    }
    match /premium_videos/{id} {
      allow read: if isPremium();
    }
    match /PremiumUserData/{uid} {
      allow read: if request.auth.uid == uid;
      allow write: if false;
    }
  }
}
""",
    "functions/index.js": """\
const functions = require("firebase-functions");
const admin = require("firebase-admin");
const stripe = require("stripe")(process.env.STRIPE_KEY);

exports.stripeWebhook = functions.https.onRequest(async (req, res) => {
  const event = stripe.webhooks.constructEvent(req.rawBody, req.headers["stripe-signature"], process.env.WHSEC);
  const session = event.data.object;
  await admin.firestore().collection("users").doc(session.client_reference_id).update({
    isPremium: true,
    receiptUrl: session.receipt_url,
  });
  res.sendStatus(200);
});
""",
}

SHOPLY_OPTIONS = """\
import 'package:firebase_core/firebase_core.dart' show FirebaseOptions;

class DefaultFirebaseOptions {{
  static FirebaseOptions get currentPlatform => android;

  static const FirebaseOptions android = FirebaseOptions(
    apiKey: '{key}',
    appId: '1:99887766:android:{flavor}',
    messagingSenderId: '99887766',
    projectId: 'shoply-{flavor}',
    databaseURL: 'https://shoply-{flavor}-default-rtdb.europe-west1.firebasedatabase.app',
  );
}}
"""

SHOPLY: dict[str, str] = {
    "pubspec.yaml": """\
name: shoply
environment:
  sdk: '>=3.2.0 <4.0.0'
dependencies:
  flutter:
    sdk: flutter
  firebase_database: ^10.4.0
  flutter_dotenv: ^5.1.0
  mailer: ^6.0.1
  http: ^1.2.0
flutter:
  assets:
    - .env # FIND:secrets.app.env_asset
    - assets/
""",
    ".env": f"RAPIDAPI_KEY={RAPIDAPI_KEY}\n",
    "lib/firebase_options_development.dart": SHOPLY_OPTIONS.format(key=FIREBASE_KEY, flavor="dev"),
    "lib/firebase_options_production.dart": SHOPLY_OPTIONS.format(key=FIREBASE_KEY, flavor="prod"),
    "lib/main_development.dart": """\
import 'firebase_options_development.dart';
import 'app.dart';

Future<void> main() => bootstrap(DefaultFirebaseOptions.currentPlatform, flavor: 'development');
""",
    "lib/data/order_repository.dart": """\
import 'package:firebase_database/firebase_database.dart';

class OrderRepository {
  final _db = FirebaseDatabase.instance;

  Future<void> markPaid(String orderId) async {
    await _db.ref('orders/$orderId').update({
      'status': 'paid', // FIND:client.state.backend_owned
      'paidAt': ServerValue.timestamp, // FIND:client.state.backend_owned
    });
  }

  Future<void> confirm(String orderId) async {
    await _db.ref().child('orders').child(orderId).child('status').set('paid'); // FIND:client.state.backend_owned
  }

  Future<void> refundViaRest(String orderId) async {
    await http.patch(Uri.parse('https://shoply-prod-default-rtdb.firebaseio.com/orders/$orderId.json'),
        body: jsonEncode({'status': 'paid'})); // FIND:client.state.backend_owned
  }

  Future<void> saveCart(String uid, List<Map<String, Object>> items) async {
    await _db.ref('carts/$uid').set({'items': items, 'status': 'open'});
  }
}
""",
    "lib/data/chat_repository.dart": """\
import 'package:cloud_firestore/cloud_firestore.dart';

class ChatRepository {
  final _messages = <Map<String, String>>[];

  Future<void> send(String chatId, String text) async {
    _messages.add({'role': 'user', 'content': text});
    await FirebaseFirestore.instance.collection('chats').doc(chatId).collection('messages').add({
      'role': 'user',
      'content': text,
      'createdAt': FieldValue.serverTimestamp(),
    });
  }
}
""",
    "lib/services/weather_service.dart": """\
import 'package:flutter_dotenv/flutter_dotenv.dart';
import 'package:http/http.dart' as http;

const placesKey = String.fromEnvironment('PLACES_KEY');

Future<http.Response> nearby(String q) =>
    http.get(Uri.parse('https://maps.googleapis.com/maps/api/place/textsearch/json?query=$q&key=$placesKey')); // FIND:client.credentials.shipped

Future<http.Response> status() =>
    http.get(Uri.parse('https://status.shoply.app/ping'), headers: {'Authorization': 'Basic see the ops wiki'});

Future<http.Response> currentWeather(String city) {
  return http.get(
    Uri.parse('https://weatherapi-com.p.rapidapi.com/current.json?q=$city'),
    headers: {
      'X-RapidAPI-Key': dotenv.env['RAPIDAPI_KEY']!, // FIND:client.credentials.shipped
      'X-RapidAPI-Host': 'weatherapi-com.p.rapidapi.com',
    },
  );
}
""",
    "lib/services/backend_api.dart": """\
import 'package:firebase_auth/firebase_auth.dart';
import 'package:http/http.dart' as http;

Future<http.Response> listOrders() async {
  final idToken = await FirebaseAuth.instance.currentUser!.getIdToken();
  return http.get(Uri.parse('https://api.shoply.app/orders'),
      headers: {'Authorization': 'Bearer $idToken'});
}

Future<http.Response> openTicket(String subject) async {
  final token = await FirebaseAuth.instance.currentUser!.getIdToken();
  return http.post(Uri.parse('https://shoply.zendesk.com/api/v2/requests.json'), // FIND:client.api.crm_support
      headers: {'Authorization': 'Bearer $token'}, body: subject);
}
""",
    "lib/services/mail_service.dart": """\
import 'package:mailer/mailer.dart';
import 'package:mailer/smtp_server.dart';

class MailService {
  static const _sender = 'shoply.notifications@gmail.com';
  static const _appPassword = 'qwer tyui asdf ghjk';

  Future<void> sendReceipt(String to) async {
    final smtp = SmtpServer('smtp.zoho.eu',
        port: 465,
        ssl: true,
        username: 'orders@shoply.app',
        password: 'Sh0ply-Orders-2024'); // FIND:client.credentials.shipped
    final fallback = gmail(_sender, _appPassword); // FIND:client.credentials.shipped
    await send(Message()..recipients.add(to), smtp);
  }
}
""",
    "lib/screens/seed_admin.dart": """\
import 'package:firebase_auth/firebase_auth.dart';

Future<void> seedAdmin() async {
  await FirebaseAuth.instance.createUserWithEmailAndPassword(
      email: 'admin@shoply.app', password: 'ShoplyAdmin#2024'); // FIND:client.credentials.shipped
}

Future<void> login(String email, String password) =>
    FirebaseAuth.instance.signInWithEmailAndPassword(email: email, password: password);
""",
    "lib/services/maps.dart": f"const mapsApiKey = '{MAPS_KEY}'; // FIND:secrets.app.scan\n",
    "lib/l10n/app_localizations_en.dart": "class AppLocalizationsEn {\n"
        + "".join(f"  String get item{i} => 'Your order {i} is paid and will ship soon';\n" for i in range(300))
        + "}\n",
    "web/index.html": f"""\
<script>
  const firebaseConfig = {{
    apiKey: "{FIREBASE_KEY}",
    authDomain: "shoply-prod.firebaseapp.com",
    projectId: "shoply-prod",
    appId: "1:99887766:web:abc"
  }};
  firebase.initializeApp(firebaseConfig);
</script>
""",
    "android/app/src/development/google-services.json":
        f'{{"client": [{{"api_key": [{{"current_key": "{FIREBASE_KEY}"}}]}}]}}\n',
    "ios/config/production/GoogleService-Info.plist":
        f"<plist><dict><key>API_KEY</key><string>{FIREBASE_KEY}</string></dict></plist>\n",
    "android/key.properties": """\
storePassword=sh0plyUpl0ad! # FIND:secrets.app.signing
keyPassword=sh0plyUpl0ad! # FIND:secrets.app.signing
keyAlias=upload
storeFile=upload-keystore.jks
""",
    "android/app/build.gradle": """\
def keystoreProperties = new Properties()
android {
    signingConfigs {
        release {
            storePassword keystoreProperties['storePassword']
            keyPassword System.getenv("KEY_PASSWORD")
        }
    }
}
""",
    "tool/refund.sh": f'curl -H "Authorization: Bearer {STRIPE_LIVE}" https://api.stripe.com/v1/refunds # FIND:secrets.app.scan\n',
}
SHOPLY_BINARY = {"android/app/upload-keystore.jks": b"\xfe\xed\xfe\xed\0\0\0\2",
                 "android/app/debug.keystore": b"\xfe\xed\xfe\xed\0\0\0\2"}


def write_app(root: Path, files: dict[str, str], binary: dict[str, bytes] | None = None) -> Path:
    """Write the files, dropping the `FIND:` markers' text (kept as plain comments, lines unchanged)."""
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for rel, data in (binary or {}).items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    return root


def expected(files: dict[str, str], check_id: str) -> set[tuple[str, int]]:
    """(file name, line) of every line marked `FIND:<check_id>`."""
    return {(Path(rel).name, number) for rel, text in files.items()
            for number, line in enumerate(text.splitlines(), 1)
            if any(m.group(1) == check_id for m in FIND.finditer(line))}
