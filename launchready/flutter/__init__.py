"""What the Flutter app says and does: Firebase app config, the Dart lexer and the code-flow helpers the client checks share."""
