"""The access matrix for the canonical data model (docs/functions.md, "What it writes"): who may do what to which document.
These are the built-in rows; an app's own collections come from its access file (access_file.py).

Each row is (actor, operation, path, data) -> allow|deny. `run_matrix` seeds the emulator with
rules bypassed, then runs the rows concurrently in three phases (reads, then writes, then deletes)
so a row's outcome never depends on another row's side effects. Rows are grouped; each group is
one `rules.behaviour.*` check.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal

from launchready.rules.testing.client import RulesTestContext
from launchready.rules.testing.environment import RulesTestEnvironment

if TYPE_CHECKING:
    from launchready.rules.testing.factory import AnyEnvironment
from launchready.rules.testing.outcome import Outcome

Operation = Literal["get", "list", "create", "update", "set", "delete"]
PHASES: tuple[tuple[str, ...], ...] = (("get", "list"), ("create", "update", "set"), ("delete",))


@dataclass(frozen=True)
class Actor:
    key: str
    uid: str | None = None
    claims: Mapping[str, Any] | None = None

    def context(self, env: RulesTestEnvironment) -> RulesTestContext:
        return env.authenticated(self.uid, self.claims) if self.uid else env.unauthenticated()

    def __str__(self) -> str:
        who = f"uid={self.uid}" if self.uid else "no auth"
        return f"{self.key} ({who}{', claims ' + str(dict(self.claims)) if self.claims else ''})"


@dataclass(frozen=True)
class Expectation:
    group: str
    actor: Actor
    operation: Operation
    path: str
    expect: Literal["allow", "deny"]
    data: Mapping[str, Any] | None = field(default=None, hash=False)
    where: tuple[tuple[str, str, Any], ...] = ()
    collection_group: bool = False

    def describe(self) -> str:
        detail = f" {{{', '.join(f'{k}: {_short(v)}' for k, v in self.data.items())}}}" if self.data else ""
        if self.where:
            detail += " where " + " and ".join(f"{f} {op} {v!r}" for f, op, v in self.where)
        scope = " (collection group)" if self.collection_group else ""
        return f"{self.actor} {self.operation} {self.path}{scope}{detail}"

    def perform(self, env: RulesTestEnvironment) -> Outcome:
        ctx = self.actor.context(env)
        if self.operation == "list":
            return ctx.list(self.path, where=self.where, collection_group=self.collection_group)
        if self.operation in ("get", "delete"):
            return getattr(ctx, self.operation)(self.path)
        return getattr(ctx, self.operation)(self.path, self.data or {})


def _short(value: Any) -> str:
    text = repr(value.isoformat() if isinstance(value, datetime) else value)
    return text if len(text) <= 40 else f"{text[:24]}…({len(text) - 2} chars)"


@dataclass(frozen=True)
class Verdict:
    expectation: Expectation
    outcome: Outcome

    @property
    def ok(self) -> bool:
        return self.outcome.allowed if self.expectation.expect == "allow" else self.outcome.denied

    def describe(self) -> str:
        return f"{self.expectation.describe()}: expected {self.expectation.expect}, was {self.outcome.verdict}"


OWNER = Actor("owner", "alice")
OTHER = Actor("other user", "bob")
CLAIMED = Actor("user with an admin claim", "mallory", {"admin": True})
ANON = Actor("unauthenticated")
NEWCOMER = Actor("user without a record", "carol")

PROTECTED_FIELDS: dict[str, Any] = {
    "plan_status": "active",
    "plan_id": "price_enterprise",
    "billing_provider_id": "cus_forged",
    "stripe_subscription_id": "sub_forged",
    "crm_contact_id": "forged-contact",
    "support_tier": "priority",
    "last_event_at": datetime(2099, 1, 1, tzinfo=UTC),
    "last_synced_at": datetime(2099, 1, 1, tzinfo=UTC),
}
PROFILE_FIELDS = {"display_name": "Alice A.", "photo_url": "https://cdn.example.com/alice.png",
                  "marketing_opt_in": True}  # the example's (Acme Notes) rows: its launchready.access.yaml


def _customer(uid: str) -> dict[str, Any]:
    stamp = datetime(2026, 1, 1, tzinfo=UTC)
    return {"email": f"{uid}@example.com", "plan_status": "trialing", "plan_id": "price_basic",
            "billing_provider_id": f"cus_{uid}", "stripe_subscription_id": f"sub_{uid}",
            "crm_contact_id": f"crm-{uid}", "support_tier": "standard", "last_event_at": stamp,
            "last_synced_at": stamp, "display_name": uid.title(), "marketing_opt_in": False}


SEED: dict[str, dict[str, Any]] = {
    "customers/alice": _customer("alice"),
    "customers/bob": _customer("bob"),
    "customers/alice/private/internal": {"notes": "VIP, refund approved", "fraud_flag": False},
    "stripe_events/evt_seed": {"type": "invoice.paid", "created": 1767225600, "status": "applied"},
    "sync_tasks/task_seed": {"status": "pending", "attempts": 0, "target": "crm", "last_error": ""},
    "support_requests/req_seed": {"uid": "alice", "subject": "Help", "status": "open"},
    "admin_settings/global": {"maintenance": False},
}


def _customer_read() -> list[Expectation]:
    g = "customer_read"
    return [
        Expectation(g, OWNER, "get", "customers/alice", "allow"),
        Expectation(g, OTHER, "get", "customers/alice", "deny"),
        Expectation(g, CLAIMED, "get", "customers/alice", "deny"),
        Expectation(g, ANON, "get", "customers/alice", "deny"),
        Expectation(g, OWNER, "list", "customers", "deny"),
        Expectation(g, OWNER, "list", "customers", "deny", where=(("email", "==", "alice@example.com"),)),
        Expectation(g, OTHER, "list", "customers", "deny"),
        Expectation(g, ANON, "list", "customers", "deny"),
    ]


def _protected_fields() -> list[Expectation]:
    g = "protected_fields"
    rows = [Expectation(g, OWNER, "update", "customers/alice", "deny", {name: value})
            for name, value in PROTECTED_FIELDS.items()]
    return rows + [
        Expectation(g, OWNER, "update", "customers/alice", "deny", {"email": "attacker@example.com"}),
        Expectation(g, OWNER, "update", "customers/alice", "deny", {"role": "admin"}),
        Expectation(g, OWNER, "update", "customers/alice", "deny", {"display_name": "A", "plan_status": "active"}),
        Expectation(g, OWNER, "set", "customers/alice", "deny", {**_customer("alice"), "plan_status": "past_due"}),
        Expectation(g, CLAIMED, "update", "customers/alice", "deny", {"support_tier": "priority"}),
        Expectation(g, NEWCOMER, "create", "customers/carol", "deny", {"email": "carol@example.com",
                                                                      "plan_status": "active"}),
        Expectation(g, OWNER, "delete", "customers/alice", "deny"),
        Expectation(g, OTHER, "update", "customers/alice", "deny", {"display_name": "hacked"}),
        Expectation(g, ANON, "update", "customers/alice", "deny", {"display_name": "hacked"}),
        Expectation(g, OTHER, "delete", "customers/alice", "deny"),
    ]


def _profile_fields() -> list[Expectation]:
    """Acme Notes' own profile rows, kept here only to generate the example's access file."""
    g = "profile_fields"
    rows = [Expectation(g, OWNER, "update", "customers/alice", "allow", {name: value})
            for name, value in PROFILE_FIELDS.items()]
    return rows + [
        Expectation(g, OWNER, "update", "customers/alice", "allow", dict(PROFILE_FIELDS)),
        Expectation(g, OWNER, "update", "customers/alice", "deny", {"display_name": "x" * 101}),
        Expectation(g, OWNER, "update", "customers/alice", "deny", {"display_name": 42}),
        Expectation(g, OWNER, "update", "customers/alice", "deny", {"photo_url": "http://insecure.example.com/a.png"}),
        Expectation(g, OWNER, "update", "customers/alice", "deny", {"photo_url": "https://e.com/" + "a" * 2048}),
        Expectation(g, OWNER, "update", "customers/alice", "deny", {"marketing_opt_in": "yes"}),
    ]


def _backend_only() -> list[Expectation]:
    g = "backend_only"
    rows = []
    for doc in ("customers/alice/private/internal", "stripe_events/evt_seed", "sync_tasks/task_seed",
                "support_requests/req_seed"):
        collection, doc_id = doc.rsplit("/", 1)
        for actor in (OWNER, ANON):
            rows += [
                Expectation(g, actor, "get", doc, "deny"),
                Expectation(g, actor, "list", collection, "deny"),
                Expectation(g, actor, "create", f"{collection}/{actor.key.replace(' ', '_')}_new", "deny",
                            {"uid": actor.uid or "", "status": "done"}),
                Expectation(g, actor, "update", doc, "deny", {"status": "dead"}),
                Expectation(g, actor, "delete", doc, "deny"),
            ]
    return rows + [
        Expectation(g, OWNER, "list", "private", "deny", collection_group=True),
        Expectation(g, OWNER, "list", "support_requests", "deny", where=(("uid", "==", "alice"),)),
        Expectation(g, CLAIMED, "get", "customers/alice/private/internal", "deny"),
        Expectation(g, CLAIMED, "update", "sync_tasks/task_seed", "deny", {"status": "done"}),
    ]


def _default_deny() -> list[Expectation]:
    g = "default_deny"
    return [
        Expectation(g, OWNER, "get", "admin_settings/global", "deny"),
        Expectation(g, OWNER, "list", "admin_settings", "deny"),
        Expectation(g, OWNER, "create", "notes/by_alice", "deny", {"text": "hello"}),
        Expectation(g, ANON, "create", "notes/by_anon", "deny", {"text": "hello"}),
        Expectation(g, OWNER, "update", "admin_settings/global", "deny", {"maintenance": True}),
        Expectation(g, OWNER, "create", "customers/alice/sessions/s1", "deny", {"device": "phone"}),
    ]


ACCESS_MATRIX: tuple[Expectation, ...] = tuple(
    _customer_read() + _protected_fields() + _backend_only() + _default_deny())
GROUPS: tuple[str, ...] = tuple(dict.fromkeys(e.group for e in ACCESS_MATRIX))


def run_matrix(env: AnyEnvironment, expectations: Iterable[Expectation] = ACCESS_MATRIX,
               seed: Mapping[str, Mapping[str, Any]] = SEED, max_workers: int = 8) -> list[Verdict]:
    """Reset and seed the database, then run every expectation; returns one verdict per row."""
    rows = list(expectations)
    env.clear()
    env.seed(seed)
    verdicts: list[Verdict] = []
    with ThreadPoolExecutor(max_workers=max_workers) as pool:
        for phase in PHASES:
            batch = [e for e in rows if e.operation in phase]
            verdicts += pool.map(lambda e: Verdict(e, e.perform(env)), batch)
    return verdicts
