"""A foreign app repository (tests/project/foreign_app.py), initialised the way a new user would."""
from __future__ import annotations

from pathlib import Path

import pytest

from launchready.cli import main
from tests.project.foreign_app import build_app, set_secrets

ZONE_ID = "9b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e"
DKIM = "v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAtidalplannerkey"
INIT = ["init", "--yes", "--domain", "tidalplanner.io", "--cloudflare-zone-id", ZONE_ID, "--dkim-key", DKIM]


def cli(capsys, *argv: str) -> tuple[int, str, str]:
    """Run the real CLI in-process; (exit code, stdout, stderr)."""
    capsys.readouterr()
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def app_repo(tmp_path: Path) -> Path:
    return build_app(tmp_path / "tidal-planner")


@pytest.fixture
def project(app_repo: Path, capsys, monkeypatch) -> Path:
    """The app after `init --yes` and the secrets a user sets with `pulumi config set --secret`."""
    monkeypatch.chdir(app_repo)
    code, out, err = cli(capsys, *INIT)
    assert code == 0, err
    set_secrets(app_repo)
    return app_repo
