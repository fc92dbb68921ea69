"""The sandbox's state file: which services run where (ports, PIDs), written by `sandbox up`."""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from launchready.infra.config import ConfigError

if TYPE_CHECKING:
    from launchready.project import Project


def state_dir(project: "Project | None" = None) -> Path:
    """`LAUNCHREADY_SANDBOX_DIR`, else the project's `build/sandbox`."""
    explicit = os.environ.get("LAUNCHREADY_SANDBOX_DIR")
    if explicit:
        return Path(explicit)
    from launchready.project import current
    return (project or current()).build_dir / "sandbox"


def state_file(project: "Project | None" = None) -> Path:
    return state_dir(project) / "state.json"


def load_state(project: "Project | None" = None) -> dict[str, Any]:
    """The running sandbox's state; a clear ConfigError when none runs."""
    path = state_file(project)
    if not path.is_file():
        raise ConfigError([f"--sandbox: no local sandbox is running (no {path}); start one with `launchready sandbox up`"])
    return json.loads(path.read_text())


def save_state(state: dict[str, Any]) -> None:
    path = state_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(state, indent=2, sort_keys=True))
    tmp.replace(path)


def clear_state() -> None:
    state_file().unlink(missing_ok=True)
