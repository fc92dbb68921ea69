import 'package:firebase_core/firebase_core.dart';
import 'package:flutter/material.dart';

import 'firebase_options.dart';
import 'services/account.dart';

Future<void> main() async {
  WidgetsFlutterBinding.ensureInitialized();
  await Firebase.initializeApp(options: DefaultFirebaseOptions.currentPlatform);
  runApp(const AcmeNotesApp());
}

class AcmeNotesApp extends StatelessWidget {
  const AcmeNotesApp({super.key});

  @override
  Widget build(BuildContext context) {
    return MaterialApp(
      title: 'Acme Notes',
      home: StreamBuilder(
        stream: watchMyCustomerRecord(),
        builder: (context, snapshot) => Scaffold(
          body: Center(child: Text('Plan: ${snapshot.data?['plan_status'] ?? 'loading'}')),
        ),
      ),
    );
  }
}
