"""Shared fixtures: real local components, started here and stopped by PID."""
from __future__ import annotations

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def firestore_emulator(tmp_path_factory):
    """One Firestore emulator per test session (per xdist worker), with the repo's rules loaded.

    Tests that need a clean database use `firestore_db` (it resets data first).
    """
    from launchready.runtime.firestore_emulator import FirestoreEmulator, unavailable_reason

    reason = unavailable_reason()
    if reason:
        pytest.fail(f"Firestore emulator unavailable: {reason}")
    rules = REPO_ROOT / "firestore.rules"
    emulator = FirestoreEmulator(log_dir=tmp_path_factory.mktemp("emulator"),
                                 rules_file=rules if rules.exists() else None)
    emulator.start()
    yield emulator
    emulator.stop()


@pytest.fixture
def firestore_db(firestore_emulator, monkeypatch):
    """A clean emulator database, with FIRESTORE_EMULATOR_HOST/GOOGLE_CLOUD_PROJECT set."""
    firestore_emulator.reset()
    monkeypatch.setenv("FIRESTORE_EMULATOR_HOST", firestore_emulator.host)
    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", firestore_emulator.project_id)
    return firestore_emulator
