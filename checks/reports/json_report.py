"""JSON: the stable, documented schema (`schema_version` bumps on any breaking change). `##[` is
written `##\u005b` (same value) so a logged report cannot form a workflow command."""
from __future__ import annotations

import json

from launchready.checks.framework.report import Report
from launchready.checks.reports.escape import json_safe


def render(report: Report) -> str:
    return json_safe(json.dumps(report.to_dict(), indent=2, sort_keys=False)) + "\n"
