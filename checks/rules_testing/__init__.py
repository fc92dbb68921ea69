"""Deprecated path of the rules test harness, kept for one release: use `launchready.rules.testing`."""
import warnings

from launchready.rules.testing import *  # noqa: F403 - the old path re-exports the new one
from launchready.rules.testing import __all__  # noqa: F401

warnings.warn("launchready.checks.rules_testing moved to launchready.rules.testing; the old path will be removed "
              "in the next release", DeprecationWarning, stacklevel=2)
