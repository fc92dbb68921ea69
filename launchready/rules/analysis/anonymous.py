"""Which allow statements grant something to a signed-out caller, decided by evaluating them.

Text patterns miss the many ways a condition can hold without `request.auth`: `!isAuthenticated() ||
…`, `request.auth == null || …`, a helper that returns true, a negated comparison. So every statement
is asked of the built-in rules engine (launchready.rules.engine) for each method it grants: an
anonymous request on a document its match path matches (wildcards filled with probe ids), the stored
document empty, the written data empty. A statement the engine grants there is open to everyone; one
that reads a field of the document or needs a signed-in caller errs or is false, as on Firestore.
"""
from __future__ import annotations

from launchready.rules.analysis.model import CAPTURE, Ruleset
from launchready.rules.engine import Query, Request, RulesEngine, Write
from launchready.rules.engine.request import Database
from launchready.rules.engine.values import RulesError

PROBE_ID = "lr-probe"


def recursive(segment: str) -> bool:
    """`{rest=**}`: a wildcard over any number of segments."""
    capture = CAPTURE.match(segment)
    return bool(capture and capture.group(2))


def probe_path(segments: list[str]) -> str | None:
    """A document path the segments match (`users/{uid}/{rest=**}` -> users/lr-probe/lr-probe/lr-probe)."""
    fixed = [seg for seg in segments if not recursive(seg)]
    out: list[str] = []
    for seg in segments:
        if recursive(seg):   # as many segments as make a document path
            out += [PROBE_ID] * (2 if len(fixed) % 2 == 0 else 1)
        else:
            out.append(PROBE_ID if CAPTURE.match(seg) else seg)
    return "/".join(out) if out and len(out) % 2 == 0 else None


def _request(operation: str, path: str) -> tuple[Request, Database]:
    stored: Database = {path: {}}
    if operation == "list":
        return Request("list", path.rpartition("/")[0], query=Query()), stored
    if operation in ("create", "update", "delete"):
        return Request(operation, path, write=Write(operation, path, None if operation == "delete" else {})), \
            ({} if operation == "create" else stored)
    return Request("get", path), stored


def anonymous_grants(rules: Ruleset) -> dict[int, set[str]]:
    """Line of each allow statement -> the methods it grants a signed-out caller (empty when the engine
    cannot compile the file: the text-based judgement then stands alone)."""
    try:
        engine = RulesEngine(rules, rules.source)
    except (RulesError, ValueError, RecursionError):
        return {}
    granted: dict[int, set[str]] = {}
    decided: dict[tuple[str, str], set[int]] = {}   # one evaluation per (path, method) answers every statement
    for allow in rules.allows():
        path = probe_path(allow.match.document_segments)
        if path is None:
            continue
        for operation in sorted(allow.operations):
            if (path, operation) not in decided:
                decided[path, operation] = _granting_lines(engine, operation, path)
            if allow.line in decided[path, operation]:
                granted.setdefault(allow.line, set()).add(operation)
    return granted


def _granting_lines(engine: RulesEngine, operation: str, path: str) -> set[int]:
    """Lines of the statements that grant `operation` on `path` to a signed-out caller."""
    request, database = _request(operation, path)
    try:
        decision = engine.decide(request, database, trace=True)
    except (RulesError, ValueError, RecursionError):
        return set()
    traces = decision.writes[0].allows if decision.writes else decision.allows
    return {t.line for t in traces if t.granted}
