"""Bracket and statement bounds in comment-blanked Dart code, skipping string literals by the lexer's
spans (see `checks.secrets.dart_lexer`). Used only around a candidate call a check already found."""
from __future__ import annotations

import bisect

from launchready.checks.secrets.dart_lexer import DartTokens

_PAIRS = {"(": ")", "[": "]", "{": "}"}


def _string_around(tokens: DartTokens, offset: int) -> tuple[int, int] | None:
    """(start, end) of the string literal holding `offset`, if any."""
    starts = tokens.string_starts
    i = bisect.bisect_right(starts, offset) - 1
    while i >= 0:
        literal = tokens.strings[i]
        if literal.end > offset:
            return literal.start, literal.end
        if literal.start < offset - 4096:   # no literal that starts this far back can still be open
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
