"""Expression probes for the value model: one collection per probe, `allow create` when the probe
expression holds for the written field `v`. The rules file is generated from this list; verdicts
come from the emulator (build_corpus.py), never from this file."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any


@dataclass(frozen=True)
class Ref:
    """A DocumentReference field value (referenceValue)."""
    path: str


@dataclass(frozen=True)
class Geo:
    lat: float
    lng: float


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


T = utc(2024, 3, 15, 10, 30, 45)
# (name, construct tags, condition over `v`, values for v)
PROBES: list[tuple[str, tuple[str, ...], str, list[Any]]] = [
    ("str_size", ("string-size",), "v.size() == 5", ["hello", "héllo", "hi", 5]),
    ("str_matches", ("string-matches",), r"v.matches('[a-z]+@[a-z]+\\.com')", ["bob@x.com", "Bob@x.com", "bob@x.comm", 3]),
    ("str_matches_flags", ("string-matches",), "v.matches('(?i)abc')", ["ABC", "abd"]),
    ("str_matches_partial", ("string-matches",), "v.matches('b')", ["abc", "b"]),
    ("str_lower", ("string-lower",), "v.lower() == 'abc'", ["AbC", "abd"]),
    ("str_upper", ("string-lower",), "v.upper() == 'ABC'", ["abc", "ab"]),
    ("str_trim", ("string-size",), "v.trim() == 'x'", ["  x ", "x", " y"]),
    ("str_split", ("string-size",), "v.split(',').size() == 3", ["a,b,c", "a,b", "a,,c"]),
    ("str_split_re", ("string-matches",), "v.split('[,;]')[1] == 'b'", ["a;b", "a,b", "a"]),
    ("str_replace", ("string-matches",), "v.replace('a+', 'b') == 'bcb'", ["aaca", "aca", "xcx"]),
    ("str_utf8", ("string-size",), "v.toUtf8().size() == 4", ["abcd", "é12", "日"]),
    ("str_index", ("string-size",), "v[0] == 'a'", ["abc", "bac", ""]),
    ("str_slice", ("string-size",), "v[1:3] == 'bc'", ["abcd", "ab"]),
    ("str_concat", ("string-size",), "v + '-x' == 'a-x'", ["a", "b", 1]),
    ("str_order", ("string-size",), "v < 'm'", ["a", "z", "M", 1]),
    ("str_in_list", ("list-in",), "v in ['a', 'b']", ["a", "c"]),
    ("is_int", ("type-check", "numbers"), "v is int", [1, 1.0, "1"]),
    ("is_float", ("type-check", "numbers"), "v is float", [1, 1.5]),
    ("is_number", ("type-check", "numbers"), "v is number", [1, 2.5, "x"]),
    ("is_string", ("type-check",), "v is string", ["x", 1, None]),
    ("is_bool", ("type-check",), "v is bool", [True, "true"]),
    ("is_list", ("type-check",), "v is list", [[1], {"a": 1}]),
    ("is_map", ("type-check",), "v is map", [{"a": 1}, [1]]),
    ("is_timestamp", ("type-check",), "v is timestamp", [T, "2024-01-01"]),
    ("is_bytes", ("type-check",), "v is bytes", [b"abc", "abc"]),
    ("is_latlng", ("type-check",), "v is latlng", [Geo(1, 2), "1,2"]),
    ("is_path", ("type-check", "path-compare"), "v is path", [Ref("users/alice"), "users/alice"]),
    ("int_float_eq", ("numbers",), "v == 1", [1, 1.0, 1.5, True]),
    ("int_div", ("numbers",), "v / 2 == 2", [5, 4, 5.0]),
    ("int_mod", ("numbers",), "v % 3 == 2", [5, -1, 8]),
    ("int_mod_neg", ("numbers",), "v % 3 == -1", [-1, 2]),
    ("int_div_neg", ("numbers",), "v / 2 == -2", [-5, -4]),
    ("float_div", ("numbers",), "v / 4 == 0.25", [1, 1.0]),
    ("int_overflow", ("numbers",), "v + 1 > 0", [9223372036854775807, 5]),
    ("int_mul", ("numbers",), "v * 3 == 9.0", [3, 3.0]),
    ("div_zero_or", ("short-circuit", "numbers"), "v / 0 == 0 || true", [1]),
    ("div_zero", ("numbers",), "v / 0 > 0", [1, 1.0]),
    ("err_and_false", ("short-circuit", "missing-field-error"), "!(v.nope == 1 && false)", [{"a": 1}]),
    ("err_or_true", ("short-circuit", "missing-field-error"), "v.nope == 1 || true", [{"a": 1}]),
    ("false_and_err", ("short-circuit", "missing-field-error"), "!(false && v.nope == 1)", [{"a": 1}]),
    ("true_or_err", ("short-circuit", "missing-field-error"), "true || v.nope == 1", [{"a": 1}]),
    ("err_and_true", ("short-circuit", "missing-field-error"), "!(v.nope == 1 && true)", [{"a": 1}]),
    ("err_or_false", ("short-circuit", "missing-field-error"), "v.nope == 1 || false", [{"a": 1}]),
    ("err_not", ("missing-field-error",), "!(v.nope == 1)", [{"a": 1}, {"nope": 2}]),
    ("err_eq_null", ("missing-field-error",), "v.nope == null", [{"a": 1}, {"nope": None}]),
    ("non_bool_and", ("short-circuit",), "v && true", [True, 1, "x"]),
    ("ternary", ("ternary",), "(v > 5 ? 'big' : 'small') == 'big'", [6, 3, "x"]),
    ("ternary_err", ("ternary", "missing-field-error"), "v.nope ? true : true", [{"a": 1}]),
    ("ternary_nonbool", ("ternary",), "v ? true : false", [True, 1]),
    ("neg", ("numbers",), "-v == -3", [3, 3.0, "3"]),
    ("list_size", ("list-size",), "v.size() == 2", [[1, 2], [1], "ab"]),
    ("list_hasAny", ("list-in",), "v.hasAny(['x', 'y'])", [["a", "x"], ["a"], []]),
    ("list_hasAll", ("list-hasAll",), "v.hasAll(['x', 'y'])", [["y", "x", "z"], ["x"], []]),
    ("list_hasOnly", ("list-hasOnly",), "v.hasOnly(['x', 'y'])", [["x"], ["x", "z"], []]),
    ("list_in", ("list-in",), "'x' in v", [["x"], ["y"], "x"]),
    ("list_in_num", ("list-in", "numbers"), "1 in v", [[1.0], [2]]),
    ("list_join", ("list-size",), "v.join('-') == 'a-b'", [["a", "b"], ["a", 1]]),
    ("list_concat", ("list-size",), "v.concat(['z']).size() == 3", [["a", "b"], ["a"]]),
    ("list_removeAll", ("list-size",), "v.removeAll(['x']) == ['y']", [["x", "y", "x"], ["y", "z"]]),
    ("list_toSet", ("list-size",), "v.toSet().size() == 2", [["a", "a", "b"], ["a", "b", "c"]]),
    ("list_index", ("list-size",), "v[1] == 'b'", [["a", "b"], ["a"]]),
    ("list_slice", ("list-size",), "v[0:2] == ['a', 'b']", [["a", "b", "c"], ["a"]]),
    ("list_plus", ("list-size",), "v + ['c'] == ['a', 'b', 'c']", [["a", "b"], ["b", "a"]]),
    ("list_eq_float", ("list-size", "numbers"), "v == [1, 2]", [[1.0, 2], [2, 1]]),
    ("set_intersection", ("list-size",), "v.toSet().intersection(['a', 'b'].toSet()).size() == 1", [["a", "c"], ["a", "b"]]),
    ("set_union", ("list-size",), "v.toSet().union(['a'].toSet()) == ['a', 'b'].toSet()", [["b"], ["c"]]),
    ("set_difference", ("list-size",), "v.toSet().difference(['a'].toSet()).size() == 0", [["a", "a"], ["b"]]),
    ("set_in", ("list-in",), "'a' in v.toSet()", [["a"], ["b"]]),
    ("set_hasAll", ("list-hasAll",), "v.toSet().hasAll(['a'])", [["a", "b"], ["b"]]),
    ("map_keys", ("keys-hasAll",), "v.keys().hasAll(['a'])", [{"a": 1}, {"b": 1}]),
    ("map_keys_only", ("keys-hasOnly",), "v.keys().hasOnly(['a', 'b'])", [{"a": 1}, {"a": 1, "c": 2}]),
    ("map_keys_any", ("keys-hasAny",), "v.keys().hasAny(['a', 'b'])", [{"b": 1}, {"c": 1}]),
    ("map_values", ("map-size",), "v.values().hasAny([1])", [{"x": 1}, {"x": 2}]),
    ("map_size", ("map-size",), "v.size() == 1", [{"a": 1}, {}]),
    ("map_get", ("map-get",), "v.get('a', 0) == 1", [{"a": 1}, {}]),
    ("map_get_nested", ("map-get",), "v.get(['a', 'b'], 'none') == 'x'", [{"a": {"b": "x"}}, {"a": 1}, {}]),
    ("map_get_default", ("map-get",), "v.get('a', 'none') == 'none'", [{"a": 1}, {}]),
    ("map_in", ("map-in",), "'a' in v", [{"a": 1}, {}]),
    ("map_index", ("map-get",), "v['a'] == 1", [{"a": 1}, {}]),
    ("map_attr_null", ("missing-field-error",), "v.a == null", [{"a": None}, {}]),
    ("map_eq", ("map-size", "numbers"), "v == {'a': 1}", [{"a": 1}, {"a": 1.0}, {"a": 2}]),
    ("map_nested", ("map-get",), "v.a.b == 1", [{"a": {"b": 1}}, {"a": 1}]),
    ("diff_added", ("diff-addedKeys",), "v.diff({'a': 1, 'b': 2}).addedKeys() == ['c'].toSet()", [{"a": 5, "b": 2, "c": 1}, {"a": 1, "b": 2}]),
    ("diff_removed", ("diff-removedKeys",), "v.diff({'a': 1, 'b': 2}).removedKeys() == ['b'].toSet()", [{"a": 1}, {"a": 1, "b": 2}]),
    ("diff_changed", ("diff-changedKeys",), "v.diff({'a': 1, 'b': 2}).changedKeys() == ['a'].toSet()", [{"a": 5, "b": 2}, {"a": 1.0, "b": 2}]),
    ("diff_unchanged", ("diff-unchangedKeys",), "v.diff({'a': 1, 'b': 2}).unchangedKeys().hasAll(['a', 'b'])", [{"a": 1, "b": 2, "c": 3}, {"a": 1}]),
    ("diff_affected", ("diff-affectedKeys",), "v.diff({'a': 1, 'b': 2}).affectedKeys() == ['a', 'b', 'c'].toSet()", [{"a": 5, "c": 1}, {"a": 1, "c": 1}]),
    ("ts_before_now", ("request-time",), "v < request.time", [utc(2020, 1, 1), utc(2099, 1, 1)]),
    ("ts_date", ("timestamp-date",), "v.date() == timestamp.date(2024, 3, 15)", [T, utc(2024, 3, 16)]),
    ("ts_parts", ("timestamp-date",), "v.year() == 2024 && v.month() == 3 && v.day() == 15", [T, utc(2023, 3, 15)]),
    ("ts_clock", ("timestamp-date",), "v.hours() == 10 && v.minutes() == 30 && v.seconds() == 45", [T, utc(2024, 3, 15, 11, 30, 45)]),
    ("ts_dow", ("timestamp-date",), "v.dayOfWeek() == 5", [T, utc(2024, 3, 16)]),
    ("ts_doy", ("timestamp-date",), "v.dayOfYear() == 75", [T, utc(2023, 3, 15)]),
    ("ts_millis", ("timestamp-date",), "v.toMillis() == 1710498645000", [T, utc(2024, 3, 15)]),
    ("ts_time", ("timestamp-date", "duration"), "v.time() == duration.time(10, 30, 45, 0)", [T, utc(2024, 3, 15)]),
    ("ts_plus", ("duration",), "v + duration.value(1, 'd') > timestamp.date(2024, 3, 16)", [T, utc(2024, 3, 14)]),
    ("ts_minus", ("duration",), "timestamp.date(2024, 3, 16) - v == duration.value(13.5, 'h') - duration.value(45, 's')", [T, utc(2024, 3, 15)]),
    ("ts_value", ("timestamp-date",), "timestamp.value(v) == timestamp.date(2024, 1, 1)", [1704067200000, 1]),
    ("dur_seconds", ("duration",), "duration.value(v, 'm').seconds() == 120", [2, 3]),
    ("dur_abs", ("duration",), "duration.abs(duration.value(v, 's')) == duration.value(5, 's')", [-5, 4]),
    ("dur_units", ("duration",), "duration.value(v, 'w') == duration.value(14, 'd')", [2, 1]),
    ("math_abs", ("numbers",), "math.abs(v) == 3", [-3, 3.0, "x"]),
    ("math_ceil", ("numbers",), "math.ceil(v) == 3", [2.1, 3, 2.0]),
    ("math_floor", ("numbers",), "math.floor(v) == 2", [2.9, -2.1, 2]),
    ("math_round", ("numbers",), "math.round(v) == 3", [2.5, 3.4, 3.5]),
    ("math_sqrt", ("numbers",), "math.sqrt(v) == 3.0", [9, 9.0, 8]),
    ("math_pow", ("numbers",), "math.pow(v, 2) == 9", [3, 3.0, 2]),
    ("math_isinf", ("numbers",), "math.isInfinite(v)", [1.5, 1]),
    ("hash_sha256", ("string-size",), "hashing.sha256(v) == hashing.sha256('abc')", ["abc", "abd"]),
    ("hash_md5", ("string-size",), "hashing.md5(v).toHexString() == '900150983CD24FB0D6963F7D28E17F72'", ["abc", "abd"]),
    ("hash_crc32", ("string-size",), "hashing.crc32(v).toHexString() == '352441C2'", ["abc", "abd"]),
    ("hash_crc32_le", ("string-size",), "hashing.crc32(v).toHexString() == 'C2412435'", ["abc"]),
    ("hash_crc32c", ("string-size",), "hashing.crc32c(v).toHexString() == '364B3FB7'", ["abc"]),
    ("hash_crc32c_le", ("string-size",), "hashing.crc32c(v).toHexString() == 'B73F4B36'", ["abc"]),
    ("hash_bytes", ("string-size",), "hashing.sha256(v) == hashing.sha256('abc'.toUtf8())", [b"abc", b"abd"]),
    ("bytes_size", ("string-size",), "v.size() == 3", [b"abc", b"ab"]),
    ("bytes_b64", ("string-size",), "v.toBase64() == 'YWJj'", [b"abc", b"ab"]),
    ("latlng_lat", ("numbers",), "v.latitude() == 1.5 && v.longitude() == 2", [Geo(1.5, 2), Geo(2, 1.5)]),
    ("latlng_distance", ("numbers",), "v.distance(latlng.value(0, 0)) < 200000", [Geo(1, 1), Geo(10, 10)]),
    ("path_eq", ("path-compare",), "v == /databases/$(database)/documents/users/alice", [Ref("users/alice"), Ref("users/bob")]),
    ("path_index", ("path-compare",), "v[4] == 'alice'", [Ref("users/alice"), Ref("users/bob")]),
    ("path_fn", ("path-compare",), "path('/databases/' + database + '/documents/users/alice') == v", [Ref("users/alice"), Ref("users/bob")]),
    ("path_in", ("path-compare", "list-in"), "/databases/$(database)/documents/users/alice in v", [[Ref("users/alice")], [Ref("users/bob")]]),
    ("string_fn", ("type-check",), "string(v) == '1'", [1, True, "1", 1.0]),
    ("string_fn_bool", ("type-check",), "string(v) == 'true'", [True]),
    ("string_fn_null", ("type-check",), "string(v) == 'null'", [None]),
    ("string_fn_float", ("type-check",), "string(v) == '1.5'", [1.5, 1]),
    ("int_fn", ("numbers",), "int(v) == 3", ["3", 3.7, "x"]),
    ("float_fn", ("numbers",), "float(v) == 2.5", ["2.5", 2]),
    ("null_eq", ("type-check",), "v == null", [None, 0, ""]),
    ("bool_not", ("type-check",), "!v", [False, True, 0]),
    ("let_fn", ("let", "function-params"), "doubled(v) > 10", [6, 5, "x"]),
    ("let_err_unused", ("let", "function-params"), "ignoresLet(v)", [{"a": 1}]),
    ("fn_nested", ("function-params",), "outer(v)", [4, 1]),
    ("method_and_get", ("request-method",), "request.method == 'create' && v == 1", [1, 2]),
    ("nested_rrd", ("request-resource-data",), "request.resource.data.keys().hasOnly(['v']) && v == 1", [1]),
    ("map_literal_in", ("map-in",), "v in {'a': 1, 'b': 2}", ["a", "c"]),
    ("str_escape", ("string-matches",), r"v == 'it\'s' || v.matches('\\d+')", ["it's", "123", "x"]),
]

FUNCTIONS = """
    function doubled(x) {
      let y = x * 2;
      return y;
    }
    function ignoresLet(m) {
      let broken = m.nope;
      return true;
    }
    function inner(x) { return x * 2; }
    function outer(x) { return inner(inner(x)) == 16; }
"""


def probes_rules() -> str:
    """The probe rules file: `match /probe_<name>/{id}` allowing create when the probe holds."""
    blocks = "\n".join(
        f"    match /probe_{name}/{{id}} {{\n      allow create: if {cond};\n    }}" for name, _, cond, _ in PROBES)
    return ("rules_version = '2';\n\n// Generated by build_corpus.py from probes.py: one collection per expression probe.\n"
            "service cloud.firestore {\n  match /databases/{database}/documents {\n"
            + FUNCTIONS + "\n" + _substitute(blocks) + "\n  }\n}\n")


def _substitute(text: str) -> str:
    """Every bare `v` in a condition stands for the written field."""
    import re
    return re.sub(r"(?<![\w.'])v(?=[ .\[)\-+,;]|$)", "request.resource.data.v", text)
