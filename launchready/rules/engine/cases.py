"""Read decision cases in the `firestore-rules-corpus/1` format (docs/rules-case-format.md)
into engine requests; malformed files raise CaseFormatError with the case id and the problem."""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from launchready.rules.engine.request import Actor, Database, Filter, Query, Request, Write
from launchready.rules.engine.values import Timestamp, fields_from_rest, from_rest

FORMAT = "firestore-rules-corpus/1"
OPERATIONS = ("get", "list", "create", "update", "delete", "batch")


class CaseFormatError(ValueError):
    """A case file that does not follow the format; the message names the case."""


@dataclass
class Case:
    id: str
    rules: str
    record: dict[str, Any]
    request: Request
    seed: Database

    @property
    def expected(self) -> str | None:
        return self.record.get("verdict")


def load_cases(path: Path, include_excluded: bool = False) -> tuple[dict[str, Any], list[Case]]:
    """The file's header and its cases (in file order)."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise CaseFormatError(f"cannot read {path}: {exc}") from None
    except json.JSONDecodeError as exc:
        raise CaseFormatError(f"{path} is not JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("cases"), list):
        raise CaseFormatError(f"{path}: expected an object with a `cases` list ({FORMAT})")
    records = doc["cases"] + (doc.get("excluded", []) if include_excluded else [])
    return doc, [parse_case(r, i) for i, r in enumerate(records)]


def parse_case(record: Any, index: int = 0, now: Timestamp | None = None) -> Case:
    if not isinstance(record, dict):
        raise CaseFormatError(f"case #{index + 1} is not an object")
    case_id = str(record.get("id", f"#{index + 1}"))
    try:
        request = _request(record, now)
        seed = {str(p).strip("/"): fields_from_rest(f) for p, f in (record.get("seed") or {}).items()}
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise CaseFormatError(f"case {case_id}: {type(exc).__name__}: {exc}") from None
    return Case(case_id, str(record.get("rules", "")), record, request, seed)


def _request(record: Mapping[str, Any], now: Timestamp | None) -> Request:
    operation = record["operation"]
    if operation not in OPERATIONS:
        raise ValueError(f"operation must be one of {', '.join(OPERATIONS)}, got {operation!r}")
    actor = record.get("actor")
    request = Request(operation, str(record.get("path", "")).strip("/"),
                      Actor(str(actor["uid"]), dict(actor.get("claims") or {})) if actor else None)
    if now is not None:
        request.time = now
    if operation == "list":
        request.query = _query(record.get("query") or {})
    elif operation == "batch":
        request.writes = [_write(w) for w in record["writes"]]
    elif operation != "get":
        request.write = _write(record)
    return request


def _write(record: Mapping[str, Any]) -> Write:
    operation = record["operation"]
    if operation not in ("create", "update", "delete"):
        raise ValueError(f"a write is create, update or delete, got {operation!r}")
    data = fields_from_rest(record["data"]) if record.get("data") is not None else None
    mode = record.get("update_mode") or ("merge" if record.get("update_mask") else "set")
    return Write(operation, str(record["path"]).strip("/"), data, mode, tuple(record.get("update_mask") or ()),
                 tuple(record.get("server_timestamp_fields") or ()))


def _query(query: Mapping[str, Any]) -> Query:
    where = tuple(Filter(str(f["field"]), str(f["op"]), from_rest(f["value"])) for f in query.get("where") or ())
    order = tuple((str(o["field"]), str(o.get("direction", "asc"))) for o in query.get("order_by") or ())
    limit = query.get("limit")
    return Query(bool(query.get("collection_group")), where, order, int(limit) if limit is not None else None)
