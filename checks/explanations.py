"""What each check protects against and why (`checks/explanations.yaml`): read by `launchready explain`,
the SARIF rule help and docs/checks.md, which is rendered from it."""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml

SOURCE = Path(__file__).resolve().parent / "explanations.yaml"
DOC = "docs/checks.md"


@lru_cache(maxsize=1)
def explanations() -> dict[str, str]:
    return yaml.safe_load(SOURCE.read_text(encoding="utf-8")) or {}


def explanation(check_id: str) -> str | None:
    return explanations().get(check_id)


def anchor(check_id: str) -> str:
    """GitHub's heading anchor for `### <check_id>`: lower case, punctuation other than - and _ dropped."""
    return re.sub(r"[^\w\- ]", "", check_id.lower()).replace(" ", "-")


def doc_link(check_id: str) -> str:
    return f"{DOC}#{anchor(check_id)}"


def render_markdown(checks) -> str:
    """docs/checks.md: every check, by area, with why it matters and how to fix a failure."""
    lines = ["# The checks", "",
             "What each check protects against and how to fix a failure. Generated from "
             "`checks/explanations.yaml` (`launchready explain ID` prints the same text); "
             "`launchready checks` lists them.", ""]
    area = None
    for cls in checks:
        if cls.id.split(".")[0] != area:
            area = cls.id.split(".")[0]
            lines += [f"## {area}", ""]
        kind = "live" if cls.live else "offline"
        scan = " · also run by `launchready scan`" if cls.stackless else ""
        lines += [f"### {cls.id}", "", f"**{cls.title}** — {cls.severity.value} · {kind}{scan}", "",
                  explanation(cls.id) or "", ""]
        if cls.remediation:
            lines += [f"Fix: {cls.remediation}", ""]
    return "\n".join(lines)
