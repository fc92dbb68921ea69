"""The sandbox's state file: which services run where (ports, PIDs and start times), who owns them,
written by `sandbox up` and `demo`; and how a left-over file stands (running, orphaned or stale)."""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from launchready.config.model import ConfigError
from launchready.runtime import identity

if TYPE_CHECKING:
    from launchready.project import Project


def state_dir(project: Project) -> Path:
    """`LAUNCHREADY_SANDBOX_DIR`, else the project's `build/sandbox`."""
    explicit = os.environ.get("LAUNCHREADY_SANDBOX_DIR")
    if explicit:
        return Path(explicit)
    return project.build_dir / "sandbox"


def state_file(project: Project) -> Path:
    return state_dir(project) / "state.json"


def load_state(project: Project) -> dict[str, Any]:
    """The running sandbox's state; a clear ConfigError when none runs."""
    path = state_file(project)
    if not path.is_file():
        raise ConfigError([f"--sandbox: no local sandbox is running (no {path}); start one with `launchready sandbox up`"])
    return json.loads(path.read_text())


def save_state(project: Project, state: dict[str, Any]) -> None:
    path = state_file(project)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(state, indent=2, sort_keys=True))
    tmp.replace(path)


def clear_state(project: Project) -> None:
    state_file(project).unlink(missing_ok=True)


def owner_record(command: str) -> dict[str, Any]:
    """This run, as the owner of a sandbox that must not outlive it (`demo`)."""
    pid = os.getpid()
    return {"command": command, "pid": pid, "start_ticks": identity.start_ticks(pid)}


@dataclass
class Standing:
    """A state file read back: which of its processes still run, and whether its owner does."""

    state: dict[str, Any]
    alive: list[dict[str, Any]]
    owner: dict[str, Any] | None
    path: Path

    @property
    def owner_alive(self) -> bool:
        return self.owner is not None and identity.is_same(self.owner["pid"], self.owner.get("start_ticks"))

    @property
    def stale(self) -> bool:
        """Every recorded process is gone (or its PID now belongs to another program)."""
        return not self.alive

    @property
    def orphaned(self) -> bool:
        """Still running although the run that owned it (a `demo`) is gone."""
        return bool(self.alive) and self.owner is not None and not self.owner_alive

    def owner_text(self) -> str:
        return f"`launchready {self.owner['command']}` (pid {self.owner['pid']})" if self.owner else ""

    def in_use(self) -> str:
        """One line: why a new sandbox cannot start over this one, and the command to clean up."""
        what = f"a sandbox for stack '{self.state.get('stack')}' ({len(self.alive)} processes, state {self.path})"
        if self.orphaned:
            return (f"an orphaned {what[2:]} is still running: its owner {self.owner_text()} exited without "
                    "stopping it; run `launchready sandbox down` to stop it")
        if self.owner is not None:
            return f"{what} is in use by {self.owner_text()}: wait for it, or `launchready sandbox down` to stop it"
        return (f"{what} is already running: `launchready sandbox status` to inspect, "
                "`launchready sandbox down` to stop it")


def standing(project: Project) -> Standing | None:
    """How the state file on disk stands; None without one. An unreadable file counts as stale."""
    path = state_file(project)
    if not path.is_file():
        return None
    try:
        state = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError):
        state = {}
    boot = state.get("boot_id")
    alive = [s for s in state.get("services", [])
             if isinstance(s, dict) and identity.is_same(s.get("pid", 0), s.get("start_ticks"), boot)]
    return Standing(state, alive, state.get("owner"), path)
