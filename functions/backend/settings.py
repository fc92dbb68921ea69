"""Runtime configuration from environment variables, checked once at start per entry point.

Each deployed function gets only the secrets it needs (least privilege), so each entry point names
its own required variables; a missing one is one clear error before the first request.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

DEFAULT_CRM_API_BASE = "https://api.hubapi.com"
# Zendesk has no shared host (every account is https://<subdomain>.zendesk.com): SUPPORT_API_BASE is required.

# Which variables each entry point cannot run without.
REQUIRED_ENV: dict[str, tuple[str, ...]] = {
    "stripe_webhook": ("STRIPE_WEBHOOK_SECRET", "GOOGLE_CLOUD_PROJECT"),
    "sync_worker": ("CRM_API_TOKEN", "SUPPORT_API_TOKEN", "SUPPORT_API_BASE", "GOOGLE_CLOUD_PROJECT"),
    "on_user_created": ("GOOGLE_CLOUD_PROJECT",),
    "request_support": ("GOOGLE_CLOUD_PROJECT",),
    "sweep": ("GOOGLE_CLOUD_PROJECT",),   # Stripe and CRM/support credentials optional: parts skip without them
}


class ConfigurationError(RuntimeError):
    """A required environment variable is missing or invalid."""


def missing_env(target: str) -> list[str]:
    return [name for name in REQUIRED_ENV.get(target, ()) if not os.environ.get(name)]


def check_environment(target: str) -> None:
    """Raise one ConfigurationError naming every missing variable for `target`."""
    missing = missing_env(target)
    if missing:
        raise ConfigurationError(
            f"launchready functions: {target} cannot start: missing environment variable(s) "
            f"{', '.join(missing)} (see the functions section of the README)")


def require(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise ConfigurationError(f"launchready functions: missing environment variable {name}")
    return value


def _number(name: str, default: float, minimum: float) -> float:
    raw = os.environ.get(name)
    if raw in (None, ""):
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigurationError(f"launchready functions: {name} must be a number, got {raw!r}") from None
    if value < minimum:
        raise ConfigurationError(f"launchready functions: {name} must be >= {minimum}, got {raw!r}")
    return value


@dataclass(frozen=True)
class SyncSettings:
    """How the outbound sync talks to providers and how hard it retries."""

    crm_provider: str
    crm_api_base: str
    crm_api_token: str
    support_provider: str
    support_api_base: str
    support_api_token: str
    max_attempts: int
    backoff_seconds: float
    http_timeout_seconds: float

    def __repr__(self) -> str:  # tokens never reach logs
        return (f"SyncSettings(crm={self.crm_provider}@{self.crm_api_base}, "
                f"support={self.support_provider}@{self.support_api_base}, max_attempts={self.max_attempts})")

    @classmethod
    def from_env(cls) -> SyncSettings:
        return cls(
            crm_provider=os.environ.get("CRM_PROVIDER", "hubspot"),
            crm_api_base=os.environ.get("CRM_API_BASE") or DEFAULT_CRM_API_BASE,
            crm_api_token=require("CRM_API_TOKEN"),
            support_provider=os.environ.get("SUPPORT_PROVIDER", "zendesk"),
            support_api_base=require("SUPPORT_API_BASE"),
            support_api_token=require("SUPPORT_API_TOKEN"),
            max_attempts=int(_number("SYNC_MAX_ATTEMPTS", 3, 1)),
            backoff_seconds=_number("SYNC_BACKOFF_SECONDS", 30.0, 0.0),
            http_timeout_seconds=_number("SYNC_HTTP_TIMEOUT_SECONDS", 10.0, 0.1),
        )


@dataclass(frozen=True)
class SupportSettings:
    """How hard `request_support` pushes back: per-user rate limit, duplicate window, browser origins."""

    rate_limit: int
    rate_window_seconds: float
    duplicate_window_seconds: float
    allowed_origins: frozenset[str]

    @classmethod
    def from_env(cls) -> SupportSettings:
        origins = os.environ.get("SUPPORT_ALLOWED_ORIGINS", "")
        return cls(
            rate_limit=int(_number("SUPPORT_RATE_LIMIT", 5, 1)),
            rate_window_seconds=_number("SUPPORT_RATE_WINDOW_SECONDS", 600.0, 1.0),
            duplicate_window_seconds=_number("SUPPORT_DUPLICATE_WINDOW_SECONDS", 600.0, 1.0),
            allowed_origins=frozenset(o.strip().rstrip("/").lower() for o in origins.split(",") if o.strip()),
        )
