"""Methods of each rules type and the global namespaces (`math`, `timestamp`, `duration`, `hashing`,
`latlng`) as documented in the Firebase rules reference; a wrong receiver or argument is an error."""
from __future__ import annotations

import calendar
import hashlib
import math
import zlib
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import re2

from launchready.rules.engine.values import (
    Duration,
    LatLng,
    MapDiff,
    RPath,
    RSet,
    RulesError,
    Timestamp,
    check_int,
    hkey,
    is_number,
    map_diff,
    type_name,
)

NANOS = 10 ** 9
DURATION_UNITS = {"w": 7 * 86400 * NANOS, "d": 86400 * NANOS, "h": 3600 * NANOS, "m": 60 * NANOS,
                  "s": NANOS, "ms": 10 ** 6, "ns": 1}


def _need(value: Any, *types: str) -> Any:
    if type_name(value) not in types and not ("number" in types and is_number(value)):
        raise RulesError(f"expected {' or '.join(types)}, got {type_name(value)}")
    return value


def _members(value: Any) -> list:
    return list(value) if isinstance(value, (list, RSet)) else _need(value, "list", "set")


def _in(item: Any, collection: Any) -> bool:
    if isinstance(collection, RSet):
        return item in collection
    key = hkey(item)
    return any(key == hkey(x) for x in collection)


def _regex(pattern: Any) -> Any:
    try:
        return re2.compile(_need(pattern, "string"))
    except re2.error as exc:
        raise RulesError(f"bad regular expression: {exc}") from None


def _split(text: str, pattern: str) -> list[str]:
    return _regex(pattern).split(text)


def _replace(text: str, pattern: str, sub: Any) -> str:
    return _regex(pattern).sub(_need(sub, "string").replace("$", "\\"), text)


def _hash(algorithm: Callable[[bytes], bytes]) -> Callable[[Any], bytes]:
    def digest(value: Any) -> bytes:
        data = value.encode() if isinstance(value, str) else _need(value, "bytes")
        return algorithm(data)
    return digest


def _crc32c(data: bytes) -> bytes:
    import google_crc32c
    return google_crc32c.value(data).to_bytes(4, "little")


def _get(mapping: dict, key: Any, default: Any) -> Any:
    keys = key if isinstance(key, list) else [key]
    node: Any = mapping
    for k in keys:
        if not isinstance(node, dict) or _need(k, "string") not in node:
            return default
        node = node[k]
    return node


def _join(items: list, sep: str) -> str:
    return _need(sep, "string").join(_need(i, "string") for i in items)


def _dt(ts: Timestamp) -> datetime:
    return datetime.fromtimestamp(ts.seconds, tz=UTC)


def _date(year: Any, month: Any, day: Any) -> Timestamp:
    _need(year, "int"), _need(month, "int"), _need(day, "int")
    if not (1 <= year <= 9999 and 1 <= month <= 12 and 1 <= day <= calendar.monthrange(year, month)[1]):
        raise RulesError(f"invalid date {year}-{month}-{day}")
    return Timestamp(calendar.timegm((year, month, day, 0, 0, 0)))


def _duration_value(magnitude: Any, unit: Any) -> Duration:
    if _need(unit, "string") not in DURATION_UNITS:
        raise RulesError(f"unknown duration unit {unit!r}")
    return Duration(_need(magnitude, "int") * DURATION_UNITS[unit])


def _round(x: Any) -> Any:
    x = _need(x, "number")
    return math.floor(x + 0.5) if x >= 0 else -math.floor(-x + 0.5)


def _float_fn(fn: Callable[[float], Any]) -> Callable[[Any], Any]:
    return lambda x: fn(_need(x, "number"))


def _to_int(x: Any) -> int:
    if isinstance(x, str):
        try:
            return check_int(int(x))
        except ValueError:
            raise RulesError(f"int({x!r})") from None
    if is_number(x):
        if isinstance(x, float) and not math.isfinite(x):
            raise RulesError("int of a non-finite float")
        return check_int(int(x))
    raise RulesError(f"int() of {type_name(x)}")


def _to_float(x: Any) -> float:
    if isinstance(x, str):
        try:
            return float(x)
        except ValueError:
            raise RulesError(f"float({x!r})") from None
    return float(_need(x, "number"))


def to_string(x: Any) -> str:
    if x is None:
        return "null"
    if isinstance(x, bool):
        return "true" if x else "false"
    if isinstance(x, (int, str)):
        return str(x)
    if isinstance(x, float):
        return repr(x) if not x.is_integer() or abs(x) >= 1e16 else f"{x:.1f}"
    if isinstance(x, RPath):
        return str(x)
    raise RulesError(f"string() of {type_name(x)}")


def to_path(x: Any) -> RPath:
    return RPath(tuple(p for p in _need(x, "string").split("/") if p))


METHODS: dict[tuple[str, str], Callable[..., Any]] = {
    ("string", "size"): lambda s: len(s),
    ("string", "lower"): lambda s: s.lower(),
    ("string", "upper"): lambda s: s.upper(),
    ("string", "trim"): lambda s: s.strip(" \t\n\r\f\v"),
    ("string", "matches"): lambda s, p: _regex(p).fullmatch(s) is not None,
    ("string", "split"): _split,
    ("string", "replace"): _replace,
    ("string", "toUtf8"): lambda s: s.encode(),
    ("bytes", "size"): lambda b: len(b),
    ("bytes", "toBase64"): lambda b: __import__("base64").b64encode(b).decode(),
    ("bytes", "toHexString"): lambda b: b.hex().upper(),
    ("list", "size"): lambda v: len(v),
    ("list", "hasAny"): lambda v, o: any(_in(x, v) for x in _members(o)),
    ("list", "hasAll"): lambda v, o: all(_in(x, v) for x in _members(o)),
    ("list", "hasOnly"): lambda v, o: all(_in(x, _members(o)) for x in v),
    ("list", "join"): _join,
    ("list", "concat"): lambda v, o: v + _need(o, "list"),
    ("list", "removeAll"): lambda v, o: [x for x in v if not _in(x, _members(o))],
    ("list", "toSet"): lambda v: RSet(v),
    ("set", "size"): lambda s: len(s),
    ("set", "hasAny"): lambda s, o: any(x in s for x in _members(o)),
    ("set", "hasAll"): lambda s, o: all(x in s for x in _members(o)),
    ("set", "hasOnly"): lambda s, o: all(_in(x, _members(o)) for x in s),
    ("set", "difference"): lambda s, o: RSet(x for x in s if x not in _need(o, "set")),
    ("set", "intersection"): lambda s, o: RSet(x for x in s if x in _need(o, "set")),
    ("set", "union"): lambda s, o: RSet(list(s) + list(_need(o, "set"))),
    ("map", "size"): lambda m: len(m),
    ("map", "keys"): lambda m: list(m.keys()),
    ("map", "values"): lambda m: list(m.values()),
    ("map", "get"): _get,
    ("map", "diff"): lambda m, o: map_diff(m, _need(o, "map")),
    ("map_diff", "addedKeys"): lambda d: d.added,
    ("map_diff", "removedKeys"): lambda d: d.removed,
    ("map_diff", "changedKeys"): lambda d: d.changed,
    ("map_diff", "unchangedKeys"): lambda d: d.unchanged,
    ("map_diff", "affectedKeys"): lambda d: RSet(list(d.added) + list(d.removed) + list(d.changed)),
    ("timestamp", "date"): lambda t: Timestamp(t.seconds - t.seconds % 86400),
    ("timestamp", "year"): lambda t: _dt(t).year,
    ("timestamp", "month"): lambda t: _dt(t).month,
    ("timestamp", "day"): lambda t: _dt(t).day,
    ("timestamp", "hours"): lambda t: _dt(t).hour,
    ("timestamp", "minutes"): lambda t: _dt(t).minute,
    ("timestamp", "seconds"): lambda t: _dt(t).second,
    ("timestamp", "nanos"): lambda t: t.nanos,
    ("timestamp", "dayOfWeek"): lambda t: _dt(t).isoweekday(),
    ("timestamp", "dayOfYear"): lambda t: _dt(t).timetuple().tm_yday,
    ("timestamp", "time"): lambda t: Duration((t.seconds % 86400) * NANOS + t.nanos),
    ("timestamp", "toMillis"): lambda t: t.seconds * 1000 + t.nanos // 10 ** 6,
    ("duration", "seconds"): lambda d: int(d.nanos / NANOS),
    ("duration", "nanos"): lambda d: d.nanos - int(d.nanos / NANOS) * NANOS,
    ("latlng", "latitude"): lambda p: p.lat,
    ("latlng", "longitude"): lambda p: p.lng,
    ("latlng", "distance"): lambda p, o: _distance(p, _need(o, "latlng")),
    ("path", "bind"): lambda p, m: RPath(tuple(str(_need(m, "map").get(s[1:-1], s)) if s.startswith("$(") else s
                                              for s in p.segments)),
}

NAMESPACES: dict[tuple[str, str], Callable[..., Any]] = {
    ("math", "abs"): lambda x: abs(_need(x, "number")),
    ("math", "ceil"): lambda x: math.ceil(_need(x, "number")),
    ("math", "floor"): lambda x: math.floor(_need(x, "number")),
    ("math", "round"): _round,
    ("math", "sqrt"): lambda x: math.sqrt(_need(x, "number")) if x >= 0 else math.nan,
    ("math", "pow"): lambda x, y: float(_need(x, "number")) ** _need(y, "number"),
    ("math", "isInfinite"): _float_fn(math.isinf),
    ("math", "isNaN"): _float_fn(math.isnan),
    ("timestamp", "date"): _date,
    ("timestamp", "value"): lambda ms: Timestamp.from_nanos(_need(ms, "int") * 10 ** 6),
    ("duration", "value"): _duration_value,
    ("duration", "time"): lambda h, m, s, ns: Duration(((_need(h, "int") * 60 + _need(m, "int")) * 60
                                                        + _need(s, "int")) * NANOS + _need(ns, "int")),
    ("duration", "abs"): lambda d: Duration(abs(_need(d, "duration").nanos)),
    ("hashing", "md5"): _hash(lambda b: hashlib.md5(b).digest()),
    ("hashing", "sha256"): _hash(lambda b: hashlib.sha256(b).digest()),
    ("hashing", "crc32"): _hash(lambda b: zlib.crc32(b).to_bytes(4, "little")),   # byte order as the emulator
    ("hashing", "crc32c"): _hash(_crc32c),
    ("latlng", "value"): lambda lat, lng: LatLng(float(_need(lat, "number")), float(_need(lng, "number"))),
}

GLOBALS: dict[str, Callable[..., Any]] = {
    "int": _to_int, "float": _to_float, "string": to_string, "path": to_path, "debug": lambda x: x,
}


def _distance(a: LatLng, b: LatLng) -> float:
    """Great-circle distance in metres (haversine on the mean Earth radius)."""
    la1, la2 = math.radians(a.lat), math.radians(b.lat)
    dla, dlo = la2 - la1, math.radians(b.lng - a.lng)
    h = math.sin(dla / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin(dlo / 2) ** 2
    return 2 * 6371010.0 * math.asin(math.sqrt(h))


def call_method(receiver: Any, name: str, args: list) -> Any:
    kind = type_name(receiver)
    fn = METHODS.get((kind, name))
    if fn is None:
        raise RulesError(f"{kind} has no method {name}()")
    try:
        return fn(receiver, *args)
    except TypeError:
        raise RulesError(f"{kind}.{name}() got {len(args)} arguments") from None


def _fixed_arity(fn: Callable[..., Any], args: list, label: str) -> Any:
    try:
        return fn(*args)
    except TypeError:
        raise RulesError(f"{label}() got {len(args)} arguments or a wrong type") from None
    except (ValueError, OverflowError, ZeroDivisionError) as exc:
        raise RulesError(f"{label}(): {exc}") from None


def call_namespace(namespace: str, name: str, args: list) -> Any:
    fn = NAMESPACES.get((namespace, name))
    if fn is None:
        raise RulesError(f"unknown function {namespace}.{name}()")
    return _fixed_arity(fn, args, f"{namespace}.{name}")


def call_global(name: str, args: list) -> Any:
    return _fixed_arity(GLOBALS[name], args, name)


MAP_DIFF = MapDiff   # re-exported for type checks
