import 'dart:convert';

import 'package:firebase_auth/firebase_auth.dart';
import 'package:http/http.dart' as http;

/// Support requests go to our backend, which routes them and talks to the support desk; the app
/// never holds a support-desk or CRM token.
Future<String> requestSupport(Uri endpoint, String subject, String message) async {
  final token = await FirebaseAuth.instance.currentUser!.getIdToken();
  final response = await http.post(
    endpoint,
    headers: {'Authorization': 'Bearer $token', 'Content-Type': 'application/json'},
    body: jsonEncode({'subject': subject, 'message': message, 'category': 'question'}),
  );
  if (response.statusCode != 201 && response.statusCode != 200) {
    throw Exception('support request failed: ${response.statusCode}');
  }
  return (jsonDecode(response.body) as Map<String, dynamic>)['id'] as String;
}
