"""The app's own collections for `data-model.md`: what its rules file matches and what its access
matrix (launchready.access.yaml) expects, so the handover describes this app, not the example."""
from __future__ import annotations

from dataclasses import dataclass, field

from launchready.project import Project
from launchready.config.model import EnvironmentConfig

# Documented by the template's canonical table: the backend owns them.
BACKEND_COLLECTIONS = frozenset({"customers", "stripe_events", "sync_tasks", "support_requests"})


@dataclass
class AppCollection:
    name: str
    rule_paths: list[str] = field(default_factory=list)   # `/boards/{boardId}` (line 6)
    rows: list[str] = field(default_factory=list)         # `owner update boards/b1 {title}: allow`


def _rule_paths(config: EnvironmentConfig, project) -> dict[str, list[str]]:
    from launchready.rules.analysis.model import RulesSyntaxError, parse_rules

    try:
        rules = parse_rules(project.resolve(config.firestore.rules_file, "rulesFile").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, RulesSyntaxError, ValueError):
        return {}
    found: dict[str, list[str]] = {}
    for match in rules.matches():
        segments = match.document_segments
        if segments and "{" not in segments[0]:
            found.setdefault(segments[0], []).append(f"`/{'/'.join(segments)}` (line {match.line})")
    return found


def _matrix_rows(project) -> dict[str, list[str]]:
    from launchready.rules.testing.access_file import AccessFileError, load_access_matrix

    try:
        matrix = load_access_matrix(project.matrix_file)
    except AccessFileError:
        return {}
    rows: dict[str, list[str]] = {}
    for row in matrix.rows:
        fields = f" {{{', '.join(row.data)}}}" if row.data else ""
        rows.setdefault(row.path.split("/")[0], []).append(f"{row.who} {row.op} `{row.path}`{fields}: {row.expect}")
    return rows


def app_collections(config: EnvironmentConfig, project: Project | None) -> list[AppCollection]:
    """The app's collections beyond the backend's, with their rules and expected access (none known
    without a project: the canonical table stands alone)."""
    if project is None:
        return []
    paths, rows = _rule_paths(config, project), _matrix_rows(project)
    names = sorted((set(paths) - BACKEND_COLLECTIONS) | set(rows))
    return [AppCollection(n, paths.get(n, []), rows.get(n, [])) for n in names]
