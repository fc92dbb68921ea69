"""The project's own access matrix: a YAML file (`launchready.access.yaml` at the project root, or
`launchready:accessMatrix` in Pulumi.yaml) saying who may do what on the app's own collections.

    version: 1
    seed:                        # documents present before the rows run (written with rules bypassed)
      boards/b1: {ownerUid: alice, title: Tides}
    rows:
      - who: owner               # anonymous | owner (uid alice) | other (uid bob) | admin (uid mallory,
                                 #   custom claim admin: true) | backend (admin SDK: documented, not run)
        op: get                  # get | list | create | update | set | delete
        path: boards/b1          # a document path (a collection path for list)
        data: {title: x}         # fields written by create / update / set
        expect: allow            # allow | deny
        note: owners read their boards

The canonical collections the backend owns (`customers/{uid}`, `support_requests`, ...) are built-in
rows (launchready.rules.testing.matrix); this file covers the rest. The rows become `Expectation`s, so the
same runner (emulator today, any engine that answers requests) executes them.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from launchready.files import FileProblem, read_capped
from launchready.rules.testing.matrix import ANON, CLAIMED, OTHER, OWNER, Actor, Expectation, Operation

GROUP = "app"
ACTORS: dict[str, Actor | None] = {"anonymous": ANON, "owner": OWNER, "other": OTHER, "admin": CLAIMED,
                                   "backend": None}
OPERATIONS = ("get", "list", "create", "update", "set", "delete")
WRITES = frozenset({"create", "update", "set"})
HEADER = """\
# Access matrix for this app: `launchready check` runs every row against the rules (rules.behaviour.app).
# who:    anonymous | owner (uid alice) | other (uid bob) | admin (uid mallory, claim admin: true)
#         | backend (the admin SDK bypasses rules: documented, not run)
# op:     get | list | create | update | set | delete      path: document path (collection for list)
# data:   fields written by create / update / set          expect: allow | deny
# seed:   documents present before the rows run (written with the rules bypassed)
# The backend's own collections (customers/{uid}, support_requests, ...) are built-in rows.
"""


class AccessFileError(ValueError):
    """One line naming the file, the row and the problem."""


@dataclass(frozen=True)
class AccessRow:
    who: str
    op: Operation                        # _row checks op against OPERATIONS, expect against allow/deny
    path: str
    expect: Literal["allow", "deny"]
    data: dict[str, Any] | None = None
    note: str = ""

    def expectation(self) -> Expectation | None:
        actor = ACTORS[self.who]
        if actor is None:
            return None
        return Expectation(GROUP, actor, self.op, self.path, self.expect, self.data)


@dataclass(frozen=True)
class AccessMatrix:
    path: Path | None
    rows: tuple[AccessRow, ...] = ()
    seed: dict[str, dict[str, Any]] = field(default_factory=dict)

    def expectations(self) -> list[Expectation]:
        """The rows as written, plus: every field a `who: backend` row writes is denied to the owner
        (the app's own entitlement state, held to the rule the canonical customers/{uid} follows)."""
        written = [e for e in (row.expectation() for row in self.rows) if e is not None]
        return written + [e for e in self.backend_owned_expectations() if e not in written]

    def backend_fields(self) -> dict[str, dict[str, Any]]:
        """document path -> {field: value} only the backend writes (the `who: backend` write rows)."""
        fields: dict[str, dict[str, Any]] = {}
        for row in self.rows:
            if row.who == "backend" and row.op in WRITES and row.data:
                fields.setdefault(row.path, {}).update(row.data)
        return fields

    def backend_owned_expectations(self) -> list[Expectation]:
        """The owner may not write a backend-owned field: `update` where the document is seeded (the
        owner's own document), else `create`."""
        return [Expectation(GROUP, OWNER, "update" if path in self.seed else "create", path, "deny", {name: value})
                for path, values in sorted(self.backend_fields().items()) for name, value in sorted(values.items())]

    def collections(self) -> list[str]:
        return sorted({row.path.strip("/").split("/")[0] for row in self.rows})


def _row(path: Path, index: int, raw: Any) -> AccessRow:
    where = f"{path}: rows[{index}]"
    if not isinstance(raw, dict):
        raise AccessFileError(f"{where}: expected a mapping with who, op, path, expect")
    unknown = set(raw) - {"who", "op", "path", "expect", "data", "note"}
    if unknown:
        raise AccessFileError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    checks = (("who", tuple(ACTORS)), ("op", OPERATIONS), ("expect", ("allow", "deny")))
    for key, allowed in checks:
        if raw.get(key) not in allowed:
            raise AccessFileError(f"{where}: {key} must be one of {', '.join(allowed)}, got {raw.get(key)!r}")
    doc_path = raw.get("path")
    if not isinstance(doc_path, str) or not doc_path.strip("/"):
        raise AccessFileError(f"{where}: path must be a document (or, for list, collection) path")
    data = raw.get("data")
    if data is not None and not isinstance(data, dict):
        raise AccessFileError(f"{where}: data must be a mapping of field -> value")
    return AccessRow(raw["who"], raw["op"], doc_path.strip("/"), raw["expect"], data, str(raw.get("note") or ""))


def load_access_matrix(path: Path) -> AccessMatrix:
    """The project's matrix; an absent file is an empty matrix (the check says so)."""
    if not os.path.lexists(path):
        return AccessMatrix(None)
    try:
        document = yaml.safe_load(read_capped(path, root=path.parent)) or {}
    except (FileProblem, yaml.YAMLError, RecursionError) as exc:
        raise AccessFileError(f"{path}: cannot be read: {getattr(exc, 'problem', None) or exc}") from None
    if not isinstance(document, dict) or not isinstance(document.get("rows", []), list):
        raise AccessFileError(f"{path}: expected a mapping with `rows:` (a list)")
    seed = document.get("seed") or {}
    if not isinstance(seed, dict) or not all(isinstance(v, dict) for v in seed.values()):
        raise AccessFileError(f"{path}: seed must map document paths to field mappings")
    rows = tuple(_row(path, i, raw) for i, raw in enumerate(document.get("rows") or []))
    return AccessMatrix(path, rows, {str(k).strip("/"): v for k, v in seed.items()})


def seed_rows(collections: list[str], public: frozenset[str] = frozenset(),
              sinks: frozenset[str] = frozenset()) -> list[dict[str, Any]]:
    """Starting rows for collections found in the rules: nobody signed out reads or writes them — except
    what init assumed intended (see `launchready.rules.analysis.intent.assumed_intent`), declared with an
    `allow` row the static audits read: a public read-only catalogue (its write is still pinned) and a
    create-only sink. The owner/other-user rows depend on the app's intent, so `init` leaves those to the team."""
    assumed = "assumed by init from the rules: delete this row if it is not intended"
    rows: list[dict[str, Any]] = []
    for name in collections:
        if name in public:
            rows += [{"who": "anonymous", "op": "get", "path": f"{name}/seed-doc", "expect": "allow",
                      "note": f"public read-only content, {assumed}"}]
        else:
            rows += [{"who": "anonymous", "op": "get", "path": f"{name}/seed-doc", "expect": "deny"},
                     {"who": "anonymous", "op": "list", "path": name, "expect": "deny"}]
        if name in sinks:
            rows += [{"who": "anonymous", "op": "create", "path": f"{name}/anon-doc", "data": {}, "expect": "allow",
                      "note": f"a write-only sink, {assumed}"}]
        else:
            rows += [{"who": "anonymous", "op": "create", "path": f"{name}/anon-doc",
                      "data": {"createdBy": "anonymous"}, "expect": "deny"}]
    return rows


def render(rows: list[dict[str, Any]], seed: dict[str, Any] | None = None) -> str:
    body = yaml.safe_dump({"version": 1, "seed": seed or {}, "rows": rows}, sort_keys=False, width=1 << 16,
                          allow_unicode=True)
    return HEADER + body
