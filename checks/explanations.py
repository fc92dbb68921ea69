"""What each check protects against and why (`checks/explanations.yaml`): read by `launchready explain`,
the SARIF rule help and docs/checks.md (`launchready checks --format markdown`)."""
from __future__ import annotations

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


def doc_link(check_id: str) -> str:
    """The check's section in docs/checks.md (anchored by its id; `launchready checks --format markdown`)."""
    return f"{DOC}#{check_id}"
