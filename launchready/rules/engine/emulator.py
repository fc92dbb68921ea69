"""Decide cases on the real Firestore emulator (ground truth): load the rules, reset and seed the
database with rules bypassed, send the request exactly as the case format describes, read 200/403."""
from __future__ import annotations

import base64
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from launchready.rules.testing.client import OPERATORS
from launchready.rules.testing.environment import ADMIN_TOKEN
from launchready.rules.testing.values import field_path
from launchready.runtime.firestore_emulator import FirestoreEmulator, find_jar

PROJECT = "demo-corpus"


@dataclass
class EmulatorVerdict:
    status: int
    detail: str

    @property
    def verdict(self) -> str | None:
        return {200: "allow", 403: "deny"}.get(self.status)


def _b64(data: Mapping[str, Any]) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def case_token(actor: Mapping[str, Any]) -> str:
    """The unsigned ID token of the case format: default payload, the actor's claims on top."""
    now = int(time.time())
    payload = {"iss": f"https://securetoken.google.com/{PROJECT}", "aud": PROJECT, "sub": actor["uid"],
               "user_id": actor["uid"], "iat": now, "exp": now + 3600, "auth_time": now,
               "firebase": {"sign_in_provider": "password", "identities": {}}, **(actor.get("claims") or {})}
    return f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(payload)}."


def emulator_version() -> dict[str, str]:
    jar = find_jar()
    return {"jar": jar.name if jar else "", "path_version": str(jar.parent.parent.parent.name) if jar else ""}


class EmulatorDecider:
    """One running emulator that decides case records one after another."""

    def __init__(self, emulator: FirestoreEmulator):
        self.emulator = emulator
        self._http = httpx.Client(base_url=emulator.base_url, timeout=30)
        self._root = f"/v1/projects/{PROJECT}/databases/(default)/documents"
        self._name = f"projects/{PROJECT}/databases/(default)/documents"
        self._rules: str | None = None

    @classmethod
    def start(cls, log_dir: Path) -> EmulatorDecider:
        return cls(FirestoreEmulator(log_dir=log_dir, project_id=PROJECT).start())

    def close(self) -> None:
        self._http.close()
        self.emulator.stop()

    def load_rules(self, source: str) -> None:
        if source == self._rules:
            return
        body = {"rules": {"files": [{"name": "firestore.rules", "content": source}]}}
        response = self._http.put(f"/emulator/v1/projects/{PROJECT}:securityRules", json=body)
        if response.status_code != 200:
            raise ValueError(f"the emulator rejects the rules: {response.text[:500]}")
        self._rules = source

    def decide(self, record: Mapping[str, Any]) -> EmulatorVerdict:
        self._http.delete(f"/emulator/v1/projects/{PROJECT}/databases/(default)/documents").raise_for_status()
        seed = record.get("seed") or {}
        if seed:
            writes = [{"update": {"name": self._doc(p), "fields": f}} for p, f in seed.items()]
            self._post(f"{self._root}:commit", {"writes": writes}, ADMIN_TOKEN).raise_for_status()
        token = case_token(record["actor"]) if record.get("actor") else None
        response = self._send(record, token)
        return EmulatorVerdict(response.status_code, _detail(response))

    def _send(self, record: Mapping[str, Any], token: str | None) -> httpx.Response:
        operation, path = record["operation"], str(record.get("path", "")).strip("/")
        if operation == "get":
            return self._http.get(f"{self._root}/{path}", headers=_auth(token))
        if operation == "list":
            return self._post(*self._query(path, record.get("query") or {}), token)
        writes = record["writes"] if operation == "batch" else [record]
        return self._post(f"{self._root}:commit", {"writes": [self._write(w) for w in writes]}, token)

    def _post(self, url: str, body: Any, token: str | None) -> httpx.Response:
        return self._http.post(url, json=body, headers=_auth(token))

    def _doc(self, path: str) -> str:
        return f"{self._name}/{path.strip('/')}"

    def _write(self, w: Mapping[str, Any]) -> dict[str, Any]:
        if w["operation"] == "delete":
            return {"delete": self._doc(w["path"])}
        out: dict[str, Any] = {"update": {"name": self._doc(w["path"]), "fields": w.get("data") or {}},
                               "currentDocument": {"exists": w["operation"] == "update"}}
        if w["operation"] == "update" and w.get("update_mode") == "merge":
            out["updateMask"] = {"fieldPaths": [".".join(field_path(p) for p in m.split(".")) for m in
                                                w.get("update_mask") or ()]}
        stamps = w.get("server_timestamp_fields") or ()
        if stamps:
            out["updateTransforms"] = [{"fieldPath": field_path(f), "setToServerValue": "REQUEST_TIME"} for f in stamps]
        return out

    def _query(self, path: str, query: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
        parts = path.split("/")
        group = bool(query.get("collection_group"))
        structured: dict[str, Any] = {"from": [{"collectionId": parts[-1], "allDescendants": group}]}
        filters = [{"fieldFilter": {"field": {"fieldPath": field_path(f["field"])}, "op": OPERATORS[f["op"]],
                                    "value": f["value"]}} for f in query.get("where") or ()]
        if len(filters) == 1:
            structured["where"] = filters[0]
        elif filters:
            structured["where"] = {"compositeFilter": {"op": "AND", "filters": filters}}
        if query.get("order_by"):
            structured["orderBy"] = [{"field": {"fieldPath": field_path(o["field"])},
                                      "direction": "DESCENDING" if o.get("direction") == "desc" else "ASCENDING"}
                                     for o in query["order_by"]]
        if query.get("limit") is not None:
            structured["limit"] = int(query["limit"])
        parent = "/".join(parts[:-1]) if not group else ""
        url = f"{self._root}/{parent}:runQuery" if parent else f"{self._root}:runQuery"
        return url, {"structuredQuery": structured}


def _auth(token: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"} if token else {}


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:300]
    items = body if isinstance(body, list) else [body]
    for item in items:
        if isinstance(item, dict) and isinstance(item.get("error"), dict):
            return str(item["error"].get("message", ""))[:500]
    return ""
