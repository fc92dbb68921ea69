"""The built-in rules engine, offline: it agrees with the emulator-built corpus on every verdict,
covers every construct of the case format, explains its decisions, and fails cleanly on bad input."""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from launchready.cli import main
from launchready.rules.analysis.model import RulesSyntaxError
from launchready.rules.engine import Actor, Request, RulesEngine, Write, load_cases

CORPUS = Path(__file__).with_name("corpus")
# The construct vocabulary of the case format (rules-case-format.md).
CONSTRUCTS = """op-get op-list op-create op-update op-delete op-batch list-query list-query-filter collection-group
request-query nested-match recursive-wildcard zero-segment rules-v1 rules-v2 overlapping-match granular-methods
read-write-alias deny-default test-mode function-params let auth-uid auth-claims unauthenticated
request-resource-data resource-data resource-null resource-name path-compare keys-hasOnly keys-hasAll keys-hasAny
map-get map-in map-size diff-affectedKeys diff-changedKeys diff-addedKeys diff-removedKeys diff-unchangedKeys
type-check numbers string-size string-matches string-lower list-in list-size list-hasAll list-hasOnly get-lookup
exists-lookup getAfter existsAfter request-time timestamp-date duration server-timestamp request-method ternary
short-circuit missing-field-error saas-model""".split()


@pytest.fixture(scope="module")
def corpus():
    header, cases = load_cases(CORPUS / "cases.json")
    engines = {name: RulesEngine.from_source((CORPUS / name).read_text(), name) for name in header["rules_files"]}
    return header, cases, engines


def test_builtin_engine_agrees_with_the_emulator_on_every_corpus_case(corpus):
    header, cases, engines = corpus
    wrong = [f"{c.id} ({c.record['description']}): emulator {c.expected}, builtin "
             f"{engines[c.rules].decide(c.request, c.seed).verdict}"
             for c in cases if engines[c.rules].decide(c.request, c.seed).verdict != c.expected]
    assert wrong == []
    assert header["counts"]["cases"] == len(cases) >= 500


def test_corpus_was_decided_by_the_emulator_and_covers_every_construct(corpus):
    header, cases, _ = corpus
    assert header["format"] == "firestore-rules-corpus/1" and header["emulator"]["jar"].endswith(".jar")
    assert all(c.record["http_status"] == {"allow": 200, "deny": 403}[c.expected] for c in cases)
    tags = Counter(t for c in cases for t in c.record["constructs"])
    assert [t for t in CONSTRUCTS if not tags[t]] == []
    verdicts = Counter(c.expected for c in cases)
    assert verdicts["allow"] > 100 and verdicts["deny"] > 100


def test_differential_regressions_are_in_the_corpus(corpus):
    _, cases, _ = corpus
    kept = json.loads((CORPUS / "regressions.json").read_text())["cases"]
    ids = {c.id for c in cases}
    assert kept and all(r["id"] in ids for r in kept)


def _engine(source: str) -> RulesEngine:
    return RulesEngine.from_source(source, "app.rules")


PROFILE_RULES = """rules_version = '2';
service cloud.firestore {
  match /databases/{database}/documents {
    function isOwner(uid) { return request.auth != null && request.auth.uid == uid; }
    match /userProfiles/{uid} {
      allow update: if isOwner(uid)
        && request.resource.data.diff(resource.data).affectedKeys().hasOnly(['displayName']);
    }
  }
}
"""


def test_trace_names_the_deciding_expression_with_file_line_and_column():
    engine = _engine(PROFILE_RULES)
    write = Write("update", "userProfiles/u1", {"isPremium": True}, "merge", ("isPremium",))
    decision = engine.decide(Request("update", "userProfiles/u1", Actor("u1"), write=write),
                             {"userProfiles/u1": {"displayName": "Uma", "isPremium": False}}, trace=True)
    assert decision.verdict == "deny" and decision.deciding_line == 6
    lines = decision.explain(engine.source, "app.rules")
    assert lines[0] == "match /databases/{database}/documents/userProfiles/{uid} (app.rules:5)"
    assert "allow update (app.rules:6) -> false" in lines
    assert any(line.startswith("  decided by app.rules:7:12 request.resource.data.diff(resource.data)")
               and line.endswith("-> false") for line in lines)
    as_json = decision.to_json(engine.source, "app.rules")
    assert as_json["decided_at"] == "app.rules:6" and as_json["allows"][0]["steps"][0]["line"] == 6


def test_a_missing_claim_is_an_error_not_null():
    engine = _engine(PROFILE_RULES.replace("request.auth != null && request.auth.uid == uid",
                                           "request.auth.token.admin == null"))
    write = Write("update", "userProfiles/u1", {"displayName": "X"}, "merge", ("displayName",))
    decision = engine.decide(Request("update", "userProfiles/u1", Actor("u1"), write=write),
                             {"userProfiles/u1": {"displayName": "Uma"}}, trace=True)
    assert decision.verdict == "deny"
    assert decision.allows[0].error == "Property admin is undefined on object."


def test_an_unparsable_file_is_one_error_with_line_and_column():
    with pytest.raises(RulesSyntaxError) as raised:
        _engine("rules_version = '2';\nservice cloud.firestore {\n  match /a/{b} {\n    allow read: if (;\n  }\n}\n")
    assert (raised.value.line, raised.value.column) == (4, 21)


def _wide_rules(chain_body: str, functions: str = "") -> str:
    blocks = [f"    match /c{i}/{{id}} {{\n      allow get: if request.auth.uid == 'u{i}';\n    }}" for i in range(2600)]
    return ("rules_version = '2';\nservice cloud.firestore {\n  match /databases/{database}/documents {\n"
            + functions + "\n".join(blocks) + f"\n    match /wide/{{id}} {{\n      allow create: if {chain_body};\n    }}\n  }}\n}}\n")


def test_a_rules_file_of_ten_thousand_lines_evaluates_without_recursion_errors():
    # 2,400 field checks, 80 per function (one `&&` chain of 2,400 would not compile on the platform)
    functions = "".join("    function part%d() {\n      return true\n%s;\n    }\n" % (
        p, "\n".join(f"        && request.resource.data.f{i} == {i}" for i in range(p * 80, p * 80 + 80)))
        for p in range(30))
    source = _wide_rules(" && ".join(f"part{p}()" for p in range(30)), functions)
    assert source.count("\n") >= 10_000
    engine = _engine(source)
    assert engine.decide(Request("get", "c2599/x", Actor("u2599")), {}).verdict == "allow"
    data = {f"f{i}": i for i in range(2400)}
    # 2,400 checks are ~19,000 expressions: past the platform's per-request budget, denied with that reason
    decision = engine.decide(Request("create", "wide/x", Actor("u"), write=Write("create", "wide/x", data)), {})
    assert decision.verdict == "deny"
    assert "maximum of 1000 expressions" in decision.allows[0].error


# The deepest each shape compiles on the emulator (probed: one level more is "Expression is too complex
# to evaluate safely"); member access and constant indexes add no level.
NESTING_LIMITS = {
    "and": (lambda n: " && ".join(["true"] * n), 99),
    "or": (lambda n: " || ".join(["true"] * n), 99),
    "arith": (lambda n: " + ".join(["1"] * n) + " > 0", 98),
    "not": (lambda n: "!" * n + "true", 98),
    "call": (lambda n: "f(" * n + "true" + ")" * n, 98),
    "ternary": (lambda n: "true ? " * n + "true" + " : false" * n, 98),
    "list": (lambda n: "[" * n + "1" + "]" * n + " != null", 97),
}


def nesting_rules(condition: str) -> str:
    return ("rules_version = '2';\nservice cloud.firestore {\n  match /databases/{db}/documents {\n"
            "    function f(x) { return x; }\n    match /t/{id} {\n      allow get: if " + condition + ";\n    }\n  }\n}\n")


@pytest.mark.parametrize("shape", sorted(NESTING_LIMITS))
def test_expressions_nested_deeper_than_the_platform_compiles_are_refused(shape):
    make, deepest = NESTING_LIMITS[shape]
    _engine(nesting_rules(make(deepest)))
    with pytest.raises(RulesSyntaxError, match="too complex to evaluate safely") as refused:
        _engine(nesting_rules(make(deepest + 1)))
    assert refused.value.line == 6
    _engine(nesting_rules("request.time" + ".a" * 400 + "['b']" * 400 + " == 1"))


def test_a_chain_of_thousands_is_refused_in_one_line_not_a_recursion_error():
    source = _wide_rules("true\n" + "\n".join(f"        && request.resource.data.f{i} == {i}" for i in range(2400)))
    with pytest.raises(RulesSyntaxError, match="nested 2402 levels deep"):
        _engine(source)


def _cases_file(tmp_path: Path, rules: str) -> Path:
    doc = json.loads((CORPUS / "cases.json").read_text())
    doc["cases"] = [c for c in doc["cases"] if c["rules"] == rules][:6]
    path = tmp_path / "cases.json"
    path.write_text(json.dumps(doc))
    return path


def test_rules_eval_prints_verdicts_traces_and_agreement(tmp_path, capsys):
    cases = _cases_file(tmp_path, "teamspace.rules")
    assert main(["rules", "eval", "--rules", str(CORPUS / "teamspace.rules"), "--cases", str(cases),
                 "--format", "json", "--trace"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["totals"] == {"cases": 6, "allow": out["totals"]["allow"], "deny": out["totals"]["deny"],
                             "with_verdict": 6, "agree": 6, "disagree": 0}
    first = out["cases"][0]
    assert first["engine"] == "builtin" and first["trace"]["matches"] and first["decided_at"].startswith("teamspace.rules:")
    assert main(["rules", "eval", "--rules", str(CORPUS / "teamspace.rules"), "--cases", str(cases)]) == 0
    text = capsys.readouterr().out.splitlines()
    assert text[0].startswith("teamspace/001: ") and text[-1].endswith("agreement with the file 6/6")


def test_rules_eval_exits_1_when_verdicts_disagree_with_the_file(tmp_path, capsys):
    cases = _cases_file(tmp_path, "teamspace.rules")
    wrong_rules = tmp_path / "open.rules"
    wrong_rules.write_text("rules_version = '2';\nservice cloud.firestore {\n  match /databases/{database}/documents {\n"
                           "    match /{doc=**} { allow read, write: if true; }\n  }\n}\n")
    assert main(["rules", "eval", "--rules", str(wrong_rules), "--cases", str(cases)]) == 1
    assert "MISMATCH (file says deny)" in capsys.readouterr().out


def test_rules_eval_bad_input_is_one_line_and_exit_2(tmp_path, capsys):
    broken = tmp_path / "broken.rules"
    broken.write_text("service cloud.firestore {\n  match /a { allow read: if ; }\n}\n")
    cases = _cases_file(tmp_path, "teamspace.rules")
    assert main(["rules", "eval", "--rules", str(broken), "--cases", str(cases)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("launchready: broken.rules:2:")
    not_json = tmp_path / "cases.txt"
    not_json.write_text("{nope")
    assert main(["rules", "eval", "--rules", str(CORPUS / "teamspace.rules"), "--cases", str(not_json)]) == 2
    assert "is not JSON" in capsys.readouterr().err
    assert main(["rules", "eval", "--rules", str(CORPUS / "teamspace.rules"), "--cases", str(cases),
                 "--engine", "java"]) == 2


def test_rules_coverage_lists_statements_and_expressions_the_matrix_never_exercised(tmp_path, capsys):
    repo = Path(__file__).resolve().parents[2]
    source = (repo / "firestore.rules").read_text()
    extra = "    match /teamInvites/{inviteId} {\n      allow get: if request.auth.token.inviteCode == inviteId;\n    }\n"
    at = source.rindex("  }\n}")
    rules = tmp_path / "app.rules"
    rules.write_text(source[:at] + extra + source[at:])
    unused_line = source[:at].count("\n") + 2
    assert main(["--project-dir", str(repo), "rules", "coverage", "--rules", str(rules), "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["never_tried"] == [f"app.rules:{unused_line}"]
    assert "app.rules:44" in report["never_granted"]   # `allow read, write: if false` on private/{doc}
    assert [e["text"] for e in report["unexercised_expressions"]] == ["request.auth.token.inviteCode == inviteId"]
    assert report["matrix_violations"] == 0
