"""Report writers: one Report model, five renderings."""
from __future__ import annotations

from collections.abc import Callable

from launchready.checks.framework.report import Report
from launchready.checks.reports import json_report, junit, markdown, sarif, text

RENDERERS: dict[str, Callable[[Report], str]] = {
    "text": text.render,
    "json": json_report.render,
    "junit": junit.render,
    "markdown": markdown.render,
    "sarif": sarif.render,
}
EXTENSIONS = {"text": "txt", "json": "json", "junit": "xml", "markdown": "md", "sarif": "sarif"}


def render(report: Report, fmt: str) -> str:
    return RENDERERS[fmt](report)
