"""A Python harness for testing Firestore security rules, on the built-in engine or the emulator.

    from launchready.checks.rules_testing import make_environment, assert_allowed, assert_denied

    with make_environment(Path("firestore.rules")) as env:     # built-in engine; engine="emulator" to cross-check
        env.seed({"customers/alice": {"plan_status": "active"}})
        assert_allowed(env.authenticated("alice").get("customers/alice"))
        assert_denied(env.authenticated("bob").get("customers/alice"))
"""
from launchready.checks.rules_testing.builtin import BuiltinContext, BuiltinRulesEnvironment
from launchready.checks.rules_testing.client import RulesTestContext
from launchready.checks.rules_testing.environment import RulesCompileError, RulesTestEnvironment
from launchready.checks.rules_testing.outcome import (Outcome, RulesAssertionError, RulesHarnessError, assert_allowed,
                                          assert_denied)
from launchready.checks.rules_testing.factory import make_environment
from launchready.checks.rules_testing.tokens import unsigned_id_token

__all__ = [
    "BuiltinContext", "BuiltinRulesEnvironment", "make_environment", "Outcome", "RulesAssertionError", "RulesCompileError", "RulesHarnessError", "RulesTestContext",
    "RulesTestEnvironment", "assert_allowed", "assert_denied", "unsigned_id_token",
]
