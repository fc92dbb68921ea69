"""One identity's view of the emulator over REST: get, list (structured query), create, update,
set, delete, each returning an `Outcome` instead of raising on PERMISSION_DENIED."""
from __future__ import annotations

import builtins
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import httpx

from launchready.rules.testing.outcome import Outcome, RulesHarnessError
from launchready.rules.testing.values import decode_fields, encode_fields, encode_value, field_path

OPERATORS = {
    "==": "EQUAL", "!=": "NOT_EQUAL", "<": "LESS_THAN", "<=": "LESS_THAN_OR_EQUAL",
    ">": "GREATER_THAN", ">=": "GREATER_THAN_OR_EQUAL", "array-contains": "ARRAY_CONTAINS",
    "array-contains-any": "ARRAY_CONTAINS_ANY", "in": "IN", "not-in": "NOT_IN",
}
Filter = tuple[str, str, Any]


def split_path(path: str, *, document: bool) -> list[str]:
    """Validate a slash path: documents have an even number of segments, collections an odd one."""
    parts = [p for p in path.strip("/").split("/") if p]
    if not parts or (len(parts) % 2 == 0) != document:
        kind = "document" if document else "collection"
        raise ValueError(f"{path!r} is not a {kind} path")
    return parts


class RulesTestContext:
    """Requests as one actor. Built by `RulesTestEnvironment.authenticated/unauthenticated/admin`."""

    def __init__(self, http: httpx.Client, project_id: str, actor: str, token: str | None):
        self._http = http
        self.actor = actor
        self._headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._root = f"/v1/projects/{project_id}/databases/(default)/documents"
        self._db = f"projects/{project_id}/databases/(default)/documents"

    def get(self, path: str) -> Outcome:
        split_path(path, document=True)
        return self._send("get", path, "GET", f"{self._root}/{path.strip('/')}")

    def list(self, collection: str, *, where: Iterable[Filter] = (), order_by: Sequence[str] = (),
             limit: int | None = None, collection_group: bool = False) -> Outcome:
        """A structured query over `collection` (or every collection with that id, as a group)."""
        parts = split_path(collection, document=False)
        if collection_group and len(parts) != 1:
            raise ValueError("a collection group query takes a bare collection id")
        query: dict[str, Any] = {"from": [{"collectionId": parts[-1], "allDescendants": collection_group}]}
        filters = [{"fieldFilter": {"field": {"fieldPath": field_path(f)}, "op": _operator(op),
                                    "value": encode_value(v)}} for f, op, v in where]
        if len(filters) == 1:
            query["where"] = filters[0]
        elif filters:
            query["where"] = {"compositeFilter": {"op": "AND", "filters": filters}}
        if order_by:
            query["orderBy"] = [{"field": {"fieldPath": field_path(f)}} for f in order_by]
        if limit is not None:
            query["limit"] = limit
        parent = "/".join(parts[:-1])
        url = f"{self._root}/{parent}:runQuery" if parent else f"{self._root}:runQuery"
        return self._send("list", collection, "POST", url, json={"structuredQuery": query})

    def create(self, path: str, data: Mapping[str, Any]) -> Outcome:
        parts = split_path(path, document=True)
        url = f"{self._root}/{'/'.join(parts[:-1])}"
        return self._send("create", path, "POST", url, params={"documentId": parts[-1]},
                          json={"fields": encode_fields(data)})

    def update(self, path: str, data: Mapping[str, Any]) -> Outcome:
        """Change only the given fields of an existing document (like the SDKs' `update`)."""
        split_path(path, document=True)
        params = [("updateMask.fieldPaths", field_path(k)) for k in data] + [("currentDocument.exists", "true")]
        return self._send("update", path, "PATCH", f"{self._root}/{path.strip('/')}", params=params,
                          json={"fields": encode_fields(data)})

    def set(self, path: str, data: Mapping[str, Any]) -> Outcome:
        """Replace the whole document, creating it when missing (like the SDKs' `set`)."""
        split_path(path, document=True)
        return self._send("set", path, "PATCH", f"{self._root}/{path.strip('/')}",
                          json={"fields": encode_fields(data)})

    def delete(self, path: str) -> Outcome:
        split_path(path, document=True)
        return self._send("delete", path, "DELETE", f"{self._root}/{path.strip('/')}")

    def commit(self, writes: builtins.list[dict[str, Any]]) -> Outcome:
        """Apply raw REST `Write`s atomically (used to seed data with rules bypassed)."""
        return self._send("commit", f"{len(writes)} writes", "POST", f"{self._root}:commit",
                          json={"writes": writes})

    def document_name(self, path: str) -> str:
        return f"{self._db}/{path.strip('/')}"

    def _send(self, operation: str, path: str, method: str, url: str, **kwargs: Any) -> Outcome:
        try:
            response = self._http.request(method, url, headers=self._headers, **kwargs)
        except httpx.HTTPError as exc:
            raise RulesHarnessError(f"{operation} {path}: emulator unreachable ({exc})") from exc
        body = _json(response)
        error = _error(body)
        data = None if error else _data(operation, body)
        return Outcome(actor=self.actor, operation=operation, path=path, status_code=response.status_code,
                       error_code=error.get("status", ""), message=error.get("message", ""), data=data)


def _operator(op: str) -> str:
    try:
        return OPERATORS[op]
    except KeyError:
        raise ValueError(f"unknown query operator {op!r}; use one of {', '.join(OPERATORS)}") from None


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return {"error": {"status": "", "message": response.text[:200]}} if response.is_error else {}


def _error(body: Any) -> dict[str, Any]:
    """runQuery streams a JSON array whose items may carry the error; other calls return an object."""
    items = body if isinstance(body, list) else [body]
    for item in items:
        if isinstance(item, dict) and isinstance(item.get("error"), dict):
            return item["error"]
    return {}


def _data(operation: str, body: Any) -> Any:
    if operation == "list":
        return {item["document"]["name"].split("/documents/", 1)[1]: decode_fields(item["document"].get("fields", {}))
                for item in body if isinstance(item, dict) and "document" in item}
    if operation in ("get", "create", "update", "set") and isinstance(body, dict) and "fields" in body:
        return decode_fields(body["fields"])
    return None
