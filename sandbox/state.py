"""The sandbox's state file: which services run where (ports, PIDs), written by `sandbox up`."""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from launchready.infra.config import ConfigError

REPO_ROOT = Path(__file__).resolve().parents[1]


def state_dir() -> Path:
    return Path(os.environ.get("LAUNCHREADY_SANDBOX_DIR", REPO_ROOT / "build" / "sandbox"))


def state_file() -> Path:
    return state_dir() / "state.json"


def load_state() -> dict[str, Any]:
    """The running sandbox's state; a clear ConfigError when none runs."""
    path = state_file()
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
