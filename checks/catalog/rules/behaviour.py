"""rules.behaviour.*: the access matrix for the canonical model, run against the rules file in
use on the built-in rules engine (no Java; `--rules-engine emulator` runs it on a private Firestore
emulator to cross-check). Each violated expectation is a critical finding.

All behaviour checks of one run share one matrix run: the first check to ask runs it, the others
wait for and read the same verdicts.
"""
from __future__ import annotations

import re
import tempfile
import threading
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from launchready.checks.catalog.rules._base import RulesSource, rules_source
from launchready.checks.framework import Finding, Severity, register
from launchready.checks.framework.base import Check
from launchready.checks.framework.context import CheckContext
from launchready.rules.analysis.model import Ruleset
from launchready.rules.testing import RulesCompileError, RulesHarnessError
from launchready.rules.testing.access_file import GROUP as APP_GROUP
from launchready.rules.testing.access_file import AccessFileError, AccessMatrix, load_access_matrix
from launchready.rules.testing.factory import make_environment
from launchready.rules.testing.matrix import ACCESS_MATRIX, SEED, Verdict, run_matrix
from launchready.runtime.firestore_emulator import unavailable_reason
from launchready.runtime.processes import ServiceError

EMULATOR_LINE = re.compile(r"\bL(\d+)(?::\d+)?")
# Per request to the emulator: loading rules on a busy CI machine (a JVM compiling them) can take
# well over the harness default; a gate that errors on a slow machine proves nothing either.
EMULATOR_TIMEOUT_S = 30.0
ALLOWED_AT = re.compile(r"^allowed by .+:(\d+)$")


@dataclass
class MatrixRun:
    source: RulesSource
    rules: Ruleset | None = None
    verdicts: list[Verdict] = field(default_factory=list)
    skip: str | None = None        # the emulator cannot run here
    failure: str | None = None     # the rules cannot be loaded (missing, do not compile)
    failure_line: int | None = None
    error: str | None = None       # the harness itself broke
    engine: str = "builtin"
    app: AccessMatrix | None = None  # the project's own rows (None: its access file is unusable)
    app_problem: str | None = None


class _RunCache:
    """One matrix run per check context (i.e. per `launchready check` run)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: weakref.WeakKeyDictionary[CheckContext, tuple[threading.Lock, list[MatrixRun]]] = \
            weakref.WeakKeyDictionary()

    def get(self, ctx: CheckContext) -> MatrixRun:
        with self._lock:
            lock, slot = self._entries.setdefault(ctx, (threading.Lock(), []))
        with lock:
            if not slot:
                slot.append(_execute(ctx))
            return slot[0]


_runs = _RunCache()


def _app_matrix(ctx: CheckContext, run: MatrixRun) -> AccessMatrix:
    try:
        run.app = load_access_matrix(ctx.project.matrix_file)
    except AccessFileError as exc:
        run.app_problem = str(exc)
        run.app = AccessMatrix(None)
    return run.app


def _execute(ctx: CheckContext) -> MatrixRun:
    source = rules_source(ctx)
    engine = ctx.options.rules_engine
    run = MatrixRun(source, rules=source.parse()[0], engine=engine)
    app = _app_matrix(ctx, run)
    reason = unavailable_reason() if engine == "emulator" else None
    if reason:
        run.skip = f"cannot run the access matrix on the emulator: {reason}"
    elif source.problem:
        run.failure = source.problem
    else:
        with tempfile.TemporaryDirectory(prefix="launchready-rules-") as log_dir:
            try:
                options = ({"log_dir": Path(log_dir), "timeout": EMULATOR_TIMEOUT_S} if engine == "emulator"
                           else {"filename": source.display})
                with make_environment(source.text, engine, **options) as env:
                    run.verdicts = run_matrix(env, [*ACCESS_MATRIX, *app.expectations()], {**SEED, **app.seed})
            except RulesCompileError as exc:
                run.failure = f"the {_engine_label(engine)} rejects {source.display}: {exc}"
                found = EMULATOR_LINE.search(str(exc))
                run.failure_line = int(found.group(1)) if found else None
            except (RulesHarnessError, ServiceError) as exc:
                run.error = f"the access matrix could not run: {exc}"
    return run


def _explained(verdict: Verdict) -> str:
    """The row, plus why (the built-in engine names the granting statement or the deciding expression)."""
    message = verdict.outcome.message
    return f"{verdict.describe()} ({message})" if message else verdict.describe()


def _engine_label(engine: str) -> str:
    return "Firestore emulator" if engine == "emulator" else "built-in rules engine"


def _line(verdict: Verdict, rules: Ruleset | None) -> int | None:
    """Where to look: the emulator names the denying statement; for a wrong allow, the granting one."""
    found = EMULATOR_LINE.search(verdict.outcome.message) or ALLOWED_AT.search(verdict.outcome.message)
    if found:
        return int(found.group(1))
    if rules is not None:
        operation = "update" if verdict.expectation.operation == "set" else verdict.expectation.operation
        grants = rules.allows_for(verdict.expectation.path, operation)
        if grants:
            return grants[0].line
        blocks = rules.matches_for(verdict.expectation.path, operation)
        if blocks:
            return blocks[-1].line   # nothing grants it: the innermost block where a grant belongs
    return None


class MatrixGroupCheck(Check):
    """The rows of one access-matrix group; subclasses name the group."""

    group: ClassVar[str]
    applies_to: ClassVar[tuple[str, ...]] = ("firestore",)
    needs = ("rules",)
    severity = Severity.CRITICAL

    def run(self, ctx):
        run = _runs.get(ctx)
        if run.skip:
            return self.skipped(run.skip)
        if run.error:
            return self.errored(run.error)
        evidence = {"rules_file": run.source.display}
        if run.failure:
            return self.failed(run.failure, evidence, findings=[Finding(run.source.display, run.failure_line,
                                                                        run.failure)],
                               remediation="Fix the rules file so it compiles.")
        verdicts = [v for v in run.verdicts if v.expectation.group == self.group]
        wrong = [v for v in verdicts if not v.ok]
        evidence.update(expectations=len(verdicts), violated=len(wrong))
        if not wrong:
            return self.passed(f"all {len(verdicts)} expectations hold on the {_engine_label(run.engine)}", evidence)
        findings = [Finding(run.source.display, _line(v, run.rules), _explained(v)) for v in wrong]
        return self.failed(f"{len(wrong)} of {len(verdicts)} expectations violated; first: {wrong[0].describe()}",
                           evidence, findings=findings)


@register
class CustomerReadBehaviour(MatrixGroupCheck):
    id = "rules.behaviour.customer_read"
    applies_to = ("firestore", "launchready_backend")   # the canonical customer model
    title = "Only the owner reads customers/{uid}; nobody lists customers"
    group = "customer_read"
    remediation = "Grant `allow get: if request.auth.uid == uid;` on customers/{uid}, and no `list`."


@register
class ProtectedFieldsBehaviour(MatrixGroupCheck):
    id = "rules.behaviour.protected_fields"
    applies_to = ("firestore", "launchready_backend")   # the canonical customer model
    title = "Clients cannot write billing, CRM or support fields, nor create or delete customers"
    group = "protected_fields"
    remediation = ("Allow owner updates only when `request.resource.data.diff(resource.data).affectedKeys()"
                   ".hasOnly([profile fields])`; leave create and delete to the backend.")


@register
class AppMatrixBehaviour(MatrixGroupCheck):
    """The project's own rows (its access file): the app's collections, fields and roles."""

    id = "rules.behaviour.app"
    stackless = True
    title = "The app's own access matrix (launchready.access.yaml) holds on its rules"
    group = APP_GROUP
    remediation = ("Change the rules (at the reported line) so each listed request gets the expected answer, "
                   "or correct the row in the access file if the expectation was wrong.")

    def run(self, ctx):
        run = _runs.get(ctx)
        if run.app_problem:
            return self.errored(run.app_problem)
        if run.app is not None and run.app.path is None and not (run.skip or run.error or run.failure):
            return self.warned(f"no access matrix at {ctx.project.display(ctx.project.matrix_file)}: the app's own "
                               "collections are not tested", remediation="Run `launchready init` (it seeds one from "
                               "the rules) or write the file (format: docs/access-matrix.md).")
        return super().run(ctx)


@register
class BackendOnlyBehaviour(MatrixGroupCheck):
    id = "rules.behaviour.backend_only"
    applies_to = ("firestore", "launchready_backend")   # the canonical customer model
    title = "private/*, stripe_events, sync_tasks and support_requests are closed to clients"
    group = "backend_only"
    remediation = ("Remove every client grant on these collections (including recursive wildcards above them); "
                   "the backend's admin SDK does not need rules.")


@register
class DefaultDenyBehaviour(MatrixGroupCheck):
    id = "rules.behaviour.default_deny"
    title = "Collections without rules are denied"
    group = "default_deny"
    remediation = "Remove catch-all `match /{document=**}` grants: anything not named must stay denied."

