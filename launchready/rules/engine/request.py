"""What one request is, as the engine sees it: operation, path, actor, written data, query, and the
database before (and after) it. Built from a case record (`cases.py`) or from the Python harness."""
from __future__ import annotations

import copy
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from launchready.rules.engine.values import Timestamp

READ_OPS = ("get", "list")
WRITE_OPS = ("create", "update", "delete")


@dataclass(frozen=True)
class Filter:
    field: str
    op: str
    value: Any


@dataclass(frozen=True)
class Query:
    collection_group: bool = False
    where: tuple[Filter, ...] = ()
    order_by: tuple[tuple[str, str], ...] = ()
    limit: int | None = None


@dataclass
class Write:
    operation: str                       # create | update | delete
    path: str                            # document path relative to /databases/(default)/documents
    data: dict[str, Any] | None = None
    update_mode: str = "set"             # set: replace the document; merge: only `update_mask`
    update_mask: tuple[str, ...] = ()
    server_timestamp_fields: tuple[str, ...] = ()


@dataclass
class Actor:
    uid: str
    claims: dict[str, Any] = field(default_factory=dict)
    project_id: str = "demo-corpus"

    def token(self) -> dict[str, Any]:
        """The ID token payload the emulator builds `request.auth.token` from (claims on top)."""
        now = int(time.time())
        base = {"iss": f"https://securetoken.google.com/{self.project_id}", "aud": self.project_id,
                "sub": self.uid, "user_id": self.uid, "iat": now, "exp": now + 3600, "auth_time": now,
                "firebase": {"sign_in_provider": "password", "identities": {}}}
        return {**base, **self.claims}


@dataclass
class Request:
    operation: str                       # get | list | create | update | delete | batch
    path: str = ""                       # document path, or collection path (id for a group) for list
    actor: Actor | None = None
    write: Write | None = None
    query: Query | None = None
    writes: list[Write] = field(default_factory=list)
    time: Timestamp = field(default_factory=lambda: Timestamp.from_nanos(time.time_ns()))

    def all_writes(self) -> list[Write]:
        return self.writes if self.operation == "batch" else [self.write] if self.write else []


Database = dict[str, dict[str, Any]]


def _set_nested(doc: dict[str, Any], dotted: str, value: Any, delete: bool = False) -> None:
    *parents, leaf = dotted.split(".")
    node = doc
    for name in parents:
        child = node.get(name)
        if not isinstance(child, dict):
            if delete:
                return
            child = node[name] = {}
        node = child
    if delete:
        node.pop(leaf, None)
    else:
        node[leaf] = value


def _get_nested(doc: Mapping[str, Any], dotted: str) -> tuple[bool, Any]:
    node: Any = doc
    for name in dotted.split("."):
        if not isinstance(node, Mapping) or name not in node:
            return False, None
        node = node[name]
    return True, node


def written_document(write: Write, before: Mapping[str, Any] | None, now: Timestamp) -> dict[str, Any] | None:
    """The document as it stands after `write` (None after a delete)."""
    if write.operation == "delete":
        return None
    nested = any("." in name for name in write.update_mask + write.server_timestamp_fields)
    clone = copy.deepcopy if nested else dict   # only nested field paths mutate inner maps
    if write.operation == "update" and write.update_mode == "merge":
        doc = clone(dict(before or {}))
        for name in write.update_mask:
            present, value = _get_nested(write.data or {}, name)
            _set_nested(doc, name, value, delete=not present)
    else:
        doc = clone(dict(write.data or {}))
    for name in write.server_timestamp_fields:
        _set_nested(doc, name, now)
    return doc


def apply_writes(db: Database, writes: list[Write], now: Timestamp) -> Database:
    after = dict(db)
    for write in writes:
        doc = written_document(write, after.get(write.path), now)
        if doc is None:
            after.pop(write.path, None)
        else:
            after[write.path] = doc
    return after
