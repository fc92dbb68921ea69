"""Where the app writes data: every Firestore, Realtime Database and REST write in a Dart file, with
its flow (API, collection or path) and the fields and values it writes. Judging them is the checks' job.

A call counts only when its target resolves (through the names in it, two definitions deep) to a data
store: `.collection(...)`, `.doc(...)`, a reference, a FlutterFlow `XRecord`, `FirebaseDatabase`,
`.ref(...)`/`.child(...)`; `list.add({...})` and `map.update(...)` never do.
"""
from __future__ import annotations

import re

from launchready.flutter.app_scan import AppScan, DartSource
from launchready.flutter.dart import balanced_end, caller_arguments, definition, split_top_level, statement_start

WRITE_CALL = re.compile(r"\.(set|update|add|push|setData|updateData)\s*\(")
REST_WRITE_HOST = re.compile(r"firestore\.googleapis\.com|firebaseio\.com|firebasedatabase\.app")
TRIGGER = (".set(", ".update(", ".add(", ".push(", ".setData(", ".updateData(", "firestore.googleapis.com",
           "firebaseio.com", "firebasedatabase.app")
# Receivers whose first argument is the document (Transaction.update(ref, data), WriteBatch.set(ref, data)).
TWO_ARG_RECEIVERS = re.compile(r"(?i)(?:transaction|batch|\btxn?|\btx|\bt)\s*!?\s*$")
FIRESTORE_HINT = re.compile(r"\.collection\s*\(|\.doc\s*\(|FirebaseFirestore|Document(?:Reference|Snapshot)|"
                            r"CollectionReference|Record\b|Record\.collection|[Rr]eference\b|\w(?:Ref|Doc)\b")
RTDB_HINT = re.compile(r"FirebaseDatabase|DatabaseReference|\.ref\s*\(|\.child\s*\(|\.reference\s*\(\)|\.push\s*\(\)")
COLLECTION = re.compile(r"""\.collection\s*\(\s*['"]([\w-]+)|\b(\w+)Record\.collection\b|\.doc\s*\(\s*['"]([\w-]+)/""")
RTDB_SEGMENTS = re.compile(r"""\.(?:ref|child|reference)\s*\(\s*['"]([^'"]+)['"]""")
RECORD_DATA = re.compile(r"\bcreate(\w+)RecordData\s*\(")
STRING_KEY = re.compile(r"""(?:^|[{,(\s])(['"])([\w.$ -]+)\1\s*:""")
NAMED_ARG = re.compile(r"(?:^|[(,\s])([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)\s*:(?!:)")
IDENTIFIER = re.compile(r"\b[A-Za-z_$][\w$]*\b")
DART_WORDS = frozenset({"await", "final", "var", "const", "return", "this", "new", "async", "if", "else", "null",
                        "true", "false", "widget", "context", "instance", "set", "update", "add", "doc", "collection"})


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


RECORD_CLASS = re.compile(r"""class\s+(\w+)Record\b[\s\S]{0,600}?\.collection\s*\(\s*['"]([\w-]+)['"]""")


def record_collections(app: AppScan) -> dict[str, str]:
    """FlutterFlow's `XRecord` classes -> the collection each wraps (lib/backend/schema/*_record.dart)."""
    found: dict[str, str] = {}
    for dart in app.dart:
        if dart.rel.endswith("_record.dart"):
            found.update(RECORD_CLASS.findall(dart.source))
    return found


class _Flow:
    """Where one write goes: API, collection or path, and whether the target is a data store at all."""

    def __init__(self, dart: DartSource, target: str, records: dict[str, str]):
        self.text = _expand(dart, target)
        self.rtdb = bool(RTDB_HINT.search(self.text))
        self.firestore = not self.rtdb and bool(FIRESTORE_HINT.search(self.text))
        segments = [seg for raw in RTDB_SEGMENTS.findall(self.text) for seg in raw.strip("/").split("/")]
        self.path = [s for s in segments if s and not s.startswith("$")]
        own = list(COLLECTION.finditer(target))   # users/{id}/purchase_history: the innermost collection
        found = own[-1] if own else COLLECTION.search(self.text)
        self.collection: str | None
        if self.rtdb:
            self.collection = "/".join(self.path) or "(database root)"
        elif found:
            record = found.group(2)
            self.collection = found.group(1) or (records.get(record, _snake(record)) if record else found.group(3))
        else:
            self.collection = None


def _expand(dart: DartSource, target: str, depth: int = 0) -> str:
    """The target expression with the definitions of the names in it appended (two levels deep)."""
    if depth == 2 or COLLECTION.search(target) or RTDB_SEGMENTS.search(target):
        return target
    found = (definition(dart, name) for name in set(IDENTIFIER.findall(target)) - DART_WORDS)
    return " ".join([target, *(_expand(dart, d, depth + 1) for d in found if d and d != target)])


def _entries(data: str, offset: int) -> list[tuple[str, str, int]]:
    """(field, value text, offset) of every map key or named argument in a written value."""
    entries = []
    for part_start, part in _parts(data, offset):
        key = STRING_KEY.match(part) or NAMED_ARG.match(part)
        if key and key.lastindex:
            value = part[key.end():].strip()
            entries.append((key.group(key.lastindex), value, part_start + key.start(key.lastindex)))
            inner = value.find("{")
            if value.startswith(("{", "<")) and inner >= 0:   # nested map: its keys are written too
                entries.extend(_entries(value[inner + 1:value.rfind("}")], part_start + part.find(value) + inner + 1))
    return entries


def _parts(data: str, offset: int) -> list[tuple[int, str]]:
    """Depth-0 comma-separated pieces of a map literal or argument list, with their offsets."""
    body, start = data, offset
    stripped = data.lstrip()
    record = RECORD_DATA.match(stripped)
    if stripped.startswith(("{", "<")) or record:
        open_at = data.find("(" if record else "{")
        body, start = data[open_at + 1:data.rfind(")" if record else "}")], offset + open_at + 1
    pieces, at = [], start
    for piece in split_top_level(body):
        pieces.append((at + len(piece) - len(piece.lstrip()), piece.strip()))
        at += len(piece) + 1
    return pieces


def _calls(dart: DartSource, records: dict[str, str]) -> list[tuple[_Flow, str, int, str, int]]:
    """(flow, written data text, its offset, api, call offset) of every data-store write call in the file
    (found once per file and run: `writes` and `helper_writes` both read them)."""
    cached = dart.facts.get("write_calls")
    if cached is not None and cached[0] is records:
        return cached[1]
    found = _find_calls(dart, records)
    dart.facts["write_calls"] = (records, found)
    return found


def _find_calls(dart: DartSource, records: dict[str, str]) -> list[tuple[_Flow, str, int, str, int]]:
    code, tokens = dart.code, dart.tokens
    found: list[tuple[_Flow, str, int, str, int]] = []
    for call in WRITE_CALL.finditer(code):
        open_at = call.end() - 1
        args_start, args_end = open_at + 1, balanced_end(tokens, open_at) - 1
        args = code[args_start:args_end]
        receiver = code[statement_start(tokens, call.start()):call.start()]
        target, data, data_offset = receiver, args, args_start
        if TWO_ARG_RECEIVERS.search(receiver):
            first = split_top_level(args)[0]
            target, data, data_offset = first, args[len(first) + 1:], args_start + len(first) + 1
        record = RECORD_DATA.search(data)
        flow = _Flow(dart, target + (f" {record.group(1)}Record.collection" if record else ""), records)
        if flow.firestore or flow.rtdb:
            api = f"{'firebase_database' if flow.rtdb else 'cloud_firestore'} .{call.group(1)}()"
            found.append((flow, data, data_offset, api, call.start()))
    return found


def writes(dart: DartSource, records: dict[str, str], app: AppScan | None = None) -> list[tuple[_Flow, str, str, int, str]]:
    """(flow, field, value, offset, api call) of every data-store write in the file. With `app`, a map key
    held in a constant (`{kIsPremium: true}`, `{UserFields.plan: ...}`) is read as the string it holds."""
    found: list[tuple[_Flow, str, str, int, str]] = []
    for flow, data, data_offset, api, call_at in _calls(dart, records):
        entries = _entries(data, data_offset)
        if flow.rtdb and not entries and flow.path:   # ref('orders/$id/status').set('paid')
            entries = [(flow.path[-1], data.strip(), call_at)]
            flow.collection = "/".join(flow.path[:-1]) or flow.collection
        if app is not None and data.lstrip().startswith("{"):
            entries = [(_constant(app, dart, name, at), value, at) for name, value, at in entries]
        found.extend((flow, name, value, at, api) for name, value, at in entries)
    return found


def helper_writes(dart: DartSource, records: dict[str, str], app: AppScan
                  ) -> list[tuple[DartSource, _Flow, str, str, int, str]]:
    """Writes made through the app's own helper (`updateUser(uid, {'isPro': true})` where `updateUser`
    passes its `data` parameter to `.update(data)`): (caller's file, flow, field, value, offset there, api)."""
    found: list[tuple[DartSource, _Flow, str, str, int, str]] = []
    for flow, data, _, api, _ in _calls(dart, records):
        if not IDENTIFIER.fullmatch(data.strip()):
            continue
        for source, arg, offset in caller_arguments(dart, app.dart, data.strip()):
            if arg.lstrip().startswith("{"):
                found.extend((source, flow, _constant(app, source, name, at), value, at, f"{api} in a helper")
                             for name, value, at in _entries(arg, offset))
    return found


def _constant(app: AppScan, dart: DartSource, key: str, at: int) -> str:
    """The string a map key names: itself when quoted in the source (at offset `at`), else the literal
    its constant holds."""
    if dart.code[at - 1:at] in ("'", '"') or not IDENTIFIER.fullmatch(key.split(".")[-1]) or key in DART_WORDS:
        return key
    name = key.split(".")[-1]
    for source in [dart, *(d for d in app.dart if d is not dart)]:
        found = definition(source, name) if name in source.source else None
        literal = re.fullmatch(r"""\s*(?:const\s+)?(['"])([\w.-]+)\1\s*""", found or "")
        if literal:
            return literal.group(2)
    return key


def rest_writes(dart: DartSource) -> list[tuple[str, str, str, int, str]]:
    """(collection or path, field, value, offset, api) of REST writes to Firestore or the Realtime Database."""
    found: list[tuple[str, str, str, int, str]] = []
    if not REST_WRITE_HOST.search(dart.code):
        return found
    for literal in dart.tokens.strings:
        value = dart.tokens.value(literal)
        host = REST_WRITE_HOST.search(value)
        if not host:
            continue
        path = value[host.end():].split("/documents/")[-1].split("?")[0]
        segments = [s for s in path.strip("/").replace(".json", "").split("/") if s and "$" not in s]
        code = dart.code   # the whole statement holding the URL: from the last `;`/`{`/`}` to the next `;`
        start = max(code.rfind(c, 0, literal.start) for c in ";{}") + 1
        end = code.find(";", literal.end)
        end = len(code) if end < 0 else end
        statement = code[start:end]
        if not re.search(r"(?i)\b(?:post|put|patch)\b", statement):
            continue
        for key in STRING_KEY.finditer(dart.code, literal.end, end):
            value_text = dart.code[key.end():end].split(",")[0].split("}")[0]
            found.append(("/".join(segments[:1]) or "(root)", key.group(2), value_text, key.start(2),
                          f"REST write to {host.group()}"))
    return found


