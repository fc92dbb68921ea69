"""The rules file a run audits (the stack's, or `--rules`), read and parsed once per check."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from launchready.checks.framework.context import CheckContext
from launchready.config.model import ConfigError
from launchready.files import FileProblem, read_capped
from launchready.rules.analysis.intent import NO_INTENT, Intent
from launchready.rules.analysis.model import Ruleset, RulesSyntaxError, parse_rules
from launchready.rules.testing.access_file import AccessFileError, load_access_matrix


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


def declared_intent(ctx: CheckContext) -> Intent:
    """What the app's access matrix declares open on purpose, and what its documents hold (the matrix's
    seed and rows, and — when a public read is declared — the fields the app writes to each collection).
    An unreadable matrix declares nothing here; rules.behaviour.app reports it."""
    try:
        path = ctx.project.matrix_file
        intent = Intent.from_matrix(load_access_matrix(path), ctx.project.display(path))
    except (AccessFileError, ConfigError):
        return NO_INTENT
    if not intent.member_read or ctx.app_dir is None or not Path(ctx.app_dir).is_dir():
        return intent
    from launchready.flutter.app_scan import app_scan
    from launchready.flutter.data_writes import record_collections, writes
    app = app_scan(ctx)
    records, stored = record_collections(app), {}   # type: dict[str, str], dict[str, set[str]]
    for dart in app.dart_with((".set(", ".update(", ".add(", "RecordData(")):
        for flow, name, _, _, _ in writes(dart, records):
            if flow.collection:
                stored.setdefault(flow.collection.rpartition("/")[2], set()).add(name)
    return intent.with_fields(stored)
