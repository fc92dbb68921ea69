"""The offline plan cached on disk: a re-run with nothing changed skips the program; a change to
the sources (or config, or provider versions) rebuilds it; LAUNCHREADY_PLAN_CACHE=0 turns it off."""
from __future__ import annotations

import json

import pytest

from launchready.infra import plan as plan_module


@pytest.fixture
def fresh(monkeypatch, tmp_path):
    monkeypatch.setattr(plan_module, "PLAN_CACHE_DIR", tmp_path / "plan-cache")
    monkeypatch.setattr(plan_module, "_CACHE", {})
    return tmp_path / "plan-cache"


def _no_program(*args, **kwargs):
    raise AssertionError("the Pulumi program ran although a cached plan was valid")


def test_a_rerun_reads_the_plan_from_disk_and_changes_invalidate_it(configs, fresh, monkeypatch):
    built = plan_module.build_plan(configs["dev"])
    [cached_file] = fresh.glob("*.json")
    monkeypatch.setattr(plan_module, "_CACHE", {})            # a new process: only the disk cache remains
    monkeypatch.setattr(plan_module, "_run_program", _no_program)
    again = plan_module.build_plan(configs["dev"])
    # every field survives the disk (the launch policies read dependencies, providers, protect ...)
    assert again == built and [r.to_dict() for r in again.resources] == [r.to_dict() for r in built.resources]
    assert any(r.dependencies for r in again.resources) and any(r.protect for r in again.resources) is (
        configs["dev"].environment == "prod")
    original = plan_module.source_digest
    monkeypatch.setattr(plan_module, "source_digest", lambda paths: original(paths) + "-edited")
    monkeypatch.setattr(plan_module, "_CACHE", {})
    with pytest.raises(AssertionError, match="program ran"):
        plan_module.build_plan(configs["dev"])
    assert cached_file.exists()


def test_the_key_covers_the_backend_the_program_imports(configs):
    from launchready.project import discover
    assert plan_module.BACKEND_DIR in plan_module.sources(configs["dev"], discover())
    assert (plan_module.BACKEND_DIR / "events.py").is_file()


def test_a_corrupt_cache_file_is_rebuilt_and_the_cache_can_be_turned_off(configs, fresh, monkeypatch):
    plan_module.build_plan(configs["staging"])
    [cached_file] = fresh.glob("*.json")
    cached_file.write_text("{not json")
    monkeypatch.setattr(plan_module, "_CACHE", {})
    assert plan_module.build_plan(configs["staging"]).resources
    assert json.loads(cached_file.read_text())["stack"] == "staging"
    monkeypatch.setenv("LAUNCHREADY_PLAN_CACHE", "0")
    monkeypatch.setattr(plan_module, "_CACHE", {})
    monkeypatch.setattr(plan_module, "_run_program", _no_program)
    with pytest.raises(AssertionError, match="program ran"):
        plan_module.build_plan(configs["staging"])
