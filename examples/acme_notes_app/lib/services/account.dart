import 'package:cloud_firestore/cloud_firestore.dart';
import 'package:firebase_auth/firebase_auth.dart';

final _db = FirebaseFirestore.instance;

String get _uid => FirebaseAuth.instance.currentUser!.uid;

/// The signed-in user's canonical record; the backend writes it, the rules let its owner read it.
Stream<Map<String, dynamic>?> watchMyCustomerRecord() =>
    _db.collection('customers').doc(_uid).snapshots().map((snap) => snap.data());

/// Profile fields are the only ones a client may change (see firestore.rules).
Future<void> renameMe(String displayName) =>
    _db.collection('customers').doc(_uid).update({'display_name': displayName});
