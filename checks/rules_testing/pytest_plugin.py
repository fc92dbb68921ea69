"""pytest fixtures for rules tests. Enable in your top-level conftest.py with

    pytest_plugins = ["launchready.checks.rules_testing.pytest_plugin"]

then override `rules_file` to point at your rules, and write tests against `rules_env`.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from launchready.checks.rules_testing.environment import RulesTestEnvironment
from launchready.sandbox.firestore_emulator import FirestoreEmulator, unavailable_reason


@pytest.fixture(scope="session")
def rules_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FirestoreEmulator]:
    """One private emulator per session (per xdist worker). Missing Java/emulator fails loudly:
    a rules test that cannot run must not look like a passing one."""
    reason = unavailable_reason()
    if reason:
        pytest.fail(f"Firestore emulator unavailable: {reason}")
    emulator = FirestoreEmulator(log_dir=tmp_path_factory.mktemp("rules-emulator")).start()
    yield emulator
    emulator.stop()


@pytest.fixture
def rules_file(pytestconfig: pytest.Config) -> Path:
    """The rules under test; override this fixture to test another file."""
    return pytestconfig.rootpath / "firestore.rules"


@pytest.fixture
def rules_env(rules_emulator: FirestoreEmulator, rules_file: Path) -> Iterator[RulesTestEnvironment]:
    """An environment with `rules_file` loaded and an empty database."""
    env = RulesTestEnvironment(rules_file, emulator=rules_emulator).start()
    env.clear()
    yield env
    env.stop()
