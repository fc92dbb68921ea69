"""What one request did under the rules, and the assertions users write against it."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class RulesAssertionError(AssertionError):
    """An expectation about the rules did not hold; the message names actor, operation and path."""


class RulesHarnessError(RuntimeError):
    """The harness could not ask the emulator (not running, unreachable, bad request)."""


@dataclass(frozen=True)
class Outcome:
    """The emulator's answer to one request. `allowed`/`denied` are mutually exclusive; a request
    that failed for another reason (bad data, precondition) is neither, and says why."""

    actor: str
    operation: str
    path: str
    status_code: int
    error_code: str = ""
    message: str = ""
    data: Any = field(default=None, compare=False)

    @property
    def denied(self) -> bool:
        return self.status_code == 403 or self.error_code == "PERMISSION_DENIED"

    @property
    def allowed(self) -> bool:
        if self.denied:
            return False
        # A permitted read of a missing document is still a permitted read.
        return 200 <= self.status_code < 300 or (self.operation == "get" and self.status_code == 404)

    @property
    def verdict(self) -> str:
        if self.allowed:
            return "allowed"
        if self.denied:
            return "denied"
        return f"failed with {self.status_code} {self.error_code}: {self.message}".rstrip(": ")

    def describe(self) -> str:
        return f"{self.actor} {self.operation} {self.path}"


def assert_allowed(outcome: Outcome) -> Any:
    """Pass when the rules allowed the request; returns the response data (document or list)."""
    if not outcome.allowed:
        raise RulesAssertionError(f"expected allow: {outcome.describe()} was {outcome.verdict}"
                                  + (f" ({outcome.message})" if outcome.denied and outcome.message else ""))
    return outcome.data


def assert_denied(outcome: Outcome) -> Outcome:
    """Pass when the rules denied the request (PERMISSION_DENIED), not when it failed otherwise."""
    if not outcome.denied:
        raise RulesAssertionError(f"expected deny: {outcome.describe()} was {outcome.verdict}")
    return outcome
