"""Bracket and statement bounds in comment-blanked Dart code, skipping string literals by the lexer's
spans (see `checks.secrets.dart_lexer`). Used only around a candidate call a check already found."""
from __future__ import annotations

import bisect
import re
from typing import Iterator

from launchready.flutter.app_scan import DartSource
from launchready.flutter.dart_lexer import DartTokens

_PAIRS = {"(": ")", "[": "]", "{": "}"}


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


def balanced_end(tokens: DartTokens, open_at: int) -> int:
    """Offset just past the bracket that closes the one at `open_at` (strings skipped)."""
    code, depth, i = tokens.code, 0, open_at
    while i < len(code):
        char = code[i]
        if char in "'\"":
            around = _string_around(tokens, i)
            i = around[1] if around else i + 1
            continue
        if char in _PAIRS:
            depth += 1
        elif char in ")]}":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return len(code)


def statement_start(tokens: DartTokens, pos: int) -> int:
    """Start of the statement or expression that contains `pos` (back to `;`, `{` or `}` at depth 0)."""
    code, depth, i = tokens.code, 0, pos - 1
    while i >= 0:
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
    return 0


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
