"""Baselines: adopt launchready on an existing app by recording today's findings (as gitleaks and
checkov do) so only new ones block. A fingerprint names what was found, not where on the line, so
edits elsewhere in a file do not reset it."""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

from launchready.checks.framework.base import Finding, Result, Status
from launchready.checks.framework.locations import relative_path
from launchready.config.model import ConfigError
from launchready.files import FileProblem, read_capped

BASELINE_VERSION = 1
BASELINED = (Status.FAIL, Status.ERROR, Status.WARN)  # a skip is waived with a reason, not baselined
MAX_BASELINE_BYTES = 5_000_000  # ~50,000 fingerprints; a baseline may come from a pull request


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]


def finding_fingerprint(result: Result, finding: Finding, root: Path) -> str:
    """One finding: check, subject, file (relative to the project root) and message; no line."""
    return _digest(result.check_id, result.subject, relative_path(finding.path, root) or finding.path,
                   finding.message)


def fingerprint(result: Result, root: Path) -> str:
    """One result: its check and subject plus every finding (so a new finding is a new fingerprint)."""
    return _digest(result.check_id, result.subject, *sorted(finding_fingerprint(result, f, root) for f in result.findings))


def write_baseline(results: Iterable[Result], root: Path, path: Path) -> int:
    entries = sorted({(fingerprint(r, root), r.name) for r in results if r.status in BASELINED})
    doc = {"version": BASELINE_VERSION, "tool": "launchready",
           "findings": [{"fingerprint": fp, "check": name} for fp, name in entries]}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    return len(entries)


def load_baseline(path: Path) -> frozenset[str]:
    """The fingerprints of a baseline file: a regular file (never a device, FIFO or a symlink to one),
    size-capped, flat JSON; anything else is one ConfigError line."""
    try:
        doc = json.loads(read_capped(path, MAX_BASELINE_BYTES))
        return frozenset(_fingerprint(entry) for entry in doc["findings"])
    except FileProblem as exc:
        raise ConfigError([f"--baseline: {path}: {exc}"]) from None
    except (ValueError, KeyError, TypeError, RecursionError):
        raise ConfigError([f"--baseline: {path} is not a launchready baseline "
                           "(write one with --write-baseline)"]) from None


def _fingerprint(entry: dict) -> str:
    value = entry["fingerprint"]
    if not isinstance(value, str):
        raise TypeError("fingerprint")
    return value
