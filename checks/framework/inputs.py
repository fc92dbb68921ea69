"""One root cause, one finding: the inputs several checks read, and the check that reports each.

When an input cannot be had (the rules file is missing, the offline plan fails), its own check
reports the cause once with the fix; every other check that `needs` it is skipped "because ..." and
does not block on its own (the root cause does). A run that does not include the reporting check
lets the dependants run and say it themselves, so nothing is ever silently dropped.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from launchready.checks.framework.base import Check, Result

if TYPE_CHECKING:
    from launchready.checks.framework.context import CheckContext


@dataclass(frozen=True)
class Input:
    reported_by: str                                  # the check id that reports the root cause
    problem: Callable[[CheckContext], str | None]   # None when the input is usable
    after: tuple[str, ...] = ()                       # inputs it is made from: their failure is the root cause


def _rules_problem(ctx: CheckContext) -> str | None:
    from launchready.checks.catalog.rules._base import rules_source
    source = rules_source(ctx)
    if source.problem:
        return source.problem
    return f"{source.display} does not parse" if source.parse()[1] else None


def _plan_problem(ctx: CheckContext) -> str | None:
    try:
        ctx.plan  # noqa: B018 - building it is the test
    except Exception as exc:  # noqa: BLE001 - any failure of the program is the plan's root cause
        return f"the offline plan could not be built ({str(exc).splitlines()[0] if str(exc) else type(exc).__name__})"
    return None


def _app_problem(ctx: CheckContext) -> str | None:
    if ctx.app_dir is None:
        return "no Flutter app dir was found (--app-dir, or launchready:appDir in Pulumi.yaml)"
    return None if ctx.app_dir.is_dir() else f"the app dir {ctx.project.display(ctx.app_dir)} is not a folder"


INPUTS: dict[str, Input] = {
    "app": Input("secrets.app.scan", _app_problem),
    "rules": Input("rules.static.syntax", _rules_problem),
    "plan": Input("infra.plan.build", _plan_problem, after=("rules",)),
}


def input_problem(name: str, ctx: CheckContext) -> str | None:
    """The input's problem, computed once per run and shared by every check that needs it."""
    return ctx.shared(f"input:{name}", lambda: INPUTS[name].problem(ctx))


def unavailable_input(cls: type[Check], ctx: CheckContext, runs: frozenset[str]) -> Result | None:
    """A skip "because <root cause>" when an input the check needs is unusable and reported by a check
    that runs (`runs`: ids selected and applicable); None when the check should run."""
    for name in cls.needs:
        if INPUTS[name].reported_by == cls.id:
            continue
        cause = root_cause(name, ctx, runs)
        if cause:
            problem, reporter = cause
            result = cls().skipped(f"skipped because {problem} (root cause: {reporter})")
            result.cause = reporter
            return result
    return None


def root_cause(name: str, ctx: CheckContext, runs: frozenset[str]) -> tuple[str, str] | None:
    """(problem, reporting check) when input `name` is unusable and its reporter runs, traced back to
    the earliest failed input it is made from; None when it is usable."""
    source = INPUTS[name]
    if source.reported_by not in runs:
        return None
    problem = input_problem(name, ctx)
    if not problem:
        return None
    earlier = next(filter(None, (root_cause(e, ctx, runs) for e in source.after)), None)
    return earlier or (problem, source.reported_by)
