"""The built-in engine against the real emulator: random grammar-generated rules and requests must
get the same verdict from both (the differential test), and `rules eval --engine emulator` works."""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from launchready.cli import main
from launchready.rules.engine.emulator import EmulatorDecider
from launchready.runtime.firestore_emulator import unavailable_reason

HERE = Path(__file__).parent
sys.path[:0] = [str(HERE), str(HERE / "corpus")]
import differential  # noqa: E402

# A fixed window by default (reproducible); LAUNCHREADY_DIFF_SEED=N explores another one.
FIRST_SEED = int(os.environ.get("LAUNCHREADY_DIFF_SEED", "1000"))
SEEDS = list(range(FIRST_SEED, FIRST_SEED + 6))


@pytest.fixture(scope="module")
def decider(tmp_path_factory):
    reason = unavailable_reason()
    if reason:
        pytest.fail(f"Firestore emulator unavailable: {reason}")
    started = EmulatorDecider.start(tmp_path_factory.mktemp("differential-emulator"))
    yield started
    started.close()


def test_builtin_engine_agrees_with_the_emulator_on_random_rules(decider):
    compared, disagreements = differential.run(decider, SEEDS, collections=12, per_collection=3)
    assert compared >= 190
    # Each disagreement is a new regression case: save it with differential.save_regressions and
    # rebuild the corpus (tests/rules/corpus/build_corpus.py).
    assert [json.dumps({k: v for k, v in d.items() if k != "rules_source"}) for d in disagreements] == []


def test_builtin_engine_agrees_with_the_emulator_on_random_match_structures(decider):
    compared, disagreements = differential.run_matches(decider, SEEDS[:3])
    assert compared >= 60
    assert [json.dumps({k: v for k, v in d.items() if k != "rules_source"}) for d in disagreements] == []


def test_generated_match_structures_cover_versions_and_recursive_wildcards():
    sources = [differential.match_ruleset(seed) for seed in range(FIRST_SEED, FIRST_SEED + 12)]
    assert any("rules_version = '2'" in s for s in sources) and any("rules_version" not in s for s in sources)
    assert all("=**}" in s for s in sources[:1]) or any("=**}" in s for s in sources)


def test_generated_rules_grant_every_method():
    methods: set[str] = set()
    for seed in SEEDS:
        source, granted = differential.ruleset(seed)
        methods |= {m for _, m in granted}
        assert source.count("match /c") == 12
    assert methods == {"get", "list", "create", "update", "delete"}
    records = differential.cases(SEEDS[0], differential.ruleset(SEEDS[0])[1], 3, "x.rules")
    verdict_mix = {r["operation"] for r in records}
    assert len(records) == 36 and verdict_mix <= methods


def test_rules_eval_on_the_emulator_agrees_with_the_corpus(tmp_path, capsys):
    doc = json.loads((HERE / "corpus" / "cases.json").read_text())
    doc["cases"] = [c for c in doc["cases"] if c["rules"] == "flutterflow_chat.rules"][:8]
    cases = tmp_path / "cases.json"
    cases.write_text(json.dumps(doc))
    rules = HERE / "corpus" / "flutterflow_chat.rules"
    assert main(["rules", "eval", "--rules", str(rules), "--cases", str(cases), "--engine", "emulator",
                 "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["engine"] == "emulator" and out["totals"]["agree"] == 8
    assert {c["verdict"] for c in out["cases"]} == {"allow", "deny"}


def test_the_nesting_limit_is_the_emulators(decider):
    """Where the emulator stops compiling ("Expression is too complex to evaluate safely"), the
    built-in engine refuses too; one level less, both compile."""
    from test_rules_engine import NESTING_LIMITS, nesting_rules

    from launchready.rules.analysis.model import RulesSyntaxError
    from launchready.rules.engine import RulesEngine

    def compiles(source: str) -> tuple[bool, bool]:
        try:
            decider.load_rules(source)
            emulator = True
        except ValueError as exc:
            assert "too complex" in str(exc)
            emulator = False
        try:
            RulesEngine.from_source(source)
            builtin = True
        except RulesSyntaxError:
            builtin = False
        return emulator, builtin

    for shape, (make, deepest) in NESTING_LIMITS.items():
        assert compiles(nesting_rules(make(deepest))) == (True, True), shape
        assert compiles(nesting_rules(make(deepest + 1))) == (False, False), shape
