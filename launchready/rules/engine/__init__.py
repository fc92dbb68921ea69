"""A Java-free Firestore security rules engine: decides requests as the emulator does, with traces.

    from launchready.rules.engine import RulesEngine, load_cases
"""
from launchready.rules.engine.cases import Case, CaseFormatError, load_cases, parse_case
from launchready.rules.engine.engine import Decision, RulesEngine
from launchready.rules.engine.request import Actor, Filter, Query, Request, Write

__all__ = ["Actor", "Case", "CaseFormatError", "Decision", "Filter", "Query", "Request", "RulesEngine", "Write",
           "load_cases", "parse_case"]
