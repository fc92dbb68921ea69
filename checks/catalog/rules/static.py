"""rules.static.*: line-accurate audits of the rules source, parsed with a real grammar (no emulator).

Each check is one audit from `checks.rules_analysis.audits`; conditions are judged after inlining
the functions the rules define, so `isOwner(uid)` counts as the comparison it contains.
"""
from __future__ import annotations

import inspect
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import ClassVar

from launchready.checks.catalog.rules._base import declared_intent, rules_source
from launchready.checks.framework import Finding, Severity, register
from launchready.checks.framework.base import Check
from launchready.files import FileProblem, read_bytes_capped
from launchready.flutter.backend_owned import backend_writes
from launchready.rules.analysis import audits
from launchready.rules.analysis.audits import Issue
from launchready.rules.analysis.model import Ruleset
from launchready.secrets.scanner import MAX_FILE_BYTES
from launchready.secrets.walk import iter_files


@register
class RulesSyntax(Check):
    id = "rules.static.syntax"
    applies_to = ("firestore",)
    stackless = True
    title = "Firestore rules file exists and parses"
    severity = Severity.CRITICAL
    remediation = "Fix the rules file at the reported line (`firebase emulators:start` shows the same error)."

    def run(self, ctx):
        source = rules_source(ctx)
        if source.problem:
            return self.failed(source.problem, {"rules_file": source.display},
                               remediation="Point `launchready:firestore.rulesFile` in the stack (or --rules) at the rules file.")
        rules, error = source.parse()
        if error:
            return self.failed(f"{source.display} does not parse: {error}", {"rules_file": source.display},
                               findings=[Finding(source.display, error.line, str(error))])
        return self.passed(f"{source.display} parses: {sum(1 for _ in rules.matches())} match blocks, "
                           f"{sum(1 for _ in rules.allows())} allow statements", {"rules_file": source.display})


class RulesAudit(Check):
    """One audit over the parsed rules; subclasses name the audit and say what passing means."""

    applies_to = ("firestore",)
    needs = ("rules",)
    stackless = True

    audit: ClassVar[Callable[[Ruleset], list[Issue]]]
    ok_message: ClassVar[str]

    def issues(self, rules: Ruleset) -> list[Issue]:
        parameters = inspect.signature(type(self).audit).parameters
        extra = {"notes": self.notes} if "notes" in parameters else {}
        if "intent" in parameters:
            extra["intent"] = self.intent
        return type(self).audit(rules, **extra)

    def run(self, ctx):
        source = rules_source(ctx)
        rules, error = source.parse()
        if rules is None:
            return self.skipped(f"{source.problem or f'{source.display} does not parse'} (see rules.static.syntax)")
        self.notes: list[Issue] = []
        self.rules_path = source.path
        self.intent = declared_intent(ctx)
        self.ctx = ctx
        issues = self.issues(rules)
        not_raised = {"not_raised": [f"line {n.line}: {n.message}" for n in self.notes]} if self.notes else {}
        evidence = {"rules_file": source.display, "lines": [i.line for i in issues], **not_raised}
        if not issues:
            return self.passed(f"{source.display}: {self.ok_message}", {"rules_file": source.display, **not_raised})
        findings = [Finding(source.display, i.line, i.message) for i in issues]
        return self.failed(f"{source.display}: {len(issues)} finding(s): {issues[0].message}"
                           f"{' (line %d)' % issues[0].line}", evidence, findings=findings,
                           severity=self.severity_for(issues))

    def severity_for(self, issues: list[Issue]) -> Severity:
        return self.severity


@register
class RulesVersion(RulesAudit):
    id = "rules.static.version"
    title = "Rules declare rules_version = '2'"
    severity = Severity.HIGH
    audit = audits.version
    ok_message = "declares rules_version = '2'"
    remediation = "Add `rules_version = '2';` as the first line and re-test recursive wildcards."


@register
class RulesAlwaysTrue(RulesAudit):
    id = "rules.static.always_true"
    title = "No rule is granted unconditionally (`if true` or no condition)"
    severity = Severity.CRITICAL
    audit = audits.always_true
    ok_message = "no allow statement is unconditional"
    remediation = ("Replace `if true` with a condition on request.auth and the document (owner, claims, fields) — "
                   "or, if the collection is public by design, declare it intended in launchready.access.yaml "
                   "(a `who: anonymous … expect: allow` row; docs/accuracy.md).")


@register
class RulesTestMode(RulesAudit):
    id = "rules.static.test_mode"
    title = "No test-mode rules (`request.time < timestamp.date(...)`)"
    severity = Severity.CRITICAL
    ok_message = "no test-mode time gate"
    remediation = ("Delete the test-mode rule and write real rules for each collection: until its date anyone "
                   "can read and write everything; after it, the app is locked out.")

    def issues(self, rules: Ruleset) -> list[Issue]:
        return audits.test_mode(rules, datetime.now(UTC).date())

    def severity_for(self, issues: list[Issue]) -> Severity:
        return Severity.HIGH if all(i.expired for i in issues) else Severity.CRITICAL


@register
class RulesRecursiveWildcardWrite(RulesAudit):
    id = "rules.static.recursive_wildcard_write"
    title = "No write granted on a recursive wildcard ({path=**})"
    severity = Severity.CRITICAL
    audit = audits.recursive_wildcard_write
    ok_message = "no write is granted on a recursive wildcard"
    remediation = ("Grant writes on named collections (`match /customers/{uid}`) instead of `{document=**}`, so "
                   "subcollections such as private/* stay denied by default.")


@register
class RulesAuthOnly(RulesAudit):
    id = "rules.static.auth_only"
    title = "No wildcard is guarded by `request.auth != null` alone"
    severity = Severity.CRITICAL
    audit = audits.auth_only
    ok_message = "every wildcard grant checks more than sign-in"
    remediation = ("Compare the owner segment with request.auth.uid (e.g. `request.auth.uid == uid`) or check a "
                   "claim — or, if every signed-in user may do this by design, declare it intended in "
                   "launchready.access.yaml (a `who: other … expect: allow` row; docs/accuracy.md).")


@register
class RulesOwnerSegment(RulesAudit):
    id = "rules.static.owner_segment"
    title = "Owner segments ({uid}, {userId}) are compared with request.auth.uid"
    severity = Severity.HIGH
    audit = audits.owner_segment
    ok_message = "every grant under an owner segment compares it with request.auth.uid"
    remediation = "Add `request.auth.uid == <segment>` to the condition (or check an admin custom claim)."


@register
class RulesHardcodedUid(RulesAudit):
    id = "rules.static.hardcoded_uid"
    title = "No hard-coded uids or emails in rules"
    severity = Severity.HIGH
    audit = audits.hardcoded_uid
    ok_message = "no hard-coded identity"
    remediation = "Grant staff access with a custom claim (`request.auth.token.admin == true`) set by the backend."


@register
class RulesDeleteAnyUser(RulesAudit):
    id = "rules.static.delete_any_user"
    title = "Delete is never granted without an identity check"
    severity = Severity.CRITICAL
    audit = audits.delete_any_user
    ok_message = "every delete grant checks who the caller is"
    remediation = "Drop client deletes (let the backend delete) or require `request.auth.uid == <owner>`."


@register
class RulesReadInsteadOfGet(RulesAudit):
    id = "rules.static.read_vs_get"
    title = "Per-document conditions grant `get`, not `read` (which adds list)"
    severity = Severity.MEDIUM
    audit = audits.read_instead_of_get
    ok_message = "no per-document condition grants list"
    remediation = "Use `allow get` for single-document access; grant `list` separately with a query-safe condition."


@register
class RulesWriteValidation(RulesAudit):
    id = "rules.static.write_validation"
    title = "Client writes validate the written fields"
    severity = Severity.HIGH
    audit = audits.write_validation
    ok_message = "every create/update grant validates request.resource.data"
    remediation = ("Restrict writable fields with `request.resource.data.diff(resource.data).affectedKeys()"
                   ".hasOnly([...])` and check each field's type and size — or, for a write-only sink (leads, "
                   "error logs), declare the create intended in launchready.access.yaml (docs/accuracy.md).")


@register
class RulesBillingSelfGrant(RulesAudit):
    id = "rules.static.billing_self_grant"
    title = "No client can set the billing/entitlement fields the rules rely on"
    severity = Severity.CRITICAL
    ok_message = "every client create/update leaves billing/entitlement fields alone"
    remediation = ("Only the backend (Admin SDK, from verified payment events) may set these fields. Pin them in "
                   "the rule: `request.resource.data.diff(resource.data).affectedKeys().hasOnly([<profile fields>])`"
                   " or move the state to a document clients cannot write.")

    def issues(self, rules: Ruleset) -> list[Issue]:
        """Fields the payment backend beside the rules file (`functions/`) writes count as billing state."""
        functions = Path(self.rules_path).parent / "functions"
        texts = {f"functions/{rel}": _read(path, functions) for path, rel in iter_files(functions)} \
            if functions.is_dir() else {}
        return audits.billing_self_grant(rules, backend_writes(texts))


def _read(path: Path, root: Path) -> str:
    """A backend source by the bounded reader (a FIFO or a link out of functions/ reads as empty)."""
    try:
        return read_bytes_capped(path, MAX_FILE_BYTES, root).decode("utf-8", errors="replace")
    except FileProblem:
        return ""


@register
class RulesFieldSpelling(RulesAudit):
    """Firestore field names are case- and separator-sensitive: a rule that forbids `verificationStatus`
    while the app stores `verification_status` guards nothing (the user can lift their own suspension).
    Compares the fields the rules check with the spellings the app's Dart and backend sources quote."""

    id = "rules.static.field_spelling"
    title = "Fields the rules check are spelled as the app stores them"
    severity = Severity.HIGH
    ok_message = "every field the rules check is spelled as the app stores it (or the app does not name it)"
    remediation = ("Spell the field in the rules exactly as the app and backend store it (Firestore field names "
                   "are case- and separator-sensitive: `verificationStatus` is not `verification_status`).")

    def issues(self, rules: Ruleset) -> list[Issue]:
        if self.ctx.app_dir is None or not Path(self.ctx.app_dir).is_dir():
            return []
        from launchready.flutter.app_scan import app_scan
        from launchready.flutter.field_names import stored_spellings
        return audits.field_spelling(rules, stored_spellings(app_scan(self.ctx), audits.guarded_fields(rules)))
