"""Rules tests use the harness's own pytest fixtures (a private emulator per worker), exactly as a
user's project would: the installed package registers them through its `pytest11` entry point."""
from __future__ import annotations

from pathlib import Path

import pytest

INSECURE = Path(__file__).with_name("insecure")


def run_checks(repo_root: Path, rules: Path, only: tuple[str, ...] = ("rules",)):
    """Run the rules.* checks of the offline suite against a rules file; results by check id."""
    from launchready.checks.framework.context import CheckOptions
    from launchready.commands.check import run
    from launchready.project import Project

    report = run(CheckOptions(stack="dev", stacks_dir=repo_root / "stacks", offline=True, only=only,
                              rules_file=rules), Project(repo_root))
    return {r.check_id: r for r in report.results}


@pytest.fixture
def run_rules_checks(repo_root):
    return lambda rules, only=("rules",): run_checks(repo_root, rules, only)
