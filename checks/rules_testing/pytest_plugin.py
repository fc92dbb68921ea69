"""Deprecated: the rules fixtures now load by themselves through the `pytest11` entry point
(`launchready.rules.testing.pytest_plugin`); drop `pytest_plugins = [...]` from your conftest.py."""
import warnings

warnings.warn("launchready.checks.rules_testing.pytest_plugin is loaded automatically now (pytest11 entry point "
              "launchready-rules); remove it from pytest_plugins", DeprecationWarning, stacklevel=2)
