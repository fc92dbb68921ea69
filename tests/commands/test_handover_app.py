"""`launchready handover` on an app that keeps its own data model: it documents the app's collections,
writes and functions instead of launchready's template backend, and runs the check it needs."""
from __future__ import annotations

import json

from launchready.cli import main
from tests.project.conftest import INIT
from tests.project.foreign_app import RULES, build_app, set_secrets

CUSTOMERS_BLOCK = """    match /customers/{uid} {
      allow get: if signedIn() && request.auth.uid == uid;
      allow list, write: if false;
    }
"""
BOARDS_DART = """import 'package:cloud_firestore/cloud_firestore.dart';

Future<void> createBoard(String uid, String title) async {
  await FirebaseFirestore.instance.collection('boards').add({
    'ownerUid': uid,
    'title': title,
    'createdAt': FieldValue.serverTimestamp(),
  });
}
"""
FUNCTIONS_JS = """const { onDocumentCreated } = require("firebase-functions/v2/firestore");

exports.notifyBoardShared = onDocumentCreated("boards/{boardId}", async (event) => {});
exports.nightlyDigest = require("./digest").nightlyDigest;
"""


def test_handover_describes_the_apps_own_model_and_runs_the_check(tmp_path, capsys, monkeypatch):
    assert CUSTOMERS_BLOCK in RULES
    app = build_app(tmp_path / "tidal-planner")
    (app / "firebase" / "firestore.rules").write_text(RULES.replace(CUSTOMERS_BLOCK, ""))
    (app / "lib" / "boards.dart").write_text(BOARDS_DART)
    (app / "functions").mkdir()
    (app / "functions" / "index.js").write_text(FUNCTIONS_JS)
    monkeypatch.chdir(app)
    assert main(INIT) == 0
    set_secrets(app)
    capsys.readouterr()
    assert main(["handover", "--stack", "staging", "--out", "docs/handover"]) == 0
    err = capsys.readouterr().err
    assert "no report at build/reports/staging.json: ran `launchready check --stack staging --offline`" in err
    report = json.loads((app / "build" / "reports" / "staging.json").read_text())
    assert report["stack"] == "staging" and report["results"]
    docs = app / "docs" / "handover"
    readiness = (docs / "readiness.md").read_text()
    assert "No readiness report found" not in readiness and "Latest `launchready check` for stack `staging`" in readiness
    model = (docs / "data-model.md").read_text()
    assert "customers/{uid}/private/internal" not in model and "stripe_events/{event_id}" not in model
    assert "This app keeps its own data model" in model
    board_row = next(line for line in model.splitlines() if line.startswith("| `boards` |"))
    assert "lib/boards.dart:5" in board_row
    environments = (docs / "environments.md").read_text()
    assert "| `notifyBoardShared` | `functions/index.js` |" in environments
    assert "| `nightlyDigest` | `functions/index.js` |" in environments
    assert "`stripe_webhook`" not in environments
    capsys.readouterr()
    assert main(["handover", "--stack", "dev", "--out", "docs/dev", "--no-check"]) == 0
    assert "ran `launchready check" not in capsys.readouterr().err
    assert "Run `launchready check --stack dev --format json" in (app / "docs" / "dev" / "readiness.md").read_text()
