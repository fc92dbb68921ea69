"""Render the handover docs (Markdown, optionally one HTML page) with Jinja2, deterministically:
same config, plan and report -> byte-identical files. The only timestamp is the report's own."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any, cast

from jinja2 import Environment, PackageLoader, StrictUndefined

from launchready.config.model import EnvironmentConfig
from launchready.handover.inventory import Inventory, gather
from launchready.project import Project
from launchready.redact import REDACTED, redact_text

# Output file -> template; README.md is the index GitHub shows for the folder.
DOCS: tuple[tuple[str, str], ...] = (
    ("README.md", "index.md.j2"),
    ("environments.md", "environments.md.j2"),
    ("domains.md", "domains.md.j2"),
    ("secrets.md", "secrets.md.j2"),
    ("integrations.md", "integrations.md.j2"),
    ("data-model.md", "data-model.md.j2"),
    ("alerts.md", "alerts.md.j2"),
    ("runbooks.md", "runbooks.md.j2"),
    ("first-deploy.md", "first-deploy.md.j2"),
    ("readiness.md", "readiness.md.j2"),
)
SEVERITY_ORDER = ("critical", "high", "medium", "low", "info")
STATUS_ORDER = ("fail", "error", "warn")


def cell(value: Any) -> str:
    """A Markdown table cell: one line, pipes escaped."""
    return " ".join(str(value if value is not None else "").split()).replace("|", "\\|")


def _environment() -> Environment:
    env = Environment(loader=PackageLoader("launchready.handover", "templates"), undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True, autoescape=False)
    env.filters["cell"] = cell
    return env


def plan_for(config: EnvironmentConfig, project: Project | None = None) -> tuple[Any | None, str | None]:
    """The offline plan, or (None, why not) so plan-derived sections say so instead of guessing."""
    try:
        from launchready.infra.plan import build_plan
    except ImportError:
        return None, ("The offline plan is not available in this checkout (`infra.plan` is missing): "
                      "plan-derived facts (alert policies, secret bindings) are taken from the config only.")
    try:
        return build_plan(config, project), None
    except Exception as exc:  # noqa: BLE001 - a broken plan must not stop the docs
        return None, redact_text(f"The offline plan could not be built ({type(exc).__name__}: {exc}); "
                                 "plan-derived facts are taken from the config only.")


def open_findings(report: dict[str, Any] | None) -> list[dict[str, Any]]:
    if not report:
        return []
    problems = [r for r in report["results"] if isinstance(r, dict) and r.get("status") in STATUS_ORDER]

    def key(r: dict[str, Any]) -> tuple:
        sev = r.get("severity")
        return (not r.get("blocking"), STATUS_ORDER.index(r["status"]),
                SEVERITY_ORDER.index(sev) if sev in SEVERITY_ORDER else 9, str(r.get("id")), str(r.get("message")))
    return sorted(problems, key=key)


def first_deploy_facts(config: EnvironmentConfig, pulumi_project: str) -> dict[str, Any]:
    """What the first-deploy runbook prints: the same facts preflight and the launch policies use."""
    from launchready.functions.backend.callers import VERIFIED_CALLERS
    from launchready.infra import first_deploy
    from launchready.infra.components.functions import AUDIT_LOG_TYPES, BUILD_ROLES
    from launchready.policy.policies import POLICIES
    return {"facts": first_deploy, "policies": POLICIES, "verified_callers": VERIFIED_CALLERS,
            "build_roles": BUILD_ROLES, "audit_log_types": AUDIT_LOG_TYPES,
            "cloudflare": first_deploy.cloudflare_permissions(config.domain.www_redirect),
            "rules_import": first_deploy.rules_release_import(config.stack or config.environment, pulumi_project,
                                                              config.gcp.project_id)}


def render_docs(inv: Inventory) -> dict[str, str]:
    """File name -> Markdown. Every file passes the secret filter on its way out."""
    env = _environment()
    report = inv.report
    context = {
        **first_deploy_facts(inv.config, inv.pulumi_project),
        "inv": inv, "cfg": inv.config, "stack": inv.config.stack or inv.config.environment,
        "source_name": Path(inv.config.source).name or "the stack config",
        "docs": [name for name, _ in DOCS], "findings": open_findings(report), "report": report,
        "skipped": sorted((r for r in (report or {}).get("results", []) if r.get("status") == "skip"),
                          key=lambda r: str(r.get("id"))),
    }
    return {name: scrub(env.get_template(template).render(**context), inv.config) for name, template in DOCS}


def scrub(text: str, config: EnvironmentConfig) -> str:
    """Last line of defence: known secret shapes and any plaintext secret of the config are removed."""
    for secret in config.secrets().values():
        plain = secret.reveal_plaintext()
        if plain:
            text = text.replace(plain, REDACTED)
    return redact_text(text)


def to_html(files: dict[str, str], title: str) -> str:
    """One self-contained page: every doc as a section, links between docs become anchors."""
    from markdown_it import MarkdownIt
    from markdown_it.renderer import RendererHTML

    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    # MarkdownIt's renderer is typed as its protocol; without a renderer_cls it is the RendererHTML default
    default_fence = cast(RendererHTML, md.renderer).rules["fence"]

    def fence(renderer, tokens, idx, options, env):
        token = tokens[idx]
        if token.info.strip() == "mermaid":
            return f'<pre class="mermaid">{md.utils.escapeHtml(token.content)}</pre>\n'
        return default_fence(tokens, idx, options, env)

    md.add_render_rule("fence", fence)
    sections = []
    for name, text in files.items():
        anchor = name.removesuffix(".md").lower()
        body = re.sub(r'href="([a-z-]+|README)\.md"', lambda m: f'href="#{m.group(1).lower()}"', md.render(text))
        sections.append(f'<section id="{anchor}">\n{body}</section>')
    style = ("body{font-family:system-ui,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;line-height:1.5}"
             "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.25rem .5rem;vertical-align:top}"
             "code{overflow-wrap:anywhere}pre{background:#f6f8fa;padding:.75rem;overflow:auto}"
             "section{border-bottom:2px solid #eee;padding-bottom:1rem}")
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>{md.utils.escapeHtml(title)}</title>\n'
            f"<style>{style}</style>\n</head>\n<body>\n" + "\n".join(sections) + "\n</body>\n</html>\n")


def generate(config: EnvironmentConfig, *, stacks_dir: Path, out_dir: Path, report_path: Path | None,
             html: bool = False, plan: Any | None = None, plan_note: str | None = None,
             project: Project | None = None) -> list[Path]:
    """Write the docs into `out_dir`; returns the written paths (sorted). Without a `project` (a library
    caller) the docs describe the backend's own collections only."""
    if plan is None and plan_note is None:
        plan, plan_note = plan_for(config, project)
    inv = gather(config, stacks_dir, report_path, plan=plan, plan_note=plan_note, project=project)
    files = render_docs(inv)
    if html:
        files["handover.html"] = scrub(to_html(files, f"{config.app.name} — handover"), config)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in files.items():
        path = out_dir / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return sorted(written)
