"""Bracket and statement bounds in comment-blanked Dart code, skipping string literals by the lexer's
spans (see `launchready.flutter.dart_lexer`). Used only around a candidate call a check already found."""
from __future__ import annotations

import bisect
import re
from array import array
from collections.abc import Iterator

from launchready.flutter.app_scan import DartSource
from launchready.flutter.dart_lexer import DartTokens
from launchready.runtime.budget import tick

_STRUCTURE = re.compile(r"[()\[\]{};]")
# Most answers are a few hundred characters away: a local scan finds them; only a longer one turns to
# the file's structure (computed once), so no file costs more than LOCAL steps per candidate.
LOCAL = 600


def _string_around(tokens: DartTokens, offset: int) -> tuple[int, int] | None:
    """(start, end) of the string literal holding `offset`, if any."""
    starts = tokens.string_starts
    i = bisect.bisect_right(starts, offset) - 1
    while i >= 0:
        start, end = tokens.spans[i][:2]
        if end > offset:
            return start, end
        if start < offset - 4096:   # no literal that starts this far back can still be open
            return None
        i -= 1
    return None


def _local_end(tokens: DartTokens, open_at: int) -> int | None:
    """balanced_end by a forward scan of at most LOCAL chars; None when it goes further."""
    code, depth, i = tokens.code, 0, open_at
    stop = min(len(code), open_at + LOCAL)
    while i < stop:
        char = code[i]
        if char in "'\"":
            around = _string_around(tokens, i)
            i = around[1] if around else i + 1
            continue
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return len(code) if stop == len(code) else None


def _local_start(tokens: DartTokens, pos: int) -> int | None:
    """statement_start by a backward scan of at most LOCAL chars; None when it goes further."""
    code, depth, i = tokens.code, 0, pos - 1
    stop = max(-1, pos - 1 - LOCAL)
    while i > stop:
        char = code[i]
        if char in "'\"":
            around = _string_around(tokens, i)
            if around:
                i = around[0] - 1
                continue
        if char in ")]":
            depth += 1
        elif char in "([":
            if depth == 0:
                return i + 1
            depth -= 1
        elif char in ";{}" and depth == 0:
            return i + 1
        i -= 1
    return 0 if stop == -1 else None


class _Structure:
    """One forward pass over a file's code, strings skipped: where each bracket closes, and where the
    statement holding any offset starts. Computed once per file on first use; answering each
    candidate call by rescanning the file (forward to the close, back to the statement start) was
    quadratic: a 320 KB file of unclosed calls took minutes."""

    def __init__(self, tokens: DartTokens):
        code = tokens.code
        self.size = len(code)
        self.closes = array("i", [self.size]) * (self.size + 1)   # open offset -> offset past its close
        self.positions, self.starts = array("i"), array("i")     # statement start from each offset on
        code_at = _outside_strings(tokens)
        # `${` ... `}`: a statement of its own inside the literal, and the literal is one expression outside
        interpolation_opens = {start for start, _ in tokens.interpolations}
        interpolation_closes = {end - 1 for _, end in tokens.interpolations}
        opens: list[int] = []   # every open bracket, for closes
        frames = [0]            # statement start inside each open `(` / `[`; [0]: top level
        for count, match in enumerate(_STRUCTURE.finditer(code)):
            if not count & 4095:
                tick()
            pos = match.start()
            if not code_at(pos):
                continue
            char = code[pos]
            if char in "([{":
                opens.append(pos)
            elif char in ")]}" and opens:
                self.closes[opens.pop()] = pos + 1
            if char in "([" or pos in interpolation_opens:
                frames.append(pos + 1)
            elif char in ")]" or pos in interpolation_closes:
                if len(frames) > 1:
                    frames.pop()
                else:
                    frames[0] = 0   # a closer never opened: what precedes it is one unfinished group
            else:
                frames[-1] = pos + 1
            self.positions.append(pos + 1)
            self.starts.append(frames[-1])


def _outside_strings(tokens: DartTokens):
    """A test for increasing offsets: is this offset code (outside every string literal, or inside a
    `${...}` of one)? Literals and interpolations nest properly, so one sweep with a stack answers."""
    regions = sorted([(s[0], s[1], True) for s in tokens.spans] + [(a, b, False) for a, b in tokens.interpolations])
    stack: list[tuple[int, bool]] = []   # (end, is a string) of the regions holding the offset
    state = {"next": 0}

    def code_at(pos: int) -> bool:
        i = state["next"]
        while i < len(regions) and regions[i][0] <= pos:
            start, end, is_string = regions[i]
            while stack and stack[-1][0] <= start:
                stack.pop()
            stack.append((end, is_string))
            i += 1
        state["next"] = i
        while stack and stack[-1][0] <= pos:
            stack.pop()
        return not (stack and stack[-1][1])
    return code_at


def _structure(tokens: DartTokens) -> _Structure:
    found = tokens.__dict__.get("_structure")
    if found is None:
        found = tokens.__dict__["_structure"] = _Structure(tokens)
    return found


def balanced_end(tokens: DartTokens, open_at: int) -> int:
    """Offset just past the bracket that closes the one at `open_at` (strings skipped)."""
    local = _local_end(tokens, open_at)
    return local if local is not None else _structure(tokens).closes[open_at]


def statement_start(tokens: DartTokens, pos: int) -> int:
    """Start of the statement or expression that contains `pos` (back to `;`, `{` or `}` at depth 0,
    or just after the unclosed `(` / `[` holding it)."""
    local = _local_start(tokens, pos)
    if local is not None:
        return local
    structure = _structure(tokens)
    i = bisect.bisect_right(structure.positions, pos) - 1
    return structure.starts[i] if i >= 0 else 0


def split_top_level(args: str) -> list[str]:
    """An argument list's inner text split at depth-0 commas (brackets in strings are rare enough)."""
    parts, depth, start = [], 0, 0
    for i, char in enumerate(args):
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append(args[start:i])
            start = i + 1
    parts.append(args[start:])
    return parts


_ASSIGNED = re.compile(r"[ \t]*(?:=>|=(?![=>]))\s*([^;]{0,1000});")
_REFERENCE_TYPES = ("DocumentReference", "CollectionReference", "DatabaseReference", "Query")
_TYPED_RUN = re.compile(r"(?:%s)\b[\w<>?, ]*" % "|".join(_REFERENCE_TYPES))
_AFTER_SPACE = re.compile(r"\s([A-Za-z_$][\w$]*)")
_WORD = re.compile(r"[\w$]")


def definition(dart: DartSource, name: str) -> str | None:
    """The expression first assigned to `name` in the file (`x = ...;`, `get x => ...;`), or the
    reference type it is declared with; cached per file and name."""
    cache = dart.facts.setdefault("definitions", {})
    if name not in cache:
        cache[name] = _find_definition(dart.code, name)
        if cache[name] is None:
            if "typed" not in dart.facts:
                dart.facts["typed"] = _typed_names(dart.code)
            cache[name] = dart.facts["typed"].get(name)
    return cache[name]


def _find_definition(code: str, name: str) -> str | None:
    at = code.find(name)
    while at >= 0:
        end = at + len(name)
        bounded = (at == 0 or not _WORD.match(code[at - 1])) and (end == len(code) or not _WORD.match(code[end]))
        if bounded:
            assigned = _ASSIGNED.match(code, end)
            if assigned:
                return assigned.group(1)
        at = code.find(name, end)
    return None


def _typed_names(code: str) -> dict[str, str]:
    """Each name declared with a reference type (`DocumentReference<Map<..>> userRef`, `Query q`) ->
    that type, the leftmost declaration winning: one pass per file instead of one search per name."""
    typed: dict[str, str] = {}
    if "Reference" not in code and "Query" not in code:   # substring checks run at memory speed; the regex does not
        return typed
    for match in _TYPED_RUN.finditer(code):
        text = match.group()
        kind = next(k for k in _REFERENCE_TYPES if text.startswith(k))
        for name in _AFTER_SPACE.finditer(code, match.start() + len(kind)):   # a space in the run, or just after it
            if name.start() > match.end():
                break
            typed.setdefault(name.group(1), kind)
    return typed


_NOT_FUNCTIONS = frozenset({"if", "for", "while", "switch", "catch", "return"})
_NAMED_ARGUMENT = re.compile(r"^\s*([A-Za-z_]\w*)\s*:(?!:)")


def _signature(name: str) -> re.Pattern[str]:
    """A function declaration with a parameter `name`: `get(String path, String token) {`, `{required Map data}`."""
    return re.compile(rf"\b([A-Za-z_]\w*)\s*\(([^()]*\b{re.escape(name)}\b[^()]*)\)\s*(?:async\s*)?(?:\{{|=>)")


def caller_arguments(dart: DartSource, others: list[DartSource], name: str) -> Iterator[tuple[DartSource, str, int]]:
    """When `name` is a parameter of a function declared in `dart`: (file, argument text, offset) of what
    each call of that function passes for it — one call level, so a helper's callers are followed."""
    declared = _signature(name).search(dart.code)
    if not declared or declared.group(1) in _NOT_FUNCTIONS:
        return
    params = [p.strip(" {}[]") for p in split_top_level(re.sub(r"<[^<>]*(?:<[^<>]*>[^<>]*)*>", "", declared.group(2)))]
    index = next((i for i, p in enumerate(params) if re.search(rf"\b{re.escape(name)}\s*(?:=.*)?$", p)), None)
    named = "{" in declared.group(2).split(name)[0]
    call = re.compile(rf"\b{re.escape(declared.group(1))}\s*\(")
    for source in [dart, *(d for d in others if d is not dart)]:
        for site in call.finditer(source.code) if declared.group(1) in source.source else ():
            if source is dart and site.start() == declared.start(1):
                continue
            inner = source.code[site.end():balanced_end(source.tokens, site.end() - 1) - 1]
            at = site.end()
            for arg in split_top_level(inner):
                label = _NAMED_ARGUMENT.match(arg)
                if named and label and label.group(1) == name:
                    yield source, arg[label.end():], at + label.end()
                elif not named and not label and index is not None and index == _position(inner, arg):
                    yield source, arg, at
                at += len(arg) + 1


def _position(inner: str, arg: str) -> int:
    """The index of `arg` among the positional arguments of an argument list."""
    positional = [a for a in split_top_level(inner) if not _NAMED_ARGUMENT.match(a)]
    return positional.index(arg) if arg in positional else -1
