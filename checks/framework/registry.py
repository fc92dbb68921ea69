"""The registry of checks, keyed by id; checks register themselves on import (as in checkov)."""
from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Iterable

from launchready.checks.framework.base import Check, Severity

ID_PATTERN = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_-]+){2,}$")


class CheckRegistry:
    def __init__(self) -> None:
        self._checks: dict[str, type[Check]] = {}

    def register(self, cls: type[Check]) -> type[Check]:
        if not ID_PATTERN.match(getattr(cls, "id", "")):
            raise ValueError(f"{cls.__name__}: check id must look like area.topic.rule, got {getattr(cls, 'id', None)!r}")
        if not isinstance(getattr(cls, "severity", None), Severity) or not getattr(cls, "title", ""):
            raise ValueError(f"{cls.id}: a check needs a title and a Severity")
        existing = self._checks.get(cls.id)
        if existing is not None and existing is not cls and existing.__qualname__ != cls.__qualname__:
            raise ValueError(f"duplicate check id {cls.id}: {existing.__module__} and {cls.__module__}")
        self._checks[cls.id] = cls
        return cls

    def all(self) -> list[type[Check]]:
        return [self._checks[k] for k in sorted(self._checks)]

    def get(self, check_id: str) -> type[Check]:
        return self._checks[check_id]

    def select(self, *, only: Iterable[str] = (), skip: Iterable[str] = (),
               offline: bool = False) -> list[type[Check]]:
        """Checks whose id starts with one of `only` (all when empty), minus `skip`, minus live ones
        when `offline`."""
        only, skip = [p for p in only if p], [p for p in skip if p]
        chosen = []
        for cls in self.all():
            if only and not any(matches(cls.id, p) for p in only):
                continue
            if any(matches(cls.id, p) for p in skip):
                continue
            if offline and cls.live:
                continue
            chosen.append(cls)
        return chosen

    def load_catalog(self, package: str = "launchready.checks.catalog") -> None:
        """Import every module under the catalog so their `@register` decorators run."""
        pkg = importlib.import_module(package)
        for info in pkgutil.walk_packages(pkg.__path__, prefix=f"{package}."):
            importlib.import_module(info.name)


def matches(check_id: str, prefix: str) -> bool:
    """A check-id prefix matches on whole segments: `email` and `email.spf` match `email.spf.valid`."""
    prefix = prefix.rstrip(".*")
    return check_id == prefix or check_id.startswith(prefix + ".")


registry = CheckRegistry()
register = registry.register
