"""The rules file a run audits (the stack's, or `--rules`), read and parsed once per check."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from launchready.checks.framework.context import CheckContext
from launchready.config.project_files import FileProblem, read_capped
from launchready.rules.analysis.model import Ruleset, RulesSyntaxError, parse_rules


@dataclass(frozen=True)
class RulesSource:
    path: Path
    display: str              # project-relative when inside the project: what findings name
    text: str | None          # None when the file cannot be read
    problem: str | None = None

    def parse(self) -> tuple[Ruleset | None, RulesSyntaxError | None]:
        if self.text is None:
            return None, None
        try:
            return parse_rules(self.text), None
        except RulesSyntaxError as exc:
            return None, exc


def rules_source(ctx: CheckContext) -> RulesSource:
    path = Path(ctx.rules_file)
    display = ctx.project.display(path)
    try:
        return RulesSource(path, display, read_capped(path))
    except FileProblem as exc:
        return RulesSource(path, display, None, f"rules file {display} {exc}")
