"""rules.*: the Firestore security rules, audited statically, exercised on the emulator, and
compared with what is released in the environment."""
