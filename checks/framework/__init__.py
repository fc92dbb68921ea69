"""The check framework: declarative checks, a registry, a concurrent runner, one report model."""
from checks.framework.base import Check, Finding, Result, Severity, Status
from checks.framework.context import CheckContext, CheckOptions
from checks.framework.registry import registry, register

__all__ = ["Check", "CheckContext", "CheckOptions", "Finding", "Result", "Severity", "Status",
           "register", "registry"]
