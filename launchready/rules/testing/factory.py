"""Choose the engine behind a rules test environment: the built-in engine (default: no Java,
milliseconds) or the real emulator (to cross-check). `LAUNCHREADY_RULES_ENGINE=emulator` switches
the default for a whole run."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from launchready.rules.testing.builtin import BuiltinRulesEnvironment
from launchready.rules.testing.environment import RulesTestEnvironment

ENGINES = ("builtin", "emulator")
AnyEnvironment = BuiltinRulesEnvironment | RulesTestEnvironment


def default_engine() -> str:
    engine = os.environ.get("LAUNCHREADY_RULES_ENGINE", "builtin").strip() or "builtin"
    if engine not in ENGINES:
        raise ValueError(f"LAUNCHREADY_RULES_ENGINE: expected one of {', '.join(ENGINES)}, got {engine!r}")
    return engine


def make_environment(rules: str | Path | None = None, engine: str | None = None, **options: Any) -> AnyEnvironment:
    """An unstarted environment on `engine` (builtin|emulator); `options` go to its constructor."""
    engine = engine or default_engine()
    if engine == "builtin":
        return BuiltinRulesEnvironment(rules, **options)
    if engine == "emulator":
        return RulesTestEnvironment(rules, **options)
    raise ValueError(f"rules engine: expected one of {', '.join(ENGINES)}, got {engine!r}")
