"""A local stand-in for the Firebase Rules API's read side: the project's Firestore release and the
ruleset it names, with the source the sandbox loaded into the Firestore emulator.

So the live `rules.deployed.match` check reads back what the replica really enforces, through the
same release -> ruleset -> source calls it makes against firebaserules.googleapis.com.
Run standalone: `python -m sandbox.stubs.firebase_rules_api --port P --project ID --rules FILE`
(without `--rules` nothing is released: the release answers 404, as in a fresh project).
"""
from __future__ import annotations

import argparse
import hashlib
from pathlib import Path

from werkzeug.wrappers import Request, Response

from launchready.sandbox.stubs.http_stub import StubServer, json_response

RELEASE = "cloud.firestore"
RULES_FILE_NAME = "firestore.rules"


class FirebaseRulesApiStub(StubServer):
    def __init__(self, project: str, source: str | None, port: int = 0):
        super().__init__(port)
        self.project, self.source = project, source
        # ruleset ids are opaque; one derived from the content changes whenever the rules do
        self.ruleset_id = hashlib.sha256((source or "").encode()).hexdigest()[:12]

    @property
    def ruleset_name(self) -> str:
        return f"projects/{self.project}/rulesets/{self.ruleset_id}"

    def wsgi(self, environ, start_response):
        return self._answer(Request(environ))(environ, start_response)

    def _answer(self, request: Request) -> Response:
        project = f"v1/projects/{self.project}"
        path = request.path.strip("/")
        if request.method != "GET" or self.source is None:
            return _not_found()
        if path == f"{project}/releases/{RELEASE}":
            return json_response({"name": f"projects/{self.project}/releases/{RELEASE}", "rulesetName": self.ruleset_name})
        if path == f"v1/{self.ruleset_name}":
            return json_response({"name": self.ruleset_name,
                          "source": {"files": [{"name": RULES_FILE_NAME, "content": self.source}]}})
        return _not_found()


def _not_found() -> Response:
    return json_response({"error": {"code": 404, "message": "not found", "status": "NOT_FOUND"}}, 404)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--project", required=True)
    parser.add_argument("--rules", type=Path, help="the released Firestore rules file (default: none released)")
    args = parser.parse_args()
    source = args.rules.read_text(encoding="utf-8") if args.rules else None
    FirebaseRulesApiStub(args.project, source, args.port).serve_forever()


if __name__ == "__main__":
    main()
