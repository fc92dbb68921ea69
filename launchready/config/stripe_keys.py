"""Which Stripe mode a key or an environment is in: one rule for the checks, preflight and the gate."""
from __future__ import annotations

KEY_MODES = {"sk_live_": "live", "rk_live_": "live", "sk_test_": "test", "rk_test_": "test"}


def key_mode(key: str) -> str:
    """`live` for a live secret or restricted key, otherwise `test` (the safe reading of an odd key)."""
    return "live" if key.startswith(("sk_live_", "rk_live_")) else "test"


def declared_mode(key: str) -> str | None:
    """The mode a key's prefix declares, or None when the value is no Stripe secret/restricted key."""
    return next((mode for prefix, mode in KEY_MODES.items() if key.startswith(prefix)), None)


def expected_mode(environment: str) -> str:
    """Only prod takes payments: every other environment must run on test keys."""
    return "live" if environment == "prod" else "test"
