"""Files a pull request controls cannot hang the gate or exhaust its memory: links out of the project,
FIFOs, sockets, pathological Dart and hostile names each give a bounded answer (the CLI in a
subprocess, 30 s and 1 GiB of address space) with exit 0/1/2, and each skipped file is noted."""
from __future__ import annotations

import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from launchready.files import FileProblem, read_bytes_capped
from launchready.flutter.app_config import firebase_clients
from launchready.flutter.app_scan import scan_app
from launchready.secrets import scan_tree

LIMIT_AS = 1 << 30
PROJECT_FILES = ("Pulumi.yaml", "stacks", "firestore.rules", "firestore.indexes.json", "launchready.access.yaml")
FIREBASE_CONFIG = textwrap.dedent("""\
    import 'package:firebase_core/firebase_core.dart';

    class DefaultFirebaseOptions {
      static FirebaseOptions get currentPlatform => const FirebaseOptions(
            apiKey: 'AIzaSyB-tidepool-public-client-key-000000',
            appId: '1:482910:web:5e1f',
            messagingSenderId: '482910',
            projectId: 'tidepool-dev',
          );
    }
    """)


@pytest.fixture
def project(tmp_path, repo_root) -> Path:
    """A FlutterFlow-style app (lib/backend/firebase/, snake_case fields) in a project of its own."""
    root = tmp_path / "tp"
    root.mkdir()
    for name in PROJECT_FILES:
        source = repo_root / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, root / name)
    app = root / "mobile"
    (app / "lib/backend/firebase").mkdir(parents=True)
    (app / "pubspec.yaml").write_text("name: tidepool\ndependencies:\n  flutter:\n    sdk: flutter\n"
                                      "flutter:\n  assets:\n    - assets/images/\n")
    (app / "lib/backend/firebase/firebase_config.dart").write_text(FIREBASE_CONFIG)
    (app / "lib/main.dart").write_text("void main() {\n  FirebaseFirestore.instance.collection('tide_logs')"
                                       ".add({'logged_at': DateTime.now(), 'user_ref': uid});\n}\n")
    return root


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (LIMIT_AS, LIMIT_AS))


def gate(project: Path, *extra: str) -> subprocess.CompletedProcess:
    """`launchready scan` of the repository: the secrets, client and rules checks that read what a pull
    request controls, run as CI's gate runs them, without the Pulumi SDK (whose gRPC threads reserve
    address space of their own and abort, now and then, under a 1 GiB RLIMIT_AS).
    RLIMIT_AS counts address space reserved, not used: glibc reserves 64 MB per thread for malloc
    arenas; two arenas keep the cap about memory actually used."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), "MALLOC_ARENA_MAX": "2"}
    return subprocess.run([sys.executable, "-m", "launchready", "scan", str(project), "--format", "json", *extra],
                          capture_output=True, timeout=30, preexec_fn=_limits, env=env, cwd=project)


def _evidence(proc: subprocess.CompletedProcess, check_id: str) -> dict:
    import json
    report = json.loads(proc.stdout)
    return next(r for r in report["results"] if r["id"] == check_id)["evidence"]


def test_a_link_to_dev_zero_and_a_fifo_are_skipped_with_a_note(project):
    os.symlink("/dev/zero", project / "notes.txt")
    os.mkfifo(project / "mobile/lib/pipe.dart")
    os.symlink("/etc/hostname", project / "mobile/lib/outside.dart")
    proc = gate(project)
    assert proc.returncode in (0, 1), proc.stderr
    repo = _evidence(proc, "secrets.repo.scan")["skipped_files"]
    app = _evidence(proc, "secrets.app.scan")["skipped_files"]
    assert any(s.startswith("notes.txt: a link that leaves the project") for s in repo)
    assert "lib/pipe.dart: not a regular file (a FIFO): not opened" in app
    assert any(s.startswith("lib/outside.dart: a link that leaves") for s in app)


def test_a_socket_and_a_link_inside_the_project(project):
    (project / "mobile/lib/env.dart").write_text("const stripeKey = 'sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc" + "';\n")
    os.symlink("env.dart", project / "mobile/lib/env_link.dart")   # inside: followed
    server = socket.socket(socket.AF_UNIX)
    cwd = os.getcwd()
    os.chdir(project / "mobile/lib")   # a short relative name: AF_UNIX paths are limited to 108 bytes
    try:
        server.bind("dev.sock")
    finally:
        os.chdir(cwd)
    try:
        scan = scan_app(project / "mobile")
    finally:
        server.close()
    assert "lib/dev.sock: not a regular file (a socket): not opened" in scan.secrets.skipped
    assert {hit.path for hit in scan.secrets.hits} == {"lib/env.dart", "lib/env_link.dart"}


def test_a_320_kb_file_of_firebase_options_openings_is_linear(project):
    hostile = project / "mobile/lib/firebase_options.dart"
    hostile.write_text("FirebaseOptions(" * 20_480)
    with pytest.raises(Exception, match="no `FirebaseOptions"):
        firebase_clients(project / "mobile")   # finishes: one pass, not one rescan per opening
    proc = gate(project)
    assert proc.returncode in (0, 1), proc.stderr


def test_pathological_dart_for_the_lexer_and_the_analyses(project):
    lib = project / "mobile/lib"
    lib.joinpath("strings.dart").write_text("'${'" * 40_000)
    lib.joinpath("calls.dart").write_text("FirebaseFirestore.instance.collection('a').doc(" * 6_000)
    lib.joinpath("comments.dart").write_text("/*" * 100_000)
    lib.joinpath("headers.dart").write_text("'Authorization': 'Bearer ' + " * 11_000)   # one statement, 11,000 headers
    proc = gate(project)
    assert proc.returncode in (0, 1), proc.stderr


def test_hostile_file_names(project):
    lib = os.fsencode(project / "mobile/lib")
    for name in (b"a\nb.dart", b"\xff\xfe.dart", b"x\x1b[31m.env", b"::error::x.dart"):
        with open(os.path.join(lib, name), "wb") as handle:
            handle.write(b"const k = 'sk_live_" + b"4eC39HqLyjWDarjtT1zdp7dc" + b"';\n")
    proc = gate(project)
    assert proc.returncode == 1, proc.stderr
    found = {f["path"].rpartition("/")[2] for r in __import__("json").loads(proc.stdout)["results"]
             if r["id"] == "secrets.app.scan" for f in r.get("findings", [])}
    assert {"a\\nb.dart", "\\xff\\xfe.dart", "x\\x1b[31m.env"} <= found


def test_the_reader_refuses_without_opening(tmp_path):
    os.mkfifo(tmp_path / "fifo")
    with pytest.raises(FileProblem, match="a FIFO"):
        read_bytes_capped(tmp_path / "fifo")
    os.symlink("/dev/zero", tmp_path / "zero")
    with pytest.raises(FileProblem, match="leaves the project"):
        read_bytes_capped(tmp_path / "zero", root=tmp_path)
    with pytest.raises(FileProblem, match="character device"):
        read_bytes_capped(tmp_path / "zero")
    (tmp_path / "big").write_bytes(b"x" * 2_000)
    with pytest.raises(FileProblem, match="larger than 1,000 bytes"):
        read_bytes_capped(tmp_path / "big", 1_000)


def test_the_repo_scan_notes_what_it_skipped(tmp_path):
    (tmp_path / "src").mkdir()
    os.symlink("/dev/zero", tmp_path / "src/zero.txt")
    os.mkfifo(tmp_path / ".gitignore")      # even the ignore file is never opened
    scan = scan_tree(tmp_path)
    assert scan.skipped == [".gitignore: not a regular file (a FIFO): not opened",
                            "src/zero.txt: a link that leaves the project: not followed"]


SIGTERM_SCRIPT = textwrap.dedent("""\
    import sys
    from pathlib import Path
    from launchready.runtime import lifetime
    from launchready.flutter.app_scan import scan_app
    root = Path(sys.argv[1])
    try:
        with lifetime.signals_handled():
            print("scanning", flush=True)
            while True:
                scan_app(root)
                for dart in scan_app(root).dart:
                    dart.tokens
    except lifetime.Terminated as exc:
        lifetime.reraise(exc.signum)
    """)


def test_sigterm_mid_scan_ends_the_run_with_the_usual_status(project):
    lib = project / "mobile/lib"
    for i in range(8):
        lib.joinpath(f"screen_{i}.dart").write_text("final s = 'x'; // c\n" * 100_000)
    proc = subprocess.Popen([sys.executable, "-c", SIGTERM_SCRIPT, str(project / "mobile")], stdout=subprocess.PIPE,
                            text=True, env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    try:
        assert proc.stdout.readline().strip() == "scanning"
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == -signal.SIGTERM
    finally:
        if proc.poll() is None:
            proc.kill()


@pytest.mark.parametrize("rel", ["lib/firebase_options_prod.dart", "android/app/src/prod/google-services.json",
                                 "ios/config/prod/GoogleService-Info.plist"])
@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "outside"])
def test_firebase_client_configs_are_read_bounded(project, rel, kind):
    from launchready.flutter.app_config import AppConfigError, firebase_clients
    path = project / "mobile" / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "fifo":
        os.mkfifo(path)
    else:
        os.symlink("/dev/zero" if kind == "dev-zero" else project / "Pulumi.yaml", path)
    with pytest.raises(AppConfigError) as refused:
        firebase_clients(project / "mobile")   # one clear line, nothing opened
    expected = {"fifo": "not a regular file", "dev-zero": "a link out of the repository",
                "outside": "a link out of the repository"}[kind]
    assert expected in str(refused.value) and str(path) in str(refused.value)
