"""Just enough Dart reading for line-accurate client checks: comments blanked, strings kept.

Not a parser: a character scan that knows Dart's comment and string forms, so a URL or a field name in
a comment is never reported, and offsets still map to the original lines.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Iterator

from launchready.checks.secrets.walk import iter_files

# Code that never ships in the app.
NOT_SHIPPED = ("test/", "integration_test/", "test_driver/")


@dataclass
class DartFile:
    path: Path
    rel: str
    code: str  # comments replaced by spaces (newlines kept)

    @cached_property
    def _newlines(self) -> list[int]:
        return [m.start() for m in re.finditer("\n", self.code)]

    def line(self, offset: int) -> int:
        return bisect.bisect_right(self._newlines, offset - 1) + 1


def blank_comments(source: str) -> str:
    out, i, n = list(source), 0, len(source)
    while i < n:
        two = source[i:i + 2]
        if two == "//":
            end = source.find("\n", i)
            end = n if end < 0 else end
            out[i:end] = " " * (end - i)
            i = end
        elif two == "/*":
            end, depth, j = i + 2, 1, i + 2   # Dart block comments nest
            while j < n and depth:
                if source.startswith("/*", j):
                    depth, j = depth + 1, j + 2
                elif source.startswith("*/", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            end = j
            out[i:end] = [c if c == "\n" else " " for c in source[i:end]]
            i = end
        elif source[i] in "'\"":
            i = _string_end(source, i)
        else:
            i += 1
    return "".join(out)


def _string_end(source: str, i: int) -> int:
    raw = i > 0 and source[i - 1] == "r"
    quote = source[i:i + 3] if source[i:i + 3] in ("'''", '"""') else source[i]
    j = i + len(quote)
    while j < len(source):
        if not raw and source[j] == "\\":
            j += 2
        elif source.startswith(quote, j):
            return j + len(quote)
        elif len(quote) == 1 and source[j] == "\n":
            return j  # unterminated single-line string: stop at the line end
        else:
            j += 1
    return j


def dart_files(app_dir: Path) -> Iterator[DartFile]:
    """The app's shipped Dart sources (tests excluded), .gitignore-aware."""
    for path, rel in iter_files(app_dir):
        if rel.endswith(".dart") and not rel.startswith(NOT_SHIPPED):
            try:
                text = path.read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            yield DartFile(path, rel, blank_comments(text))


def balanced_end(code: str, open_at: int) -> int:
    """Offset just past the bracket that closes the one at `open_at` (strings respected)."""
    pairs, depth, i = {"(": ")", "[": "]", "{": "}"}, 0, open_at
    closers = set(pairs.values())
    while i < len(code):
        char = code[i]
        if char in "'\"":
            i = _string_end(code, i)
            continue
        if char in pairs:
            depth += 1
        elif char in closers:
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return len(code)


def statement_start(code: str, pos: int) -> int:
    """Start of the statement or expression that contains `pos` (back to `;`, `{` or `}` at depth 0)."""
    depth, i = 0, pos - 1
    while i >= 0:
        char = code[i]
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
