"""Fixtures for the offline checks: a planted Flutter app, and editable copies of the example stacks."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from launchready.checks.framework import CheckContext, CheckOptions
from launchready.checks.framework.runner import run_one
from launchready.project import Project
from tests.checks_offline.flutter_fixture import build_flutter_app

STACKS = Path(__file__).resolve().parents[2] / "stacks"


@pytest.fixture(scope="session")
def flutter_app(tmp_path_factory) -> Path:
    """Read-only for tests: one planted app tree per worker."""
    return build_flutter_app(tmp_path_factory.mktemp("app"))


@pytest.fixture
def stacks_dir(tmp_path) -> Path:
    """A private copy of stacks/ to break in a test."""
    target = tmp_path / "stacks"
    shutil.copytree(STACKS, target)
    return target


def edit(stacks_dir: Path, stack: str, old: str, new: str) -> None:
    path = stacks_dir / f"Pulumi.{stack}.yaml"
    text = path.read_text()
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1))


def line_in(stacks_dir: Path, stack: str, needle: str) -> int:
    lines = (stacks_dir / f"Pulumi.{stack}.yaml").read_text().splitlines()
    return next(i for i, text in enumerate(lines, 1) if needle in text)


def run_check(check_cls, stacks_dir: Path = STACKS, stack: str = "dev", app_dir: Path | None = None, repo_root=None):
    options = CheckOptions(stack=stack, stacks_dir=stacks_dir, app_dir=app_dir, offline=True)
    ctx = CheckContext(options) if repo_root is None else CheckContext(options, project=Project(Path(repo_root).resolve()))
    return run_one(check_cls, ctx)
