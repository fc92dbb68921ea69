"""Build the rules corpus: every verdict decided by the real Firestore emulator, never by hand.

    .venv/bin/python tests/rules/corpus/build_corpus.py      # rewrites cases.json beside this file

Cases come from `scenarios.py` (realistic SaaS / FlutterFlow / legacy v1 rules) and `probes.py`
(one expression per probe over the value model); `regressions.json` (disagreements found by the
differential test) is appended as is, re-decided by the emulator.
"""
from __future__ import annotations

import json
import sys
import tempfile
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

from probes import probes_rules  # noqa: E402
from scenarios import all_cases  # noqa: E402

from launchready.rules.engine.emulator import PROJECT, EmulatorDecider, emulator_version  # noqa: E402


def build(out: Path = HERE / "cases.json") -> dict:
    (HERE / "value_probes.rules").write_text(probes_rules(), encoding="utf-8")
    records = all_cases()
    regressions = HERE / "regressions.json"
    if regressions.exists():
        records += json.loads(regressions.read_text())["cases"]
    with tempfile.TemporaryDirectory(prefix="corpus-emulator-") as log_dir:
        decider = EmulatorDecider.start(Path(log_dir))
        try:
            cases, excluded = decide_all(decider, records)
        finally:
            decider.close()
    doc = {
        "format": "firestore-rules-corpus/1", "project_id": PROJECT, "database": "(default)",
        "emulator": emulator_version(), "generated": datetime.now(UTC).isoformat(timespec="seconds"),
        "rules_files": sorted({r["rules"] for r in records}),
        "counts": {"cases": len(cases), "allow": sum(c["verdict"] == "allow" for c in cases),
                   "deny": sum(c["verdict"] == "deny" for c in cases), "excluded": len(excluded)},
        "cases": cases, "excluded": excluded,
    }
    out.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return doc


def decide_all(decider: EmulatorDecider, records: list[dict]) -> tuple[list[dict], list[dict]]:
    cases, excluded = [], []
    for record in records:
        decider.load_rules((HERE / record["rules"]).read_text(encoding="utf-8"))
        result = decider.decide(record)
        if result.verdict is None:
            excluded.append({**record, "reason": f"HTTP {result.status}: {result.detail}"})
            continue
        out = {**record, "verdict": result.verdict, "http_status": result.status}
        if result.verdict == "deny":
            out["emulator_detail"] = result.detail
        cases.append(out)
    return cases, excluded


if __name__ == "__main__":
    built = build()
    tags = Counter(t for c in built["cases"] for t in c["constructs"])
    print(json.dumps(built["counts"]), f"{len(tags)} construct tags")
