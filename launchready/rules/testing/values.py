"""Python values <-> Firestore REST `Value` JSON (the emulator speaks the public v1 REST API)."""
from __future__ import annotations

import base64
import math
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any


def encode_value(value: Any) -> dict[str, Any]:
    """One Python value as a Firestore `Value`; raises TypeError for types Firestore cannot store."""
    if value is None:
        return {"nullValue": None}
    if isinstance(value, bool):
        return {"booleanValue": value}
    if isinstance(value, int):
        return {"integerValue": str(value)}
    if isinstance(value, float):
        return {"doubleValue": value if math.isfinite(value) else str(value)}
    if isinstance(value, str):
        return {"stringValue": value}
    if isinstance(value, bytes):
        return {"bytesValue": base64.b64encode(value).decode()}
    if isinstance(value, datetime):
        stamp = value if value.tzinfo else value.replace(tzinfo=UTC)
        return {"timestampValue": stamp.astimezone(UTC).isoformat().replace("+00:00", "Z")}
    if isinstance(value, Mapping):
        return {"mapValue": {"fields": encode_fields(value)}}
    if isinstance(value, (list, tuple)):
        return {"arrayValue": {"values": [encode_value(v) for v in value]}}
    raise TypeError(f"cannot store {type(value).__name__} in Firestore")


def encode_fields(data: Mapping[str, Any]) -> dict[str, Any]:
    return {str(key): encode_value(val) for key, val in data.items()}


def decode_value(value: Mapping[str, Any]) -> Any:
    """A Firestore `Value` back to Python (timestamps as aware datetimes, references as paths)."""
    (kind, raw), = value.items()
    if kind == "nullValue":
        return None
    if kind == "integerValue":
        return int(raw)
    if kind == "doubleValue":
        return float(raw)
    if kind == "bytesValue":
        return base64.b64decode(raw)
    if kind == "timestampValue":
        return datetime.fromisoformat(raw.replace("Z", "+00:00"))
    if kind == "mapValue":
        return decode_fields(raw.get("fields", {}))
    if kind == "arrayValue":
        return [decode_value(v) for v in raw.get("values", [])]
    if kind == "referenceValue":
        return raw.split("/documents/", 1)[-1]
    return raw  # stringValue, booleanValue, geoPointValue


def decode_fields(fields: Mapping[str, Any]) -> dict[str, Any]:
    return {key: decode_value(val) for key, val in fields.items()}


def field_path(name: str) -> str:
    """A field name as a REST field path: dotted names nest; odd characters need backquotes."""
    parts = name.split(".")
    return ".".join(p if p.isidentifier() else "`" + p.replace("`", "\\`") + "`" for p in parts)
