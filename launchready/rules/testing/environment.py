"""A rules test environment: one Firestore emulator, a rules file loaded at runtime, data seeded
with rules bypassed, and per-identity contexts (the Python counterpart of the JavaScript
`@firebase/rules-unit-testing`)."""
from __future__ import annotations

import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx

from launchready.rules.testing.client import RulesTestContext, split_path
from launchready.rules.testing.outcome import RulesHarnessError
from launchready.rules.testing.tokens import unsigned_id_token
from launchready.rules.testing.values import encode_fields
from launchready.runtime.firestore_emulator import FirestoreEmulator

# The emulator treats this bearer token as the admin SDK: rules are not evaluated.
ADMIN_TOKEN = "owner"


def rules_text(rules: str | Path) -> str:
    """The source of `rules`: a Path is read; a str is the source itself (never a file name)."""
    if isinstance(rules, str) and "\n" not in rules and rules.strip().endswith(".rules"):
        raise TypeError(f"{rules!r} looks like a file name: pass Path({rules!r}) to load a file")
    return rules.read_text(encoding="utf-8") if isinstance(rules, Path) else rules


class RulesCompileError(RulesHarnessError):
    """The emulator rejected the rules source; the message carries its line:column diagnostics."""


class RulesTestEnvironment:
    """Use as a context manager, or `start()` / `stop()`.

    Pass `emulator=` to share an already running emulator (it is then left running on stop);
    otherwise a private one is started with its log under `log_dir` (a temp dir by default).
    """

    def __init__(self, rules: str | Path | None = None, *, emulator: FirestoreEmulator | None = None,
                 log_dir: Path | None = None, timeout: float = 10.0, max_connections: int = 16):
        self._rules = rules
        self._own = emulator is None
        self._log_dir = log_dir
        self.emulator = emulator
        self._timeout = timeout
        self._limits = httpx.Limits(max_connections=max_connections)
        self._http: httpx.Client | None = None

    @property
    def project_id(self) -> str:
        return self._require_emulator().project_id

    def start(self) -> RulesTestEnvironment:
        if self.emulator is None:
            log_dir = self._log_dir or Path(tempfile.mkdtemp(prefix="rules-emulator-"))
            self.emulator = FirestoreEmulator(log_dir=log_dir).start()
        self._http = httpx.Client(base_url=self.emulator.base_url, timeout=self._timeout, limits=self._limits)
        if self._rules is not None:
            try:
                self.load_rules(self._rules)
            except BaseException:
                self.stop()  # `with` never reaches __exit__ when __enter__ fails: don't leak the emulator
                raise
        return self

    def stop(self) -> None:
        if self._http is not None:
            self._http.close()
            self._http = None
        if self._own and self.emulator is not None:
            self.emulator.stop()
            self.emulator = None

    def __enter__(self) -> RulesTestEnvironment:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def load_rules(self, rules: str | Path) -> None:
        """Replace the emulator's rules with `rules` (a Path to read, or the source text)."""
        source = rules_text(rules)
        url = f"/emulator/v1/projects/{self.project_id}:securityRules"
        body = {"rules": {"files": [{"name": "firestore.rules", "content": source}]}}
        try:
            response = self._client().put(url, json=body)
        except httpx.HTTPError as exc:
            raise RulesHarnessError(f"could not load rules into the emulator: {exc}") from exc
        if response.status_code == 400:
            raise RulesCompileError(response.json().get("error", {}).get("message", response.text))
        response.raise_for_status()

    def clear(self) -> None:
        """Delete every document; the rules stay loaded."""
        response = self._client().delete(f"/emulator/v1/projects/{self.project_id}/databases/(default)/documents")
        response.raise_for_status()

    def seed(self, documents: Mapping[str, Mapping[str, Any]]) -> None:
        """Write `{path: data}` with rules bypassed, in one atomic commit."""
        admin = self.admin()
        writes = []
        for path, data in documents.items():
            split_path(path, document=True)
            writes.append({"update": {"name": admin.document_name(path), "fields": encode_fields(data)}})
        if writes:
            outcome = admin.commit(writes)
            if not outcome.allowed:
                raise RulesHarnessError(f"seeding failed: {outcome.verdict}")

    def admin(self) -> RulesTestContext:
        """A context that bypasses rules, like the backend's admin SDK."""
        return RulesTestContext(self._client(), self.project_id, "admin (rules bypassed)", ADMIN_TOKEN)

    def unauthenticated(self) -> RulesTestContext:
        return RulesTestContext(self._client(), self.project_id, "unauthenticated", None)

    def authenticated(self, uid: str, claims: Mapping[str, Any] | None = None) -> RulesTestContext:
        token = unsigned_id_token(self.project_id, uid, claims)
        label = f"uid={uid}" + (f" claims={dict(claims)}" if claims else "")
        return RulesTestContext(self._client(), self.project_id, label, token)

    def _client(self) -> httpx.Client:
        if self._http is None:
            raise RulesHarnessError("the rules test environment is not started")
        return self._http

    def _require_emulator(self) -> FirestoreEmulator:
        if self.emulator is None:
            raise RulesHarnessError("the rules test environment is not started")
        return self.emulator
