"""Hostile repositories for `launchready init` (issue 24 item 5): each case is a real-looking app
(tests/project/onboarding_apps.parcel_pal) with one thing made hostile — a malformed, huge, binary or
deeply nested Firebase/Flutter file, a FIFO, a link loop, a link out of the repository, an unreadable
file, a read-only folder, a write target that is not a file.

`reads` cases break a file init only reads: init must go on (exit 0) with the other sources.
`writes` cases break where init writes: init must refuse (exit 2) and write nothing at all.
"""
from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

Mutate = Callable[[Path, Path], None]   # (repository, a folder outside it)

HUGE = 2_000_000
DEEP = 100_000


def _put(path: Path, content: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_symlink() or path.exists():
        path.unlink()
    path.write_bytes(content) if isinstance(content, bytes) else path.write_text(content)


def _file(rel: str, content: str | bytes) -> Mutate:
    return lambda root, outside: _put(root / rel, content)


def _fifo(rel: str) -> Mutate:
    def mutate(root: Path, outside: Path) -> None:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            path.unlink()
        os.mkfifo(path)
    return mutate


def _link(rel: str, target: str | Callable[[Path, Path], Path]) -> Mutate:
    def mutate(root: Path, outside: Path) -> None:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.is_symlink() or path.is_file():
            path.unlink()
        os.symlink(target(root, outside) if callable(target) else target, path)
    return mutate


def _loop(rel: str) -> Mutate:
    def mutate(root: Path, outside: Path) -> None:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            path.unlink()
        os.symlink(path.name + ".b", path)
        os.symlink(path.name, path.with_name(path.name + ".b"))
    return mutate


def _mode(rel: str, mode: int, create_dir: bool = False) -> Mutate:
    def mutate(root: Path, outside: Path) -> None:
        if create_dir:
            (root / rel).mkdir(parents=True, exist_ok=True)
        os.chmod(root / rel, mode)
    return mutate


def _dir(rel: str) -> Mutate:
    return lambda root, outside: (root / rel).mkdir(parents=True)


def _deep_dirs(root: Path, outside: Path) -> None:
    path = root / "lib"
    for _ in range(150):
        path = path / "d"
    path.mkdir(parents=True)
    (path / "firebase_options_prod.dart").write_text("FirebaseOptions(projectId: 'deep-below-limit')")


def _alias_bomb() -> str:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [*a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}]"
              for i in range(1, 10)]
    return "\n".join(lines) + "\nname: *a9\n"


def _firebase_json(**firestore) -> str:
    return json.dumps({"firestore": {"rules": "firestore.rules", "indexes": "firestore.indexes.json", **firestore}})


def _deep_plist() -> bytes:
    return (b'<?xml version="1.0"?><plist version="1.0"><dict><key>PROJECT_ID</key>'
            + b"<array>" * 50_000 + b"</array>" * 50_000 + b"</dict></plist>")


def _firebase_folder_out(root: Path, outside: Path) -> None:
    """FlutterFlow's `firebase/` linked to a folder outside, the root's own Firebase files gone."""
    (root / ".firebaserc").unlink()
    (root / "firebase.json").unlink()
    (outside / ".firebaserc").write_text(json.dumps({"projects": {"prod": "someone-elses-prod"}}))
    os.symlink(outside, root / "firebase")


def _outside_file(root: Path, outside: Path) -> Path:
    return outside / "victim.txt"


# name -> mutation; init only reads these files, so it must go on (exit 0).
READS: dict[str, Mutate] = {
    "firebaserc-malformed": _file(".firebaserc", '{"projects": {"prod": '),
    "firebaserc-huge": _file(".firebaserc", '{"projects": {"prod": "' + "p" * HUGE + '"}}'),
    "firebaserc-binary": _file(".firebaserc", bytes(range(256)) * 64),
    "firebaserc-deep": _file(".firebaserc", "[" * DEEP + "]" * DEEP),
    "firebaserc-wrong-types": _file(".firebaserc", '{"projects": [["prod", 1]], "targets": 7}'),
    "firebaserc-hostile-ids": _file(".firebaserc", json.dumps({"projects": {
        "prod": "../../etc/passwd", "dev": "a\nb: c", "staging": "x" * 10_000, "default": "$(rm -rf ~)"}})),
    "firebaserc-fifo": _fifo(".firebaserc"),
    "firebaserc-dev-zero": _link(".firebaserc", "/dev/zero"),
    "firebaserc-link-loop": _loop(".firebaserc"),
    "firebaserc-directory": lambda root, outside: ((root / ".firebaserc").unlink(), (root / ".firebaserc").mkdir()),
    "firebaserc-unreadable": _mode(".firebaserc", 0o000),
    "firebaserc-link-out": _link(".firebaserc", _outside_file),
    "firebase-json-malformed": _file("firebase.json", "{'firestore': rules}"),
    "firebase-json-deep": _file("firebase.json", '{"firestore": ' + "{\"a\": " * DEEP + "1" + "}" * DEEP + "}"),
    "firebase-json-huge": _file("firebase.json", json.dumps({"hosting": {"public": "x" * HUGE}})),
    "firebase-json-rules-outside": _file("firebase.json", _firebase_json(rules="../../../../etc/passwd")),
    "firebase-json-rules-absolute": _file("firebase.json", _firebase_json(rules="/etc/passwd",
                                                                          indexes="/dev/zero")),
    "firebase-json-wrong-types": _file("firebase.json", json.dumps({"firestore": [1, 2], "hosting": "x"})),
    "firebase-json-location-object": _file("firebase.json", _firebase_json(location={"region": "nam5"})),
    "pubspec-malformed": _file("pubspec.yaml", "name: [unclosed\n  - : :\n"),
    "pubspec-alias-bomb": _file("pubspec.yaml", _alias_bomb()),
    "pubspec-deep": _file("pubspec.yaml", "name: " + "[" * DEEP + "]" * DEEP + "\n"),
    "pubspec-binary": _file("pubspec.yaml", b"\xff\xfe\x00name\x00" * 1000),
    "pubspec-name-list": _file("pubspec.yaml", "name:\n  - a\n  - b\n"),
    "pubspec-fifo": _fifo("pubspec.yaml"),
    "google-services-shapes": _file("android/app/src/prod/google-services.json", json.dumps({
        "project_info": {"project_id": "parcel-pal-71f3", "storage_bucket": 7},
        "client": [{"client_info": "nope"}, 3, None]})),
    "google-services-not-object": _file("android/app/google-services.json", "[1, 2, 3]"),
    "google-services-fifo": _fifo("android/app/google-services.json"),
    "plist-garbage": _file("ios/config/prod/GoogleService-Info.plist", b"bplist00\xff\xff\xff\xff" * 100),
    "plist-deep": _file("ios/config/prod/GoogleService-Info.plist", _deep_plist()),
    "dart-options-flood": _file("lib/firebase_options_prod.dart", "FirebaseOptions(" * 20_000),
    "dart-options-latin1": _file("lib/firebase_options_stg.dart", "projectId: 'caf\xe9'".encode("latin-1") * 100),
    "dart-options-dev-zero": _link("lib/firebase_options_dev.dart", "/dev/zero"),
    "dart-options-link-out": _link("lib/firebase_options_dev.dart", _outside_file),
    "lib-link-loop": _link("lib/loop", ".."),
    "lib-deep-folders": _deep_dirs,
    "rules-link-out": _link("firestore.rules", _outside_file),
    "rules-fifo": _fifo("firestore.rules"),
    "rules-binary": _file("firestore.rules", bytes(range(256)) * 100),
    "rules-deep": _file("firestore.rules", "rules_version = '2'; service cloud.firestore { match /a/{b} { "
                                          "allow read: if " + "(" * 5000 + "true" + ")" * 5000 + "; } }"),
    "indexes-dev-zero": _link("firestore.indexes.json", "/dev/zero"),
    "firebase-folder-link-out": _firebase_folder_out,
    "stack-file-alias-bomb": _file("stacks/Pulumi.prod.yaml", _alias_bomb().replace("name:", "config:")),
    "stack-file-deep": _file("stacks/Pulumi.prod.yaml", "config: " + "[" * DEEP + "]" * DEEP + "\n"),
    "stack-file-binary": _file("stacks/Pulumi.dev.yaml", bytes(range(256)) * 50),
    "stack-file-wrong-shapes": _file("stacks/Pulumi.staging.yaml", "config:\n  launchready:gcp: [1, 2]\n"),
}

# name -> mutation; init writes here, so it must refuse (exit 2) and write nothing.
WRITES: dict[str, Mutate] = {
    "stacks-link-out": _link("stacks", lambda root, outside: outside),
    "deploy-link-out": _link("deploy", lambda root, outside: outside),
    "stacks-link-loop": _loop("stacks"),
    "stack-file-link-out": _link("stacks/Pulumi.prod.yaml", _outside_file),
    "gitignore-link-out": _link(".gitignore", _outside_file),
    "stacks-read-only": _mode("stacks", 0o555, create_dir=True),
    "root-read-only": _mode(".", 0o555),
    "pulumi-yaml-directory": _dir("Pulumi.yaml"),
    "stacks-is-a-file": _file("stacks", "not a folder\n"),
    "deploy-main-is-a-directory": _dir("deploy/__main__.py"),
    "stack-file-fifo": _fifo("stacks/Pulumi.dev.yaml"),
    "requirements-fifo": _fifo("requirements.txt"),
    "requirements-binary": _file("requirements.txt", b"\x00\xff\xfe" * 100),
    "gitignore-dev-zero": _link(".gitignore", "/dev/zero"),
}
