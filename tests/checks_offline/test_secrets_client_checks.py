"""secrets.* and client.* checks on the planted Flutter app, and through the CLI."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from launchready.checks.catalog.client.api import DirectCrmSupportCalls, DirectStripeSecretCalls
from launchready.checks.catalog.client.state import ClientWritesBackendState
from launchready.checks.catalog.secrets.app import AppSecretsScan, EnvFileBundled
from launchready.checks.catalog.secrets.repo import RepoSecretsScan
from launchready.checks.framework import Severity, Status
from tests.checks_offline.conftest import run_check
from tests.checks_offline.flutter_fixture import ALL_SECRET_VALUES, PLANTED, STRIPE_LIVE, line_of

REPO = Path(__file__).resolve().parents[2]


def lines_of(result) -> set[tuple[str, int]]:
    return {(Path(f.path).name, f.line) for f in result.findings}


def test_app_scan_fails_critical_with_path_line_kind(flutter_app: Path) -> None:
    [result] = run_check(AppSecretsScan, app_dir=flutter_app)
    assert result.status is Status.FAIL and result.severity is Severity.CRITICAL
    got = {(f.path, f.line) for f in result.findings}
    assert got == {(str(flutter_app / p.path), line_of(flutter_app, p)) for p in PLANTED}
    shipped = [f for f in result.findings if f.path.endswith("service_account.json")]
    assert "GCP service-account private key" in shipped[0].message and "ships inside the app" in shipped[0].message
    assert f"{sum(p.ships for p in PLANTED)} shipped inside the app" in result.message
    text = json.dumps(result.to_dict())
    assert not any(value in text for value in ALL_SECRET_VALUES)


def test_app_checks_skip_without_app_dir(tmp_path: Path, monkeypatch) -> None:
    """A project with no pubspec.yaml at its root and no launchready:appDir has no app to read."""
    (tmp_path / "Pulumi.yaml").write_text("name: backend-only\nruntime: python\n")
    shutil.copytree(REPO / "stacks", tmp_path / "stacks")
    monkeypatch.chdir(tmp_path)
    for check in (AppSecretsScan, EnvFileBundled, DirectCrmSupportCalls, DirectStripeSecretCalls,
                  ClientWritesBackendState):
        [result] = run_check(check)
        assert result.status is Status.SKIP and "--app-dir" in result.message


def test_app_dir_that_is_a_file_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "main.dart").write_text("void main() {}\n")
    for check in (AppSecretsScan, EnvFileBundled, ClientWritesBackendState):
        [result] = run_check(check, app_dir=tmp_path / "main.dart")
        assert result.status is Status.ERROR and "is not a folder" in result.message


def test_env_file_listed_as_asset(flutter_app: Path) -> None:
    [result] = run_check(EnvFileBundled, app_dir=flutter_app)
    assert result.status is Status.FAIL
    assert result.evidence["bundled_env_files"] == [".env.production"]
    pubspec = (flutter_app / "pubspec.yaml").read_text().splitlines()
    [finding] = result.findings
    assert pubspec[finding.line - 1].strip() == "- .env.production"


def test_clean_app_passes(tmp_path: Path) -> None:
    (tmp_path / "lib").mkdir()
    (tmp_path / "pubspec.yaml").write_text("name: x\nflutter:\n  assets:\n    - assets/\n")
    (tmp_path / "lib" / "main.dart").write_text("void main() {}\n")
    for check in (AppSecretsScan, EnvFileBundled, DirectCrmSupportCalls, DirectStripeSecretCalls,
                  ClientWritesBackendState):
        [result] = run_check(check, app_dir=tmp_path)
        assert result.status is Status.PASS, (check.id, result.message)


def test_broken_pubspec_is_an_error_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / "pubspec.yaml").write_text("flutter: [unclosed\n")
    [result] = run_check(EnvFileBundled, app_dir=tmp_path)
    assert result.status is Status.ERROR and "pubspec.yaml is not valid YAML" in result.message


def test_low_only_hits_warn(tmp_path: Path) -> None:
    (tmp_path / "tools").mkdir()
    (tmp_path / "tools" / "maps.txt").write_text("AI" + "za" + "SyB7kQ2mW9pL4vN8xR3tY6uJ1hG5fD0sA2c" + "\n")   # not a placeholder
    [result] = run_check(AppSecretsScan, app_dir=tmp_path)
    assert result.status is Status.WARN


def test_repo_scan_honours_launchreadyignore(tmp_path: Path) -> None:
    (tmp_path / "fixtures").mkdir()
    (tmp_path / "fixtures" / "sample.env").write_text(f"KEY={STRIPE_LIVE}\n")
    [result] = run_check(RepoSecretsScan, repo_root=tmp_path)
    assert result.status is Status.FAIL and result.findings[0].path == "fixtures/sample.env"
    (tmp_path / ".launchreadyignore").write_text("fixtures/\n")
    [result] = run_check(RepoSecretsScan, repo_root=tmp_path)
    assert result.status is Status.PASS


def test_this_repository_has_no_committed_secrets() -> None:
    [result] = run_check(RepoSecretsScan, repo_root=REPO)
    assert result.status is Status.PASS, [f.to_dict() for f in result.findings]


def test_direct_crm_support_calls(flutter_app: Path) -> None:
    [result] = run_check(DirectCrmSupportCalls, app_dir=flutter_app)
    assert result.status is Status.FAIL
    # support.dart: Zendesk (line 5) and Intercom (line 6); the commented HubSpot URLs and test/ are not code.
    assert lines_of(result) == {("support.dart", 5), ("support.dart", 6)}
    assert {f.message.split(" API")[0] for f in result.findings} == {"calls the Zendesk", "calls the Intercom"}


def test_stripe_secret_calls_only_where_a_secret_key_is_used(flutter_app: Path) -> None:
    [result] = run_check(DirectStripeSecretCalls, app_dir=flutter_app)
    assert result.status is Status.FAIL and result.severity is Severity.CRITICAL
    assert lines_of(result) == {("billing.dart", 7)}  # checkout.dart calls with a publishable key: fine


def test_protected_customer_field_writes(flutter_app: Path) -> None:
    [result] = run_check(ClientWritesBackendState, app_dir=flutter_app)
    assert result.status is Status.FAIL
    # update() on the chain, set() through a variable, transaction.update(ref, ...), and billing state in
    # another collection (it follows the data, not the name); not the profile-only update, not List.add,
    # not the commented-out write.
    assert lines_of(result) == {("account.dart", 9), ("account.dart", 11), ("account.dart", 13), ("account.dart", 16)}
    messages = sorted(f.message.split(" via ")[0] for f in result.findings)
    assert messages == ["writes 'plan_id' to customers", "writes 'plan_status' to customers",
                        "writes 'plan_status' to profiles", "writes 'support_tier' to customers"]


def test_cli_blocks_on_app_secrets_without_leaking(flutter_app: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    proc = subprocess.run([sys.executable, "-m", "launchready.cli", "check", "--stack", "dev", "--offline",
                           "--only", "secrets.app,client", "--app-dir", str(flutter_app), "--format", "json",
                           "--output", str(out)], capture_output=True, text=True, cwd=REPO, timeout=120)
    assert proc.returncode == 1, proc.stderr
    report = json.loads(out.read_text())
    blocking = {r["id"] for r in report["results"] if r["blocking"]}
    assert {"secrets.app.scan", "client.api.stripe_secret"} <= blocking
    text = out.read_text() + proc.stdout + proc.stderr
    assert not any(value in text for value in ALL_SECRET_VALUES)
