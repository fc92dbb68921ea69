"""The check framework: declarative checks, a registry, a concurrent runner, one report model."""
from launchready.checks.framework.base import Check, Finding, Result, Severity, Status
from launchready.checks.framework.context import CheckContext, CheckOptions
from launchready.checks.framework.registry import register, registry

__all__ = ["Check", "CheckContext", "CheckOptions", "Finding", "Result", "Severity", "Status",
           "register", "registry"]
