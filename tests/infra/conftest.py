"""Plans of the example stacks (the real program under Pulumi mocks) and helpers to break configs."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from launchready.config.model import EnvironmentConfig, load_stack
from launchready.infra.plan import Plan, build_plan

REPO_ROOT = Path(__file__).resolve().parents[2]
STACKS = REPO_ROOT / "stacks"
ENVIRONMENTS = ("dev", "staging", "prod")


@pytest.fixture(scope="session")
def configs() -> dict[str, EnvironmentConfig]:
    return {env: load_stack(STACKS, env) for env in ENVIRONMENTS}


@pytest.fixture(scope="session")
def plans(configs) -> dict[str, Plan]:
    return {env: build_plan(config) for env, config in configs.items()}


def with_changes(config: EnvironmentConfig, section: str | None = None, **changes: Any) -> EnvironmentConfig:
    """A copy of `config` with `changes` applied (to `section` when given), re-validated."""
    data = config.model_dump(by_alias=False)
    for name in EnvironmentConfig.SECRET_FIELDS:
        data[name] = getattr(config, name)
    if section:
        data[section] = {**data[section], **changes}
    else:
        data.update(changes)
    return EnvironmentConfig.model_validate({**data, "stack": config.stack, "source": config.source})


def write_stack(stacks_dir: Path, env: str, edit) -> Path:
    """Copy `stacks/Pulumi.<env>.yaml` into `stacks_dir` after `edit(config_mapping)`."""
    document = yaml.safe_load((STACKS / f"Pulumi.{env}.yaml").read_text())
    edit(document["config"])
    stacks_dir.mkdir(parents=True, exist_ok=True)
    path = stacks_dir / f"Pulumi.{env}.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return path
