"""The offline plan cached on disk, so `check --offline` re-runs skip the Pulumi program when nothing
changed: one JSON file per key under the project's `build/plan-cache/`, the key a digest of the
stack config, the program's sources and the installed Pulumi SDK/provider versions.
`LAUNCHREADY_PLAN_CACHE=0` turns it off. A file that cannot be read is ignored (the plan is rebuilt)."""
from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any

PACKAGES = ("pulumi", "pulumi-gcp", "pulumi-cloudflare", "launchready")


def provider_versions() -> dict[str, str]:
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "absent"
    return versions


def enabled() -> bool:
    return os.environ.get("LAUNCHREADY_PLAN_CACHE", "1").strip() not in ("0", "false", "no", "off")


def load(directory: Path, key: str, decode: Callable[[dict[str, Any]], Any]) -> Any | None:
    path = directory / f"{key}.json"
    if not enabled() or not path.is_file():
        return None
    try:
        return decode(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def store(directory: Path, key: str, payload: dict[str, Any]) -> None:
    """Write atomically (parallel workers may race); a failure only costs the next run a rebuild."""
    if not enabled():
        return
    try:
        directory.mkdir(parents=True, exist_ok=True)
        text = json.dumps(payload, sort_keys=True)
        fd, tmp = tempfile.mkstemp(dir=directory, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, directory / f"{key}.json")
    except (OSError, TypeError, ValueError):
        return
