"""Firebase client config ships inside every app by design: its API key identifies the project, and
access is governed by security rules, not by the key. It is recognised wherever it lives, under any name:
FlutterFire's `firebase_options.dart` and its flavor variants (`firebase_options_development.dart`,
`firebase_options_prod.dart`), FlutterFlow's `lib/backend/firebase/firebase_config.dart`, native
`google-services.json` / `GoogleService-Info*.plist` in flavor folders, and any file whose content is a
Firebase options object (`FirebaseOptions(apiKey: ...)`, a web `firebaseConfig = {apiKey: ...}`).
"""
from __future__ import annotations

import re
from fnmatch import fnmatchcase

CONFIG_FILE_GLOBS = ("firebase_options*.dart", "firebase_config.dart", "google-services*.json",
                     "GoogleService-Info*.plist")
# An options object names the project and the app next to the key; a Maps key alone does not.
_OPTIONS_OBJECT = re.compile(rb"FirebaseOptions\s*\(|\bfirebaseConfig\b|initializeApp\s*\(")
_PROJECT_FIELDS = re.compile(rb"\b(?:projectId|authDomain|messagingSenderId|appId)\b")
_KEY_NAME = re.compile(rb"(?i)\bapi_?key\b")


def is_firebase_config(name: str, data: bytes, line: int) -> bool:
    """True when line `line` of file `name` is a Firebase client API key, public by design."""
    if any(fnmatchcase(name, glob) for glob in CONFIG_FILE_GLOBS):
        return True
    if not (_OPTIONS_OBJECT.search(data) and _PROJECT_FIELDS.search(data)):
        return False
    lines = data.split(b"\n", line)
    return len(lines) >= line and bool(_KEY_NAME.search(lines[line - 1]))
