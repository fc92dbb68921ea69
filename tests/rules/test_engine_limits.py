"""The built-in engine enforces the emulator's per-request limits (expression budget, call depth) and
decides list queries pinned by document id as the emulator does; each boundary is checked against
the real emulator, and an exponential ruleset is a bounded, named denial in `check --only rules`."""
from __future__ import annotations

import subprocess
import sys

import pytest

from launchready.rules.engine import RulesEngine
from launchready.rules.engine.cases import parse_case
from launchready.rules.engine.emulator import EmulatorDecider
from launchready.runtime.firestore_emulator import unavailable_reason

REF = "projects/demo-corpus/databases/(default)/documents/"
BUDGET_ERROR = "maximum of 1000 expressions"


def get_rules(condition: str, functions: str = "") -> str:
    return ("rules_version = '2';\nservice cloud.firestore {\n  match /databases/{db}/documents {\n" + functions +
            "\n    match /t/{id} {\n      allow get: if " + condition + ";\n    }\n  }\n}\n")


def calls(count: int, conjunct: str, conjuncts: int) -> str:
    """`f() && f() ...` (`count` calls) of a function whose body is `conjuncts` copies of `conjunct`."""
    param = "x" if "x" in conjunct else ""
    call = "f(1)" if param else "f()"
    return get_rules(" && ".join([call] * count),
                     "    function f(%s) { return %s; }" % (param, " && ".join([conjunct] * conjuncts)))


def exponential(depth: int) -> str:
    """Each function calls the next twice: 2**depth calls, unbounded without the budget."""
    functions = "\n".join("    function f%d() { return f%d() && f%d(); }" % (i, i + 1, i + 1) for i in range(depth))
    return get_rules("f0()", functions + "\n    function f%d() { return true; }" % depth)


GET = {"operation": "get", "path": "t/x", "actor": {"uid": "u"}, "seed": {"t/x": {"a": {"integerValue": "1"}}}}
# (conjunct, calls, the most conjuncts the emulator still allows): probed on the emulator, see docs/rules-engine-limits.md
BOUNDARIES = [("true", 4, 83), ("1 == 1", 4, 49), ("1 == 1", 5, 39), ("resource.data.a == 1", 3, 47),
              ("x == 1", 7, 28), ("!false", 5, 49)]


def builtin(source: str, record: dict) -> tuple[str, str | None]:
    decision = RulesEngine.from_source(source).decide(parse_case(record).request, parse_case(record).seed)
    return decision.verdict, next((a.error for a in decision.allows if a.error), None)


@pytest.mark.parametrize("conjunct,count,most", BOUNDARIES)
def test_the_expression_budget_boundary_is_the_emulators(conjunct, count, most):
    assert builtin(calls(count, conjunct, most), GET) == ("allow", None)
    verdict, error = builtin(calls(count, conjunct, most + 1), GET)
    assert verdict == "deny" and BUDGET_ERROR in error


def test_the_documented_gap_now_agrees_ninety_conjuncts_called_four_times_is_denied():
    assert builtin(calls(1, "1 == 1", 90), GET)[0] == "allow"
    assert builtin(calls(4, "1 == 1", 90), GET)[0] == "deny"


def test_an_exponential_ruleset_is_denied_by_the_budget_not_evaluated_to_the_end():
    verdict, error = builtin(exponential(19), GET)   # 2**19 calls without the budget
    assert verdict == "deny" and BUDGET_ERROR in error
    assert builtin(exponential(5), GET) == ("allow", None)


def test_an_exhausted_budget_is_not_rescued_by_an_or_branch():
    source = get_rules("f0() || true", "\n".join(exponential(12).split("\n")[3:-6]))
    assert builtin(source, GET)[0] == "deny"


def test_calls_deeper_than_twenty_are_denied():
    def chain(n):
        return "\n".join(["    function f%d() { return f%d(); }" % (i, i + 1) for i in range(n)]
                                    + ["    function f%d() { return true; }" % n])
    assert builtin(get_rules("f0()", chain(19)), GET)[0] == "allow"
    assert builtin(get_rules("f0()", chain(20)), GET)[0] == "deny"


# ---------------------------------------------------------------- list queries pinned by document id

def owner_rules(condition: str) -> str:
    return ("rules_version = '2';\nservice cloud.firestore {\n  match /databases/{database}/documents {\n"
            "    match /user_profiles/{userId} {\n      allow read: if " + condition + ";\n    }\n  }\n}\n")


def by_id(uid: str, *names: str, op: str = "==") -> dict:
    refs = [{"referenceValue": REF + "user_profiles/" + n} for n in names]
    value = refs[0] if op != "in" else {"arrayValue": {"values": refs}}
    return {"operation": "list", "path": "user_profiles", "actor": {"uid": uid},
            "seed": {"user_profiles/ana": {"ownerUid": {"stringValue": "ben"}},
                     "user_profiles/ben": {"ownerUid": {"stringValue": "ben"}}},
            "query": {"where": [{"field": "__name__", "op": op, "value": value}]}}


DOC_ID_CASES = [  # (rule, record, the emulator's verdict)
    ("request.auth.uid == userId", by_id("ana", "ana"), "allow"),
    ("request.auth.uid == userId", by_id("ana", "ben"), "deny"),
    ("request.auth.uid == userId", by_id("ana", "ana", op="in"), "allow"),
    ("request.auth.uid == userId", by_id("ana", "ana", "ben", op="in"), "deny"),
    ("request.auth.uid == userId", by_id("ana", "ana", op=">="), "deny"),
    ("request.auth.uid == userId", by_id("cy", "cy"), "allow"),            # not stored: the id still binds
    ("resource.id == request.auth.uid", by_id("ana", "ana"), "allow"),
    ("resource.data.ownerUid == request.auth.uid", by_id("ana", "ana"), "deny"),   # the stored document decides
    ("resource.data.ownerUid == request.auth.uid", by_id("ben", "ana"), "allow"),
    ("resource.data.ownerUid == request.auth.uid", by_id("cy", "cy"), "deny"),
    ("resource.data.keys().hasAll(['ownerUid'])", by_id("ana", "ana"), "allow"),
    ("resource == null", by_id("cy", "cy"), "deny"),   # not stored: reading `resource` is an error
]


@pytest.mark.parametrize("rule,record,expected", DOC_ID_CASES)
def test_a_list_pinned_by_document_id_is_decided_like_the_emulator(rule, record, expected):
    assert builtin(owner_rules(rule), record)[0] == expected


# ---------------------------------------------------------------- against the emulator

@pytest.fixture(scope="module")
def decider(tmp_path_factory):
    reason = unavailable_reason()
    if reason:
        pytest.fail(f"Firestore emulator unavailable: {reason}")
    started = EmulatorDecider.start(tmp_path_factory.mktemp("limits-emulator"))
    yield started
    started.close()


def emulator(decider, source: str, record: dict) -> str:
    decider.load_rules(source)
    return decider.decide(record).verdict


def test_the_emulator_draws_the_same_budget_boundaries(decider):
    for conjunct, count, most in BOUNDARIES:
        assert emulator(decider, calls(count, conjunct, most), GET) == "allow", (conjunct, count)
        assert emulator(decider, calls(count, conjunct, most + 1), GET) == "deny", (conjunct, count)
    assert emulator(decider, calls(4, "1 == 1", 90), GET) == "deny"
    assert emulator(decider, exponential(12), GET) == "deny"


def test_the_emulator_decides_document_id_queries_as_the_corpus_says(decider):
    got = [(rule, emulator(decider, owner_rules(rule), record)) for rule, record, _ in DOC_ID_CASES]
    assert got == [(rule, expected) for rule, _, expected in DOC_ID_CASES]


# ---------------------------------------------------------------- the gate, end to end

def test_check_only_rules_on_an_exponential_ruleset_answers_in_bounded_time(tmp_path, repo_root):
    rules = tmp_path / "firestore.rules"
    rules.write_text(exponential(40).replace("match /t/{id}", "match /{document=**}").replace("allow get", "allow read"))
    proc = subprocess.run([sys.executable, "-m", "launchready", "--project-dir", str(repo_root), "check",
                           "--stack", "dev", "--offline", "--only", "rules", "--rules", str(rules), "--format", "json"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "maximum of 1000 expressions" in proc.stdout   # the owner's own reads are denied, and the limit is named
