"""The Firestore rules toolkit: parser and static audits (analysis), the built-in engine, and the user-facing test harness."""
