"""`launchready rules eval`: decide Firestore rules cases with the built-in engine or the emulator,
print verdicts (and traces), and compare with the verdicts the case file carries."""
from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import typer

from launchready.errors import UsageError

app = typer.Typer(help="Firestore security rules: decide cases without Java, explain verdicts.",
                  no_args_is_help=True)
ENGINES = ("builtin", "emulator")
FORMATS = ("text", "json")


@app.command("eval")
def eval_command(
    rules: Path = typer.Option(..., "--rules", help="The .rules file to evaluate."),
    cases: Path = typer.Option(..., "--cases", help="Cases in the firestore-rules-corpus/1 JSON format."),
    engine: str = typer.Option("builtin", "--engine", help="builtin|emulator"),
    fmt: str = typer.Option("text", "--format", help="text|json"),
    trace: bool = typer.Option(False, "--trace", help="Show why: matches, statements, sub-expressions."),
) -> None:
    """Decide every case; exit 1 when a verdict differs from the one the file carries."""
    from launchready.rules.engine import CaseFormatError, load_cases

    if engine not in ENGINES:
        raise UsageError(f"--engine: expected one of {', '.join(ENGINES)}, got {engine!r}")
    if fmt not in FORMATS:
        raise UsageError(f"--format: expected one of {', '.join(FORMATS)}, got {fmt!r}")
    source = _read(rules)
    try:
        _, loaded = load_cases(cases)
    except CaseFormatError as exc:
        raise UsageError(str(exc)) from None
    decide = _builtin(source, rules.name, trace) if engine == "builtin" else _emulator(source)
    results = list(_results(loaded, decide, engine))
    summary = _summary(results)
    if fmt == "json":
        typer.echo(json.dumps({"rules": str(rules), "engine": engine, "cases": results, "totals": summary}, indent=1))
    else:
        for result in results:
            _print_text(result, trace)
        typer.echo(_summary_line(summary))
    if summary["disagree"]:
        raise typer.Exit(1)


@app.command("coverage")
def coverage_command(
    ctx: typer.Context,
    rules: Path = typer.Option(..., "--rules", help="The .rules file to measure."),
    fmt: str = typer.Option("text", "--format", help="text|json"),
) -> None:
    """Run the access matrix (built-in rows plus the project's access file) on the built-in engine;
    list allow statements and sub-expressions it never exercised (the emulator's coverage report, offline)."""
    from launchready.commands import selected_project
    from launchready.rules.engine.coverage import Coverage
    from launchready.rules.testing.access_file import AccessFileError, load_access_matrix
    from launchready.rules.testing.builtin import BuiltinRulesEnvironment
    from launchready.rules.testing.environment import RulesCompileError
    from launchready.rules.testing.matrix import ACCESS_MATRIX, SEED, run_matrix

    if fmt not in FORMATS:
        raise UsageError(f"--format: expected one of {', '.join(FORMATS)}, got {fmt!r}")
    project = selected_project(ctx)
    rules = project.flag(rules)
    source = _read(rules)
    env = BuiltinRulesEnvironment(filename=rules.name).start()
    try:
        env.load_rules(source)
    except RulesCompileError as exc:
        raise UsageError(f"{rules.name}: {exc}") from None
    try:
        app = load_access_matrix(project.matrix_file)
    except AccessFileError as exc:
        raise UsageError(str(exc)) from None
    assert env.engine is not None   # start() + load_rules() made it
    env.coverage = Coverage(env.engine)
    verdicts = run_matrix(env, [*ACCESS_MATRIX, *app.expectations()], {**SEED, **app.seed}, max_workers=1)
    if fmt == "json":
        typer.echo(json.dumps({**env.coverage.to_json(), "matrix_rows": len(verdicts),
                               "matrix_violations": sum(not v.ok for v in verdicts)}, indent=1))
    else:
        typer.echo(f"access matrix: {len(verdicts)} rows, {sum(not v.ok for v in verdicts)} violated")
        for line in env.coverage.lines():
            typer.echo(line)


def _read(rules: Path) -> str:
    try:
        return rules.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"--rules: cannot read {rules}: {exc}") from None


def _builtin(source: str, filename: str, trace: bool):
    from launchready.rules.analysis.model import RulesSyntaxError
    from launchready.rules.engine import RulesEngine

    try:
        engine = RulesEngine.from_source(source, filename)
    except RulesSyntaxError as exc:
        raise UsageError(f"{filename}:{exc.line}:{exc.column}: {exc}") from None

    def decide(case: Any) -> dict[str, Any]:
        decision = engine.decide(case.request, case.seed, trace=trace)
        out: dict[str, Any] = {"verdict": decision.verdict,
                               "decided_at": f"{filename}:{decision.deciding_line}" if decision.deciding_line else None}
        if trace:
            out["trace"] = decision.to_json(source, filename)
            out["explain"] = decision.explain(source, filename)
        return out
    return decide


def _emulator(source: str):
    from launchready.rules.engine.emulator import EmulatorDecider
    from launchready.runtime.firestore_emulator import unavailable_reason

    reason = unavailable_reason()
    if reason:
        raise UsageError(f"--engine emulator: {reason}")
    log_dir = tempfile.mkdtemp(prefix="launchready-rules-eval-")
    state: dict[str, Any] = {}

    def decide(case: Any) -> dict[str, Any]:
        if "decider" not in state:
            state["decider"] = EmulatorDecider.start(Path(log_dir))
            try:
                state["decider"].load_rules(source)
            except ValueError as exc:
                state["decider"].close()
                raise UsageError(str(exc)) from None
        result = state["decider"].decide(case.record)
        return {"verdict": result.verdict or f"error (HTTP {result.status})", "detail": result.detail or None}
    decide.close = lambda: state["decider"].close() if "decider" in state else None  # type: ignore[attr-defined]
    return decide


def _results(cases: list, decide: Any, engine: str) -> Iterator[dict[str, Any]]:
    try:
        for case in cases:
            out = {"id": case.id, "engine": engine, **decide(case)}
            if case.expected:
                out["expected"] = case.expected
                out["agrees"] = out["verdict"] == case.expected
            yield out
    finally:
        close = getattr(decide, "close", None)
        if close:
            close()


def _summary(results: list[dict[str, Any]]) -> dict[str, int]:
    checked = [r for r in results if "agrees" in r]
    return {"cases": len(results), "allow": sum(r["verdict"] == "allow" for r in results),
            "deny": sum(r["verdict"] == "deny" for r in results), "with_verdict": len(checked),
            "agree": sum(r["agrees"] for r in checked), "disagree": sum(not r["agrees"] for r in checked)}


def _print_text(result: dict[str, Any], trace: bool) -> None:
    mark = "" if "agrees" not in result else ("  ok" if result["agrees"] else f"  MISMATCH (file says {result['expected']})")
    where = f" @ {result['decided_at']}" if result.get("decided_at") else ""
    typer.echo(f"{result['id']}: {result['verdict']}{where}{mark}")
    for line in result.get("explain", []) if trace else []:
        typer.echo(f"    {line}")


def _summary_line(s: dict[str, int]) -> str:
    line = f"{s['cases']} cases: {s['allow']} allow, {s['deny']} deny"
    if s["with_verdict"]:
        line += f"; agreement with the file {s['agree']}/{s['with_verdict']}"
    return line
