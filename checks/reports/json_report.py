"""JSON: the stable, documented schema (`schema_version` bumps on any breaking change)."""
from __future__ import annotations

import json

from launchready.checks.framework.report import Report


def render(report: Report) -> str:
    return json.dumps(report.to_dict(), indent=2, sort_keys=False) + "\n"
