"""pytest fixtures for rules tests. They load by themselves wherever launchready is installed (the
`pytest11` entry point `launchready-rules`); override `rules_file` to point at your rules, and write tests against `rules_env`. Tests run
on the built-in engine (no Java, milliseconds); `pytest --rules-engine emulator` (or
LAUNCHREADY_RULES_ENGINE=emulator) runs the same tests on the Firestore emulator to cross-check.
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from launchready.rules.testing.factory import ENGINES, AnyEnvironment, default_engine, make_environment
from launchready.runtime.firestore_emulator import FirestoreEmulator, unavailable_reason


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--rules-engine", choices=ENGINES, default=None,
                     help="engine behind the rules_env fixture (default: builtin, or $LAUNCHREADY_RULES_ENGINE)")


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
def rules_engine(pytestconfig: pytest.Config) -> str:
    """`builtin` or `emulator`; override (or parametrize) to pin one."""
    return pytestconfig.getoption("--rules-engine", default=None) or default_engine()


@pytest.fixture
def rules_file(pytestconfig: pytest.Config) -> Path:
    """The rules under test; override this fixture to test another file."""
    return pytestconfig.rootpath / "firestore.rules"


@pytest.fixture
def rules_env(request: pytest.FixtureRequest, rules_engine: str, rules_file: Path) -> Iterator[AnyEnvironment]:
    """An environment with `rules_file` loaded and an empty database, on `rules_engine`."""
    options = {"emulator": request.getfixturevalue("rules_emulator")} if rules_engine == "emulator" else {}
    env = make_environment(rules_file, rules_engine, **options).start()
    env.clear()
    yield env
    env.stop()
