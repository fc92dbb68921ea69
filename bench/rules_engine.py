"""Rules decisions per second, built-in engine vs the Firestore emulator, on the same corpus cases;
and the rules part of `launchready check --stack prod --offline`.

    .venv/bin/python bench/rules_engine.py [--emulator-cases 150] [--repeat 5]

Prints figures only; nothing asserts on them.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
CORPUS = REPO_ROOT / "tests" / "rules" / "corpus"
LAUNCHREADY = str(Path(sys.executable).parent / "launchready")


def builtin_rate(repeat: int) -> tuple[float, float, float, int]:
    """Decisions/s single-threaded without and with traces (engines compiled once, as in a run), by
    the wall clock, and without traces per CPU-second (what the process itself used: on a shared
    machine the wall figure mostly measures the other processes)."""
    from launchready.rules.engine import RulesEngine, load_cases

    header, cases = load_cases(CORPUS / "cases.json")
    engines = {n: RulesEngine.from_source((CORPUS / n).read_text(), n) for n in header["rules_files"]}
    for case in cases:   # warm up: compile every condition once
        engines[case.rules].decide(case.request, case.seed)
    rates, cpu = [], 0.0
    for trace in (False, True):
        t0, c0 = time.perf_counter(), time.process_time()
        for _ in range(repeat):
            for case in cases:
                engines[case.rules].decide(case.request, case.seed, trace=trace)
        rates.append(repeat * len(cases) / (time.perf_counter() - t0))
        cpu = cpu or repeat * len(cases) / (time.process_time() - c0)
    return rates[0], rates[1], cpu, len(cases)


def emulator_rate(limit: int) -> tuple[float, float]:
    """Decisions/s on the emulator (its round trips included) and its start-up time."""
    from launchready.rules.engine.emulator import EmulatorDecider

    records = json.loads((CORPUS / "cases.json").read_text())["cases"][:limit]
    with tempfile.TemporaryDirectory() as log_dir:
        t0 = time.perf_counter()
        decider = EmulatorDecider.start(Path(log_dir))
        startup = time.perf_counter() - t0
        try:
            t0 = time.perf_counter()
            for record in records:
                decider.load_rules((CORPUS / record["rules"]).read_text())
                decider.decide(record)
            return len(records) / (time.perf_counter() - t0), startup
        finally:
            decider.close()


def check_rules_part(engine: str) -> tuple[float, float, float]:
    """Wall time of `check --stack prod --offline --only rules`, the suite's own duration and its
    slowest rules check."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report.json"
        t0 = time.perf_counter()
        subprocess.run([LAUNCHREADY, "check", "--stack", "prod", "--offline", "--only", "rules",
                        "--rules-engine", engine, "--format", "json", "--output", str(out)],
                       cwd=REPO_ROOT, capture_output=True, text=True, timeout=600)
        wall = time.perf_counter() - t0
        report = json.loads(out.read_text())
    slowest = max((r.get("duration_s") or 0.0 for r in report["results"]), default=0.0)
    return wall, float(report["duration_s"]), float(slowest)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--emulator-cases", type=int, default=150)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--skip-emulator", action="store_true")
    args = parser.parse_args()
    plain, traced, cpu, n = builtin_rate(args.repeat)
    print(f"builtin engine: {plain:,.0f} decisions/s wall ({traced:,.0f}/s with traces), {cpu:,.0f} per CPU-second, "
          f"over {n} corpus cases x {args.repeat}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    if not args.skip_emulator:
        rate, startup = emulator_rate(args.emulator_cases)
        print(f"emulator:       {rate:,.1f} decisions/s over {args.emulator_cases} cases (+ {startup:.1f} s start-up)"
              f" -> builtin is {plain / rate:,.0f}x faster")
    for engine in ("builtin",) + (() if args.skip_emulator else ("emulator",)):
        wall, suite, slowest = check_rules_part(engine)
        print(f"check --stack prod --offline --only rules --rules-engine {engine}: {wall:.2f} s wall "
              f"(process start included), rules checks {suite:.2f} s, slowest {slowest:.2f} s")


if __name__ == "__main__":
    main()
