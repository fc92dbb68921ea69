"""A Python harness for testing Firestore security rules, on the built-in engine or the emulator.

    from launchready.rules.testing import make_environment, assert_allowed, assert_denied

    with make_environment(Path("firestore.rules")) as env:     # built-in engine; engine="emulator" to cross-check
        env.seed({"customers/alice": {"plan_status": "active"}})
        assert_allowed(env.authenticated("alice").get("customers/alice"))
        assert_denied(env.authenticated("bob").get("customers/alice"))
"""
from launchready.rules.testing.builtin import BuiltinContext, BuiltinRulesEnvironment
from launchready.rules.testing.client import RulesTestContext
from launchready.rules.testing.environment import RulesCompileError, RulesTestEnvironment
from launchready.rules.testing.factory import make_environment
from launchready.rules.testing.outcome import (
                                          Outcome,
                                          RulesAssertionError,
                                          RulesHarnessError,
                                          assert_allowed,
                                          assert_denied,
)
from launchready.rules.testing.tokens import unsigned_id_token

__all__ = [
    "BuiltinContext", "BuiltinRulesEnvironment", "make_environment", "Outcome", "RulesAssertionError", "RulesCompileError", "RulesHarnessError", "RulesTestContext",
    "RulesTestEnvironment", "assert_allowed", "assert_denied", "unsigned_id_token",
]
