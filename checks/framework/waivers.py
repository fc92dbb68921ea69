"""Waivers: accepting a known finding with a reason, an owner and an expiry (checkov's inline
`skip=ID:reason`, gitleaks' ignore file), kept in the project file `launchready.yaml`:

    maxWaiverDays: 30                            # optional: shorter than the 90-day cap, never longer
    waivers:
      - check: client.api.stripe_secret          # a check id, or id:subject (one hostname, one stack)
        reason: Legacy admin build; removed in 2.3 (ticket MOB-412)
        owner: lee@example.com                   # an email or a @handle / @org/team
        expires: 2027-01-31                      # at most maxWaiverDays from today

The file may come from a pull request, so it is read like a stack file (size, depth, aliases and
duplicate keys bounded by `launchready.config.stack_yaml`) and every entry is held to the same bar a
reviewer would set: a real reason, a reachable owner, an expiry soon enough to be revisited. A
`launchready:notApplicable` declaration with reason/owner/expires is validated by the same rules
(`Acceptance`). An expired waiver blocks again; a waiver that matches nothing is reported.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator

from launchready.config.model import ConfigError
from launchready.config.stack_yaml import StackFileError
from launchready.config.stack_yaml import load as load_bounded

PROJECT_FILE = "launchready.yaml"
MAX_WAIVER_DAYS = 90          # the cap; a project may set a shorter one (maxWaiverDays), never a longer one
MIN_REASON = 20
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
_HANDLE = re.compile(r"^@[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:/[A-Za-z0-9][A-Za-z0-9._-]{0,99})?$")
_WORD = re.compile(r"[A-Za-z]{2,}")
_PLACEHOLDERS = {"todo", "tbd", "fixme", "placeholder", "lorem", "ipsum", "xxx", "test", "temp", "temporary",
                 "later", "reason", "na", "none", "waiver", "waived", "ignore", "asdf", "foo", "bar", "baz", "wip"}


def today_utc() -> date:
    return datetime.now(UTC).date()


def reason_problem(reason: str) -> str | None:
    """Why a reason would not tell the next reader anything, or None when it does."""
    text = reason.strip()
    words = [w.lower() for w in _WORD.findall(text)]
    if len(text) < MIN_REASON:
        return f"too short ({len(text)} characters): say why, in at least {MIN_REASON}"
    if len(words) < 3 or len(set(text.lower()) - set(" .,;:-_!?")) < 6:
        return "not a sentence: say why the finding is acceptable and until when"
    if sum(w in _PLACEHOLDERS for w in words) * 2 >= len(words):
        return "a placeholder, not a reason: say why the finding is acceptable"
    return None


class Acceptance(BaseModel):
    """Reason, owner and expiry: what accepting a finding (a waiver, a notApplicable) must carry.
    Validation context: `today` (date) and `max_days` (int)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    reason: str
    owner: str
    expires: date

    @field_validator("reason")
    @classmethod
    def _reason(cls, value: str) -> str:
        problem = reason_problem(value)
        if problem:
            raise ValueError(problem)
        return value.strip()

    @field_validator("owner")
    @classmethod
    def _owner(cls, value: str) -> str:
        if not (_EMAIL.match(value) or _HANDLE.match(value)):
            raise ValueError(f"expected an email (lee@example.com) or a @handle / @org/team, got {value!r}")
        return value

    @field_validator("expires")
    @classmethod
    def _expires(cls, value: date, info: ValidationInfo) -> date:
        context = info.context or {}
        today, max_days = context.get("today") or today_utc(), context.get("max_days", MAX_WAIVER_DAYS)
        if value > today + timedelta(days=max_days):
            raise ValueError(f"{value.isoformat()} is more than {max_days} days away (the cap): "
                             f"renew the waiver when it expires instead (latest {today + timedelta(days=max_days)})")
        return value

    def expired(self, today: date) -> bool:
        return self.expires < today


class Waiver(Acceptance):
    check: str = Field(pattern=r"^[a-z0-9_]+(\.[a-z0-9_-]+){2,}(:.+)?$")

    @property
    def check_id(self) -> str:
        return self.check.split(":", 1)[0]

    @property
    def subject(self) -> str | None:
        return self.check.split(":", 1)[1] if ":" in self.check else None

    def matches(self, check_id: str, subject: str) -> bool:
        return check_id == self.check_id and self.subject in (None, subject)


@dataclass(frozen=True)
class WaiverPolicy:
    """What launchready.yaml says: the waivers and the project's expiry cap."""

    waivers: tuple[Waiver, ...] = ()
    max_days: int = MAX_WAIVER_DAYS


def load_policy(path: Path, today: date | None = None) -> WaiverPolicy:
    """launchready.yaml, bounded and validated; the defaults when the file does not exist."""
    if not path.exists() and not path.is_symlink():
        return WaiverPolicy()
    try:
        data, _ = load_bounded(path)
    except StackFileError as exc:
        raise ConfigError([f"{path}: {exc}"]) from None
    data = data if data is not None else {}
    if not isinstance(data, dict):
        raise ConfigError([f"{path}: expected a mapping (maxWaiverDays, waivers)"])
    max_days = _max_days(path, data.get("maxWaiverDays", MAX_WAIVER_DAYS))
    entries = data.get("waivers")
    if entries is None:
        return WaiverPolicy(max_days=max_days)
    if not isinstance(entries, list):
        raise ConfigError([f"{path}: waivers: expected a list of {{check, reason, owner, expires}}"])
    context = {"today": today or today_utc(), "max_days": max_days}
    waivers, problems = [], []
    for index, entry in enumerate(entries):
        try:
            waivers.append(Waiver.model_validate(entry, context=context))
        except ValidationError as exc:
            problems += [describe(f"{path}: waivers[{index}]", err) for err in exc.errors()]
    if problems:
        raise ConfigError(problems)
    return WaiverPolicy(tuple(waivers), max_days)


def load_waivers(path: Path) -> list[Waiver]:
    """The `waivers:` list of a project file; none when the file does not exist."""
    return list(load_policy(path).waivers)


def _max_days(path: Path, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_WAIVER_DAYS:
        raise ConfigError([f"{path}: maxWaiverDays: expected a number of days from 1 to {MAX_WAIVER_DAYS} "
                           f"(a project may shorten the cap, not lengthen it), got {value!r}"])
    return value


def describe(where: str, err: Any) -> str:
    """One pydantic error as one line: `<where>.<field>: <what is wrong>`."""
    field = ".".join(str(p) for p in err["loc"])
    where = where + (f".{field}" if field else "")
    if err["type"] == "missing":
        return f"{where}: missing (needs check, reason, owner and expires)"
    if err["type"] == "string_pattern_mismatch":
        return f"{where}: expected a check id (area.topic.rule) or id:subject"
    return f"{where}: {err['msg'].removeprefix('Value error, ')}"
