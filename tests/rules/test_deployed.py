"""rules.deployed.match against a local stand-in for the Firebase Rules API."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from launchready.checks.catalog.rules.deployed import API_ENV, TOKEN_ENV, DeployedRulesMatch
from launchready.checks.framework import Status
from launchready.checks.framework.context import CheckContext, CheckOptions
from launchready.project import Project

PROJECT = "acme-notes-dev"


class RulesApi:
    """Answers GET release/ruleset from `routes` (path -> list of (status, body), last one repeats)."""

    def __init__(self):
        self.routes: dict[str, list[tuple[int, dict]]] = {}
        self.requests: list[tuple[str, str | None]] = []
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's naming
                api.requests.append((self.path, self.headers.get("Authorization")))
                answers = api.routes.get(self.path, [(404, {"error": {"code": 404, "message": "not found"}})])
                status, body = answers.pop(0) if len(answers) > 1 else answers[0]
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def release(self, source: str, *answers: tuple[int, dict]) -> None:
        ruleset = f"projects/{PROJECT}/rulesets/0b5e2f"
        self.routes[f"/v1/projects/{PROJECT}/releases/cloud.firestore"] = [
            *answers, (200, {"name": "cloud.firestore", "rulesetName": ruleset})]
        self.routes[f"/v1/{ruleset}"] = [(200, {"source": {"files": [{"name": "firestore.rules", "content": source}]}})]


@pytest.fixture
def api(monkeypatch):
    server = RulesApi()
    monkeypatch.setenv(API_ENV, server.url)
    monkeypatch.setenv(TOKEN_ENV, "test-access-token")
    yield server
    server.server.shutdown()
    server.server.server_close()


@pytest.fixture
def check(repo_root):
    ctx = CheckContext(CheckOptions(stack="dev", stacks_dir=repo_root / "stacks"), project=Project.load(repo_root))
    assert ctx.config.gcp.project_id == PROJECT
    return lambda: DeployedRulesMatch().run(ctx)


def test_matching_release_passes_and_sends_the_token(api, check, repo_root):
    api.release((repo_root / "firestore.rules").read_text().replace("\n", "\r\n") + "\n\n")
    result = check()
    assert result.status is Status.PASS, result.message
    assert result.evidence["ruleset"].endswith("/rulesets/0b5e2f")
    assert {auth for _, auth in api.requests} == {"Bearer test-access-token"}


def test_drifted_release_fails_at_the_first_differing_line(api, check, repo_root):
    lines = (repo_root / "firestore.rules").read_text().splitlines()
    drifted = lines[:36] + ["      allow read: if request.auth != null;"] + lines[37:]
    api.release("\n".join(drifted))
    result = check()
    assert result.status is Status.FAIL
    assert result.findings[0].line == 37 and "request.auth != null" in result.findings[0].message
    assert any(line.startswith("-      allow read") for line in result.evidence["diff"])


def test_transient_errors_are_retried(api, check, repo_root):
    api.release((repo_root / "firestore.rules").read_text(), (503, {"error": {"message": "busy"}}))
    assert check().status is Status.PASS
    assert len([p for p, _ in api.requests if p.endswith("cloud.firestore")]) == 2


def test_no_release_fails_and_refused_credentials_error(api, check):
    result = check()
    assert result.status is Status.FAIL and "no Firestore ruleset is released" in result.message
    api.routes[f"/v1/projects/{PROJECT}/releases/cloud.firestore"] = [(403, {"error": {"message": "denied"}})]
    result = check()
    assert result.status is Status.ERROR and "403" in result.message and "denied" in result.message


def test_without_credentials_the_check_skips_with_the_reason(check, monkeypatch, tmp_path):
    for var in (TOKEN_ENV, "GOOGLE_APPLICATION_CREDENTIALS"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(tmp_path))   # no gcloud ADC file here
    monkeypatch.setattr("google.auth.compute_engine._metadata.detect_gce_residency_linux", lambda: False)
    result = check()
    assert result.status is Status.SKIP and "no Google credentials" in result.message


def test_unreachable_api_is_an_error_not_a_pass(check, monkeypatch):
    from launchready.runtime.processes import free_port

    monkeypatch.setenv(API_ENV, f"http://127.0.0.1:{free_port()}")
    monkeypatch.setenv(TOKEN_ENV, "t")
    result = check()
    assert result.status is Status.ERROR and "unreachable" in result.message


def test_another_base_is_read_without_credentials_and_sends_no_token(api, check, repo_root, monkeypatch):
    monkeypatch.delenv(TOKEN_ENV)
    monkeypatch.setattr("launchready.checks.catalog.rules.deployed.access_token", lambda scopes: pytest.fail("ADC asked"))
    api.release((repo_root / "firestore.rules").read_text())
    assert check().status is Status.PASS
    assert {auth for _, auth in api.requests} == {None}
