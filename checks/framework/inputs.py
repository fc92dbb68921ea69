"""One root cause, one finding: the inputs several checks read, and the check that reports each.

When an input cannot be had (the rules file is missing, the offline plan fails), its own check
reports the cause once with the fix; every other check that `needs` it is skipped "because ..." and
does not block on its own (the root cause does). A run that does not include the reporting check
lets the dependants run and say it themselves, so nothing is ever silently dropped.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

from launchready.checks.framework.base import Check, Result

if TYPE_CHECKING:
    from launchready.checks.framework.context import CheckContext


@dataclass(frozen=True)
class Input:
    reported_by: str                                  # the check id that reports the root cause
    problem: Callable[["CheckContext"], str | None]   # None when the input is usable


def _rules_problem(ctx: "CheckContext") -> str | None:
    from launchready.checks.catalog.rules._base import rules_source
    source = rules_source(ctx)
    if source.problem:
        return source.problem
    return f"{source.display} does not parse" if source.parse()[1] else None


def _plan_problem(ctx: "CheckContext") -> str | None:
    try:
        ctx.plan
    except Exception as exc:  # noqa: BLE001 - any failure of the program is the plan's root cause
        return f"the offline plan could not be built ({str(exc).splitlines()[0] if str(exc) else type(exc).__name__})"
    return None


INPUTS: dict[str, Input] = {
    "rules": Input("rules.static.syntax", _rules_problem),
    "plan": Input("infra.plan.build", _plan_problem),
}


def input_problem(name: str, ctx: "CheckContext") -> str | None:
    """The input's problem, computed once per run and shared by every check that needs it."""
    return ctx.shared(f"input:{name}", lambda: INPUTS[name].problem(ctx))


def unavailable_input(cls: type[Check], ctx: "CheckContext", selected: frozenset[str]) -> Result | None:
    """A skip "because <root cause>" when an input the check needs is unusable and reported by a check
    of this run; None when the check should run."""
    for name in cls.needs:
        source = INPUTS[name]
        if source.reported_by == cls.id or source.reported_by not in selected:
            continue
        problem = input_problem(name, ctx)
        if problem:
            result = cls().skipped(f"skipped because {problem} (root cause: {source.reported_by})")
            result.cause = source.reported_by
            return result
    return None
