"""Waivers: accepting a known finding with a reason, an owner and an expiry (checkov's inline
`skip=ID:reason`, gitleaks' ignore file), kept in the project file `launchready.yaml`:

    waivers:
      - check: client.api.stripe_secret          # a check id, or id:subject (one hostname, one stack)
        reason: Legacy admin build; removed in 2.3
        owner: lee@example.com
        expires: 2027-01-31

An expired waiver blocks again; a waiver that matches nothing is reported so it can be removed.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from launchready.config.model import ConfigError

PROJECT_FILE = "launchready.yaml"


class Waiver(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    check: str = Field(pattern=r"^[a-z0-9_]+(\.[a-z0-9_-]+){2,}(:.+)?$")
    reason: str = Field(min_length=3)
    owner: str = Field(min_length=1)
    expires: date

    @property
    def check_id(self) -> str:
        return self.check.split(":", 1)[0]

    @property
    def subject(self) -> str | None:
        return self.check.split(":", 1)[1] if ":" in self.check else None

    def matches(self, check_id: str, subject: str) -> bool:
        return check_id == self.check_id and self.subject in (None, subject)

    def expired(self, today: date) -> bool:
        return self.expires < today


def load_waivers(path: Path) -> list[Waiver]:
    """The `waivers:` list of a project file; none when the file does not exist."""
    if not path.is_file():
        return []
    try:
        data: Any = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError([f"{path}: not valid YAML ({str(exc).splitlines()[0]})"]) from None
    entries = data.get("waivers") if isinstance(data, dict) else None
    if entries is None:
        return []
    if not isinstance(entries, list):
        raise ConfigError([f"{path}: waivers: expected a list of {{check, reason, owner, expires}}"])
    waivers, problems = [], []
    for index, entry in enumerate(entries):
        try:
            waivers.append(Waiver.model_validate(entry))
        except ValidationError as exc:
            problems += [_describe(path, index, err) for err in exc.errors()]
    if problems:
        raise ConfigError(problems)
    return waivers


def _describe(path: Path, index: int, err: Any) -> str:
    field = ".".join(str(p) for p in err["loc"])
    where = f"{path}: waivers[{index}]" + (f".{field}" if field else "")
    if err["type"] == "missing":
        return f"{where}: missing (every waiver needs check, reason, owner and expires)"
    if err["type"] == "string_pattern_mismatch":
        return f"{where}: expected a check id (area.topic.rule) or id:subject"
    return f"{where}: {err['msg']}"
