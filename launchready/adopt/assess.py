"""Discovery, then decisions until they settle: a stack change (the live MX, DKIM keys, SPF includes,
the database's location, `createProject: false`) renames, changes or removes planned resources, so
the plan is made again with the changes applied and decided again. The imports written are those of
the final plan; a resource an earlier round decided that the final plan no longer has (the project,
once `createProject: false`) keeps its decision in the report."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from launchready.adopt.decide import StackChanges, Verdict, decide
from launchready.adopt.discovery import Live
from launchready.adopt.stack_file import as_config
from launchready.config.model import EnvironmentConfig
from launchready.infra.plan import build_plan
from launchready.project import Project

MAX_ROUNDS = 3


def settle(path: Path, stack: str, config: EnvironmentConfig, live: Live, project: Project) -> Verdict:
    values: dict[str, Any] = {}
    notes: list[str] = []
    first: Verdict | None = None
    for _ in range(MAX_ROUNDS):
        current = as_config(path, stack, values) if values else config
        verdict = decide(current, build_plan(current, project), live)
        first = first or verdict
        notes += [note for note in verdict.changes.notes if note not in notes]
        merged = {**values, **verdict.changes.values}
        if merged == values:
            break
        values = merged
    final = {d.name for d in verdict.decisions}
    gone = tuple(d for d in first.decisions if d.name not in final) if first else ()
    return Verdict(gone + verdict.decisions, StackChanges(values, notes), verdict.unknowns)
