"""Run the selected checks: concurrently (live checks wait on the network), each one isolated so a
crash becomes one `error` result, then mark what blocks the release under the stack's policy."""
from __future__ import annotations

import importlib
import re
import time
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from launchready.checks.framework import trust
from launchready.checks.framework.base import Check, Result, Waived
from launchready.checks.framework.context import CheckContext
from launchready.checks.framework.gate import not_applicable
from launchready.checks.framework.inputs import unavailable_input
from launchready.checks.framework.locations import fallback_location
from launchready.checks.framework.registry import CheckRegistry, matches
from launchready.checks.framework.registry import registry as default_registry
from launchready.checks.framework.report import Report
from launchready.redact import redact, redact_text

# Evidence keys that name what one of several results of a check is about, most specific first.
SUBJECT_KEYS = ("hostname", "domain", "selector", "url", "resource", "stack")


def run_one(cls: type[Check], ctx: CheckContext) -> list[Result]:
    started = time.perf_counter()
    check = cls()
    try:
        produced = check.run(ctx)
        results = [produced] if isinstance(produced, Result) else list(produced or [])
        if not results:
            results = [check.errored("the check returned no result")]
    except Exception as exc:  # noqa: BLE001 - a crashing check must never crash the run
        frame = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
        where = f" ({frame.filename.rsplit('/', 1)[-1]}:{frame.lineno})" if frame else ""
        results = [check.errored(redact_text(f"check crashed: {type(exc).__name__}: {exc}{where}"))]
    elapsed = (time.perf_counter() - started) / len(results)
    for result in results:
        result.duration_s = elapsed
        result.subject = result.subject or _subject(result)
        _redact_result(result)
        _relative_paths(result, str(ctx.project.root))
    return results


def _subject(result: Result) -> str:
    for key in SUBJECT_KEYS:
        value = result.evidence.get(key)
        if isinstance(value, str) and value:
            return value
    return ""


def not_applicable_result(cls: type[Check], ctx: CheckContext, reason: str,
                          source: str = "launchready:notApplicable") -> Result:
    result = cls().skipped(f"not applicable to stack {ctx.stack}: {reason}" + (f" ({source})" if source else ""))
    result.waiver = Waived("not-applicable", reason)
    return result


def _why_not(cls: type[Check], ctx: CheckContext, declared) -> tuple[str, str] | None:
    """(reason, source) when the check does not apply: declared in the stack, or a feature the app's
    architecture does not use; None when it runs."""
    reason = not_applicable(cls.id, declared)
    if reason:
        return reason, "launchready:notApplicable"
    unused = ctx.architecture.unused(cls.applies_to)
    return (unused, "") if unused else None


def _relative_paths(result: Result, root: str) -> None:
    """Reports name the project's files relative to its root (they travel to CI logs and handovers)."""
    inside, itself = re.compile(re.escape(root) + "/"), re.compile(re.escape(root) + r"(?![\w.-])")

    def strip(value):
        if isinstance(value, str):
            return itself.sub(".", inside.sub("", value))
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [strip(v) for v in value]
        return value
    result.message = strip(result.message)
    result.evidence = strip(result.evidence)
    result.findings = [type(f)(strip(f.path), f.line, strip(f.message)) for f in result.findings]


def _redact_result(result: Result) -> None:
    result.message = redact_text(result.message)
    result.remediation = redact_text(result.remediation)
    result.evidence = redact(result.evidence)
    result.findings = [type(f)(f.path, f.line, redact_text(f.message)) for f in result.findings]


def _unused_declarations(ctx: CheckContext, registry: CheckRegistry) -> list[str]:
    ids = [cls.id for cls in registry.all()]
    return [f"launchready:notApplicable: {prefix!r} matches no check (see `launchready checks`)"
            for prefix in ctx.config.not_applicable if not any(matches(i, prefix) for i in ids)]


def run_checks(ctx: CheckContext, *, registry: CheckRegistry = default_registry, max_workers: int = 16,
               on_done: Callable[[type[Check], list[Result]], None] | None = None) -> Report:
    """Select, run and collect checks into one Report (results in registry order)."""
    opts = ctx.options
    selected = registry.select(only=opts.only, skip=opts.skip, offline=opts.offline)
    started_at = datetime.now(UTC)
    t0 = time.perf_counter()
    declared = trust.declarations(ctx).accepted  # only declarations nothing contradicts (trust.py)
    _preload(selected)
    pool = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="check")
    try:
        why = {cls.id: _why_not(cls, ctx, declared) for cls in selected}
        runs = frozenset(cls.id for cls in selected if why[cls.id] is None)
        futures = [(cls, pool.submit(_run_or_declare, cls, ctx, why[cls.id], runs)) for cls in selected]
        results: list[Result] = []
        for cls, future in futures:
            done = future.result()
            for result in done:
                result.location = fallback_location(result, cls, ctx.stack_file, ctx.repo_root)
            if on_done:
                on_done(cls, done)
            results.extend(done)
    except BaseException:  # a signal (launchready's Terminated): don't wait for the remaining checks
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()
    policy, levers = trust.gate_policy(ctx)  # the floor applied: staging/prod always block critical and high
    notices = _unused_declarations(ctx, registry)
    notices += policy.apply(results, ran={cls.id for cls in selected}, known={cls.id for cls in registry.all()})
    report = Report(stack=ctx.stack, started_at=started_at, duration_s=time.perf_counter() - t0,
                    results=results, blocking_severities=list(policy.blocking_severities),
                    strict=ctx.strict, notices=notices, project_root=str(ctx.repo_root),
                    checks={cls.id: cls for cls in selected})
    report.levers = trust.report_levers(ctx, report, policy, levers)
    report.stack_file = str(ctx.stack_file)
    return report


def _preload(selected: list[type[Check]]) -> None:
    """Import the selected checks' lazy dependencies serially (Python's per-module import locks can
    raise `_DeadlockError` when threads first-import a package with internal cycles, e.g. checkdmarc).
    A module that fails to import is left to the check itself, which then reports one `error`."""
    for name in dict.fromkeys(m for cls in selected for m in cls.preload):
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - surfaced by the check that needs it
            pass


def _run_or_declare(cls: type[Check], ctx: CheckContext, why: tuple[str, str] | None,
                    runs: frozenset[str]) -> list[Result]:
    if why:
        return [not_applicable_result(cls, ctx, *why)]
    missing = unavailable_input(cls, ctx, runs)
    if missing is None:
        return run_one(cls, ctx)
    _redact_result(missing)
    _relative_paths(missing, str(ctx.project.root))
    return [missing]
