"""`launchready checks` (what the suite verifies) and `launchready explain ID` (what, why, how to fix,
where documented): the catalog, readable without running anything."""
from __future__ import annotations

import difflib
import json
import textwrap

import typer

from launchready.checks.explanations import doc_link
from launchready.checks.framework.base import Check
from launchready.checks.framework.locations import config_key
from launchready.checks.framework.registry import registry
from launchready.checks.reports.sarif import describe_check
from launchready.errors import UsageError


def _catalog() -> list[type[Check]]:
    registry.load_catalog()
    return registry.all()


def _kind(cls: type[Check]) -> str:
    return "live" if cls.live else "offline"


def list_command(
    fmt: str = typer.Option("text", "--format", help="text|json|markdown (markdown: docs/checks.md)"),
    only: str = typer.Option("", "--only", help="Comma-separated check-id prefixes."),
) -> None:
    """List every check: id, severity, live/offline, title."""
    if fmt not in ("text", "json", "markdown"):
        raise UsageError(f"--format: expected text, json or markdown, got {fmt!r}")
    prefixes = [p.strip() for p in only.split(",") if p.strip()]
    _catalog()
    checks = registry.select(only=prefixes)
    if fmt == "markdown":
        typer.echo(checks_markdown(checks), nl=False)
        return
    if fmt == "json":
        typer.echo(json.dumps([{"id": c.id, "severity": c.severity.value, "kind": _kind(c), "title": c.title}
                               for c in checks], indent=2))
        return
    width = max((len(c.id) for c in checks), default=0)
    for c in checks:
        typer.echo(f"{c.id:<{width}}  {c.severity.value:<8}  {_kind(c):<7}  {c.title}")


def explain_command(check_id: str = typer.Argument(..., metavar="ID", help="A check id, e.g. rules.static.test_mode.")) -> None:
    """What a check verifies, why it matters, how to fix a failure, and where it is documented."""
    known = {c.id: c for c in _catalog()}
    cls = known.get(check_id.split(":", 1)[0])
    if cls is None:
        close = difflib.get_close_matches(check_id, list(known), n=3, cutoff=0.6)
        hint = f" (did you mean {', '.join(close)}?)" if close else " (`launchready checks` lists them)"
        raise UsageError(f"explain: no check {check_id!r}{hint}")
    typer.echo(explain_text(cls))


def explain_text(cls: type[Check]) -> str:
    why, fix = describe_check(cls)
    why = textwrap.fill(why, 96)
    key = config_key(cls)
    lines = [f"{cls.id} — {cls.title}", f"severity: {cls.severity.value} · {_kind(cls)}"
             + (f" · driven by launchready:{key}" if key else ""), "",
             "What and why:", *[f"  {line}" for line in why.splitlines()], ""]
    lines += ["How to fix a failure:", f"  {fix or 'follow the evidence and message of the failing result'}", ""]
    lines += [f"Docs: {doc_link(cls.id)} (in the launchready repository)",
              f"Waive (launchready.yaml): waivers: [{{check: {cls.id}, reason: ..., owner: ..., expires: YYYY-MM-DD}}]"]
    return "\n".join(lines)


def checks_markdown(checks: list[type[Check]]) -> str:
    """docs/checks.md: one section per check, anchored by its id (SARIF `helpUri` points there)."""
    lines = ["# Checks", "",
             "Every readiness check, generated from the registry by `launchready checks --format markdown`",
             "(a test fails when this file is stale). Areas, offline and live checks: "
             "[checks-overview.md](checks-overview.md).", "",
             "| id | severity | kind | title |", "| --- | --- | --- | --- |"]
    lines += [f"| [`{c.id}`](#{c.id}) | {c.severity.value} | {_kind(c)} | {c.title} |" for c in checks]
    for cls in checks:
        why, fix = describe_check(cls)
        key = config_key(cls)
        lines += ["", f'<a id="{cls.id}"></a>', "", f"## `{cls.id}`", "", f"**{cls.title}** — {cls.severity.value}, "
                  f"{_kind(cls)}" + (f", driven by `launchready:{key}`" if key else "") + ".", "", why, ""]
        lines += [f"**Fix:** {fix}" if fix else "**Fix:** follow the evidence and message of the failing result."]
    return "\n".join(lines) + "\n"
