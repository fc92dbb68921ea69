"""Sandbox tests run the real CLI in subprocesses, each with its own sandbox folder (xdist-safe)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
LAUNCHREADY = str(Path(sys.executable).parent / "launchready")


@pytest.fixture
def sandbox_dir(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "sandbox"
    monkeypatch.setenv("LAUNCHREADY_SANDBOX_DIR", str(folder))
    yield folder
    # never leave processes behind, whatever the test did
    subprocess.run([LAUNCHREADY, "sandbox", "down"], env={**os.environ}, capture_output=True, timeout=60)


def cli(*args: str, env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([LAUNCHREADY, *args], capture_output=True, text=True, cwd=REPO, timeout=timeout,
                          env={**os.environ, **(env or {})})


def state(folder: Path) -> dict:
    return json.loads((folder / "state.json").read_text())
