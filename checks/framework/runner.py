"""Run the selected checks: concurrently (live checks wait on the network), each one isolated so a
crash becomes one `error` result, then mark what blocks the release under the stack's policy."""
from __future__ import annotations

import re
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from typing import Callable, Iterable

from launchready.checks.framework.base import Check, Result, Severity, Status
from launchready.checks.framework.context import CheckContext
from launchready.checks.framework.registry import CheckRegistry, registry as default_registry
from launchready.checks.framework.report import Report
from launchready.checks.redact import redact, redact_text

BLOCKING_STATUSES = (Status.FAIL, Status.ERROR)


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
        _redact_result(result)
        _relative_paths(result, str(ctx.project.root))
    return results


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


def mark_blocking(results: Iterable[Result], blocking_severities: Iterable[str]) -> None:
    blocking = {Severity(s) for s in blocking_severities}
    for result in results:
        result.blocking = result.status in BLOCKING_STATUSES and result.severity in blocking


def run_checks(ctx: CheckContext, *, registry: CheckRegistry = default_registry, max_workers: int = 16,
               on_done: Callable[[type[Check], list[Result]], None] | None = None) -> Report:
    """Select, run and collect checks into one Report (results in registry order)."""
    opts = ctx.options
    selected = registry.select(only=opts.only, skip=opts.skip, offline=opts.offline)
    started_at = datetime.now(timezone.utc)
    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="check") as pool:
        futures = [(cls, pool.submit(run_one, cls, ctx)) for cls in selected]
        results: list[Result] = []
        for cls, future in futures:
            done = future.result()
            if on_done:
                on_done(cls, done)
            results.extend(done)
    mark_blocking(results, ctx.config.blocking_severities or [])
    return Report(stack=ctx.stack, started_at=started_at, duration_s=time.perf_counter() - t0,
                  results=results, blocking_severities=list(ctx.config.blocking_severities or []))
