"""The rules language's value model in Python, and the conversions from Firestore REST `Value` JSON.

Python types stand for rules types where they line up (None, bool, int, float, str, bytes, list,
dict); timestamps, durations, paths, lat/lngs, sets and map diffs get small classes. Equality and
ordering follow the rules language, not Python: `true != 1`, `1 == 1.0`, and ordering across types
is an error.
"""
from __future__ import annotations

import base64
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

DOCUMENTS_PREFIX = ("databases", "(default)", "documents")
INT_MIN, INT_MAX = -(2 ** 63), 2 ** 63 - 1


class RulesError(Exception):
    """An evaluation error: the expression has no value (an `allow` whose condition errs is false)."""


class Unknown(RulesError):
    """A value a list query does not pin down (a field no `where` constrains): behaves as an error."""


@dataclass(frozen=True, order=True)
class Timestamp:
    seconds: int
    nanos: int = 0

    @classmethod
    def from_datetime(cls, value: datetime) -> Timestamp:
        value = value if value.tzinfo else value.replace(tzinfo=UTC)
        delta = value - datetime(1970, 1, 1, tzinfo=UTC)
        return cls(delta.days * 86400 + delta.seconds, delta.microseconds * 1000)

    @classmethod
    def parse(cls, text: str) -> Timestamp:
        """RFC 3339 with up to nanosecond precision (`2024-01-02T03:04:05.123456789Z`)."""
        head, frac, nanos = text, "", 0
        if "." in text:
            head, rest = text.split(".", 1)
            digits = len(rest) - len(rest.lstrip("0123456789"))
            frac, zone = rest[:digits], rest[digits:]
            head += zone
            nanos = int((frac + "000000000")[:9])
        stamp = cls.from_datetime(datetime.fromisoformat(head.replace("Z", "+00:00")))
        return cls(stamp.seconds, nanos)

    @property
    def total_nanos(self) -> int:
        return self.seconds * 10 ** 9 + self.nanos

    @classmethod
    def from_nanos(cls, nanos: int) -> Timestamp:
        return cls(nanos // 10 ** 9, nanos % 10 ** 9)

    def to_datetime(self) -> datetime:
        return datetime.fromtimestamp(self.seconds, tz=UTC).replace(microsecond=self.nanos // 1000)

    def __str__(self) -> str:
        return self.to_datetime().strftime("%Y-%m-%dT%H:%M:%S") + f".{self.nanos:09d}Z"


@dataclass(frozen=True, order=True)
class Duration:
    nanos: int

    def __str__(self) -> str:
        return f"{self.nanos / 1e9:g}s"


@dataclass(frozen=True)
class LatLng:
    lat: float
    lng: float


@dataclass(frozen=True)
class RPath:
    segments: tuple[str, ...]

    def __str__(self) -> str:
        return "/" + "/".join(self.segments)


@dataclass(frozen=True)
class PartialPath(RPath):
    """What a recursive wildcard binds when a list query leaves segments open (`None`): the emulator
    says it `is path` and renders it with those segments empty, but indexing it is an error."""

    def __str__(self) -> str:
        return "/" + "/".join(s or "" for s in self.segments)


def document_path(relative: str) -> RPath:
    """`customers/alice` -> `/databases/(default)/documents/customers/alice`."""
    return RPath(DOCUMENTS_PREFIX + tuple(p for p in relative.split("/") if p))


class RSet:
    """A rules set: unordered, unique by rules equality."""

    __slots__ = ("items",)

    def __init__(self, items: Iterable[Any]):
        unique: dict[Any, Any] = {}
        for item in items:
            unique.setdefault(hkey(item), item)
        self.items = unique

    def __contains__(self, value: Any) -> bool:
        return hkey(value) in self.items

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self):
        return iter(self.items.values())

    def __repr__(self) -> str:
        return "set(" + ", ".join(render(v) for v in self) + ")"


@dataclass(frozen=True)
class MapDiff:
    added: RSet
    removed: RSet
    changed: RSet
    unchanged: RSet


def map_diff(new: Mapping[str, Any], old: Mapping[str, Any]) -> MapDiff:
    """`new.diff(old)`: keys added in `new`, removed from `old`, changed and unchanged."""
    return MapDiff(RSet(k for k in new if k not in old), RSet(k for k in old if k not in new),
                   RSet(k for k in new if k in old and not equal(new[k], old[k])),
                   RSet(k for k in new if k in old and equal(new[k], old[k])))


def type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    for cls, name in _TYPE_NAMES:
        if isinstance(value, cls):
            return name
    return type(value).__name__


_TYPE_NAMES = ((int, "int"), (float, "float"), (str, "string"), (bytes, "bytes"), (list, "list"),
               (dict, "map"), (Timestamp, "timestamp"), (Duration, "duration"), (LatLng, "latlng"),
               (RPath, "path"), (RSet, "set"), (MapDiff, "map_diff"))


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def hkey(value: Any) -> Any:
    """A hashable key such that hkey(a) == hkey(b) exactly when the rules consider a and b the same
    element of a list, map or set (type-strict: the emulator's `1 in [1.0]` is false)."""
    if isinstance(value, bool) or value is None:
        return ("b", value)
    if isinstance(value, float):   # inside lists, maps and sets 1.0 is not 1 (unlike top-level ==)
        return ("f", value)
    if isinstance(value, list):
        return ("l", tuple(hkey(v) for v in value))
    if isinstance(value, dict):
        return ("m", tuple(sorted((k, hkey(v)) for k, v in value.items())))
    if isinstance(value, RSet):
        return ("s", frozenset(value.items))
    if isinstance(value, MapDiff):
        return ("d", id(value))
    return value


def equal(a: Any, b: Any) -> bool:
    if is_number(a) and is_number(b):
        return a == b
    if type_name(a) != type_name(b):
        return False
    if isinstance(a, float) and math.isnan(a):
        return False
    return hkey(a) == hkey(b)


def compare(a: Any, b: Any) -> int:
    """-1/0/1 for values of one orderable type (numbers together); an error otherwise."""
    if is_number(a) and is_number(b):
        pass
    elif type_name(a) != type_name(b) or not isinstance(a, (str, bytes, Timestamp, Duration, list, RPath)):
        raise RulesError(f"cannot order {type_name(a)} and {type_name(b)}")
    if isinstance(a, list):
        for x, y in zip(a, b, strict=False):
            c = compare(x, y)
            if c:
                return c
        return (len(a) > len(b)) - (len(a) < len(b))
    if isinstance(a, RPath):
        a, b = a.segments, b.segments
    return (a > b) - (a < b)


def check_int(value: int) -> int:
    if not INT_MIN <= value <= INT_MAX:
        raise RulesError("integer overflow")
    return value


def from_rest(value: Mapping[str, Any]) -> Any:
    """A Firestore REST `Value` as a rules value."""
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
        return Timestamp.parse(raw)
    if kind == "mapValue":
        return fields_from_rest(raw.get("fields", {}))
    if kind == "arrayValue":
        return [from_rest(v) for v in raw.get("values", [])]
    if kind == "referenceValue":
        return RPath(tuple(raw.split("/")[2:]))   # drop projects/<id>
    if kind == "geoPointValue":
        return LatLng(float(raw.get("latitude", 0.0)), float(raw.get("longitude", 0.0)))
    return raw   # stringValue, booleanValue


def fields_from_rest(fields: Mapping[str, Any]) -> dict[str, Any]:
    return {key: from_rest(val) for key, val in fields.items()}


def render(value: Any, limit: int = 60) -> str:
    """A short rules-syntax rendering for traces."""
    if value is None:
        text = "null"
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, str):
        text = repr(value)
    elif isinstance(value, list):
        text = "[" + ", ".join(render(v, limit) for v in value) + "]"
    elif isinstance(value, dict):
        text = "{" + ", ".join(f"{k!r}: {render(v, limit)}" for k, v in value.items()) + "}"
    elif isinstance(value, bytes):
        text = f"b'{base64.b64encode(value).decode()}'"
    elif isinstance(value, Timestamp):
        text = f"timestamp({value})"
    elif isinstance(value, Duration):
        text = f"duration({value})"
    elif isinstance(value, RPath):
        text = f"path({value})"
    elif isinstance(value, MapDiff):
        text = "map_diff"
    else:
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def to_python(value: Any) -> Any:
    """A rules value back to the Python value the harness hands to tests (as the REST decoder does)."""
    if isinstance(value, Timestamp):
        return value.to_datetime()
    if isinstance(value, RPath):
        return "/".join(value.segments[3:]) if value.segments[:3] == DOCUMENTS_PREFIX else str(value)
    if isinstance(value, LatLng):
        return {"latitude": value.lat, "longitude": value.lng}
    if isinstance(value, list):
        return [to_python(v) for v in value]
    if isinstance(value, dict):
        return {k: to_python(v) for k, v in value.items()}
    return value
