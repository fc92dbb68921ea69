"""The layers contract holds for the whole package, and the checker catches a planted upward import."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.architecture.layers import layer_of, modules, violations

PACKAGE = Path(__file__).resolve().parents[2] / "launchready"


def test_no_module_imports_a_higher_layer_or_a_sibling():
    assert [str(v) for v in violations(PACKAGE)] == []


def test_every_unit_of_the_package_has_a_layer():
    units = {name.split(".")[1] if "." in name else "launchready" for name in modules(PACKAGE)}
    for unit in units:
        layer_of(unit)   # raises for a new top-level module that nobody placed


def test_the_backend_imports_nothing_of_the_toolkit():
    """functions/ is deployed alone: an import of launchready.* would fail in Cloud Functions."""
    backend = [v for v in violations(PACKAGE) if v.module.startswith("launchready.functions")]
    assert backend == [] and layer_of("functions") >= layer_of("secrets")


@pytest.mark.parametrize("planted, where", [
    ("from launchready.checks.framework.base import Check\n", "config/planted.py"),          # module level
    ("def later():\n    from launchready.commands import check\n", "infra/components/planted.py"),  # lazy
    ("import launchready.handover.generator\n", "checks/framework/planted.py"),              # a sibling
])
def test_a_planted_upward_import_is_caught(tmp_path, planted, where):
    copy = tmp_path / "launchready"
    for unit in ("config", "commands", "handover"):
        shutil.copytree(PACKAGE / unit, copy / unit)
    (copy / "infra" / "components").mkdir(parents=True)
    (copy / "checks" / "framework").mkdir(parents=True)
    (copy / where).write_text(planted)
    found = [v for v in violations(copy) if v.module.endswith(".planted")]
    assert len(found) == 1 and found[0].line >= 1, found
