"""rules.database.*: the Realtime Database rules (`database.rules.json`, or the file firebase.json's
`database.rules` names), audited statically like the Firestore rules.

A Realtime Database is reachable from the internet by anyone who has the app's config (it ships in every
build): its rules are the only thing between a stranger and the data. `".read": true` publishes a
subtree; `".write": true` lets anyone overwrite or delete it; `"auth != null"` alone lets every
signed-in user (and sign-up is usually open) read or write every user's data.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass

from launchready.checks.framework import Finding, Severity, register
from launchready.checks.framework.base import Check
from launchready.config.project_files import FileProblem, read_capped
from launchready.flutter.firebase_files import find_rules

# Strings first, so `//` inside a string is not taken for a comment (the Firebase CLI accepts comments).
_TOKENS = re.compile(r'"(?:\\.|[^"\\])*"|//[^\n]*|/\*.*?\*/', re.S)
_GRANT = re.compile(r'"(\.read|\.write)"\s*:\s*(true\b|false\b|"(?:\\.|[^"\\])*")')
_AUTH_ONLY = re.compile(r"^\(?\s*auth\s*!==?\s*null\s*\)?$|^\(?\s*auth\.uid\s*!==?\s*null\s*\)?$")


@dataclass(frozen=True)
class DatabaseRules:
    display: str
    text: str | None = None       # comments blanked (offsets and lines kept)
    problem: str | None = None

    def grants(self) -> list[tuple[str, str, int]]:
        """(".read"/".write", the condition as written, line) of every grant in the file."""
        text = self.text or ""
        return [(m.group(1), m.group(2).strip('"'), text.count("\n", 0, m.start()) + 1) for m in _GRANT.finditer(text)]


def _blank_comments(text: str) -> str:
    return _TOKENS.sub(lambda m: m.group(0) if m.group(0).startswith('"') else re.sub(r"[^\n]", " ", m.group(0)), text)


def database_rules(ctx) -> DatabaseRules | None:
    """The run's Realtime Database rules (None: the repository has none)."""
    def load() -> DatabaseRules | None:
        path = find_rules(ctx.repo_root, [c.app_dir for c in ctx.app_contexts], ctx.project.display).database
        if path is None:
            return None
        display = ctx.project.display(path)
        try:
            text = _blank_comments(read_capped(path))
        except FileProblem as exc:
            return DatabaseRules(display, problem=f"{display} {exc}")
        try:
            json.loads(text)
        except json.JSONDecodeError as exc:
            return DatabaseRules(display, text, f"{display} is not valid JSON at line {exc.lineno}: {exc.msg}")
        return DatabaseRules(display, text)
    return ctx.shared("rules.database", load)


NOT_USED = "no Realtime Database rules in the repository (no database.rules.json, firebase.json names none)"


class DatabaseRulesCheck(Check):
    stackless = True


@register
class DatabaseRulesSyntax(DatabaseRulesCheck):
    id = "rules.database.syntax"
    title = "Realtime Database rules file is readable JSON"
    severity = Severity.CRITICAL
    remediation = "Fix the file at the reported line (`firebase deploy --only database` rejects it the same way)."

    def run(self, ctx):
        rules = database_rules(ctx)
        if rules is None:   # a Firestore-only app: nothing to parse (not a skip: the gate did look)
            return self.passed(NOT_USED)
        if rules.problem:
            return self.failed(rules.problem, {"rules_file": rules.display},
                               findings=[Finding(rules.display, None, rules.problem)])
        return self.passed(f"{rules.display} parses: {len(rules.grants())} .read/.write rule(s)",
                           {"rules_file": rules.display})


class DatabaseGrantAudit(DatabaseRulesCheck):
    """Findings are the grants `offending` picks."""

    def offending(self, condition: str) -> bool:
        raise NotImplementedError

    def run(self, ctx):
        rules = database_rules(ctx)
        if rules is None:
            return self.passed(f"{NOT_USED}: no grant to audit")
        if rules.problem:
            return self.skipped(f"{rules.problem} (see rules.database.syntax)")
        bad = [(kind, cond, line) for kind, cond, line in rules.grants() if self.offending(cond)]
        if not bad:
            return self.passed(f"{rules.display}: {self.ok_message}", {"rules_file": rules.display})
        findings = [Finding(rules.display, line, f'"{kind}": {cond}') for kind, cond, line in bad]
        return self.failed(f"{rules.display}: {len(bad)} grant(s) {self.what}", {"rules_file": rules.display},
                           findings=findings)


@register
class DatabasePublic(DatabaseGrantAudit):
    id = "rules.database.public"
    title = "No Realtime Database path is readable or writable by anyone (`true`)"
    severity = Severity.CRITICAL
    what = "open to anyone on the internet"
    ok_message = "no .read/.write is granted unconditionally"
    remediation = ("Replace `true` with a condition on the caller, e.g. `\"$uid\": {\".read\": \"auth.uid === $uid\"}`; "
                   "keep public data in its own path with `.read` only, never `.write`.")

    def offending(self, condition: str) -> bool:
        return condition.strip().lower() == "true"


@register
class DatabaseAuthOnly(DatabaseGrantAudit):
    id = "rules.database.auth_only"
    title = "No Realtime Database path is guarded by `auth != null` alone"
    severity = Severity.HIGH
    what = "open to every signed-in user"
    ok_message = "every signed-in grant checks more than sign-in"
    remediation = ("Compare the path's owner variable with the caller (`auth.uid === $uid`) or check a custom "
                   "claim (`auth.token.admin === true`).")

    def offending(self, condition: str) -> bool:
        return bool(_AUTH_ONLY.match(condition.strip()))
