"""A small, correct Dart lexer for what the app checks need: comments, string literals, lines.

Why not a parser: the tree-sitter Dart grammar (tree-sitter-language-pack 0.13) parses ~1.4 MB/s on this
machine before any Python walks the tree, and the 1.x packs download grammars at run time; the app scan
must run at tens of MB/s offline. Dart's lexical grammar is small enough to get right here: `//` and
nested `/* */` comments; single, double, triple-quoted and raw (`r'...'`) strings; escapes; and `${...}`
interpolation that may itself hold strings and braces. A regex jumps between the only characters that
can start a token (`/`, `'`, `"`), so the cost is one C-speed scan plus a step per token.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import NamedTuple

from launchready.runtime.budget import tick

# Whole simple strings (one line; escapes and `$name` allowed, no `${`) and line comments match in one
# step; anything else stops at its first character and is lexed by hand.
# Every alternative starts with a literal character, so the regex engine skips ahead to the next `/`,
# `'` or `"` at C speed (a character class such as ['"] as one alternative turns that off: 2.5x slower).
_NEXT = re.compile(r"""//[^\n]*|'(?!'')[^'\\$\n]*(?:(?:\\[^\n]|\$(?!\{))[^'\\$\n]*)*'"""
                   r"""|"(?!"")[^"\\$\n]*(?:(?:\\[^\n]|\$(?!\{))[^"\\$\n]*)*"|/\*|'|\"""")
_INTERP_NEXT = re.compile(r"//|/\*|'|\"|\{|\}")
_BLOCK_NEXT = re.compile(r"/\*|\*/")
# The body of a non-raw string up to its next special character: quote, backslash, `$`, newline.
_BODY = {q: re.compile(r"[^\\$\n%s]*" % re.escape(q[0])) if len(q) == 1 else re.compile(r"[^\\$%s]*" % re.escape(q[0]))
         for q in ("'", '"', "'''", '"""')}
_IDENT_CHAR = re.compile(r"[\w$]")


class StringLiteral(NamedTuple):
    """One string literal: offsets of the whole literal and of its content (quotes excluded)."""

    start: int
    end: int
    content_start: int
    content_end: int
    raw: bool
    interpolated: bool   # holds `$name` or `${...}`: the value is not known statically


@dataclass
class DartTokens:
    """What one lexing pass over a Dart source yields."""

    source: str
    comments: list[tuple[int, int]] = field(default_factory=list)
    spans: list[tuple[int, int, int, int, bool, bool]] = field(default_factory=list)  # StringLiteral fields
    interpolations: list[tuple[int, int]] = field(default_factory=list)  # `{...}` of each `${...}`: (start, end)

    @cached_property
    def strings(self) -> list[StringLiteral]:
        """Every string literal (nested ones inside `${...}` too), in source order."""
        return [StringLiteral._make(span) for span in self.spans]

    @cached_property
    def code(self) -> str:
        """The source with every comment replaced by spaces (newlines kept), so offsets and lines hold."""
        if not self.comments:
            return self.source
        parts, at = [], 0
        for start, end in self.comments:
            parts.append(self.source[at:start])
            text = self.source[start:end]
            parts.append(re.sub(r"[^\n]", " ", text) if "\n" in text else " " * len(text))
            at = end
        parts.append(self.source[at:])
        return "".join(parts)

    @cached_property
    def _newlines(self) -> list[int]:
        return [m.start() for m in re.finditer("\n", self.source)]

    def line(self, offset: int) -> int:
        return bisect.bisect_right(self._newlines, offset - 1) + 1

    def value(self, literal: StringLiteral) -> str:
        return self.source[literal.content_start:literal.content_end]

    def string_at(self, offset: int) -> StringLiteral | None:
        """The literal that starts at `offset`, if any."""
        i = bisect.bisect_left(self.string_starts, offset)
        return self.strings[i] if i < len(self.strings) and self.strings[i].start == offset else None

    @cached_property
    def string_starts(self) -> list[int]:
        return [span[0] for span in self.spans]


def lex(source: str) -> DartTokens:
    tokens = DartTokens(source)
    _Lexer(source, tokens).run()
    tokens.spans.sort()
    return tokens


class _Lexer:
    def __init__(self, source: str, tokens: DartTokens):
        self.src, self.n, self.out = source, len(source), tokens

    def run(self) -> None:
        pos, search, src, steps = 0, _NEXT.search, self.src, 0
        comments, strings = self.out.comments.append, self.out.spans.append
        while True:
            steps += 1
            if not steps & 1023:   # the per-file time budget, and a SIGTERM, get a look-in
                tick()
            match = search(src, pos)
            if match is None:
                return
            start, pos = match.span()
            first = src[start]
            if pos - start > 1 and first != "/":       # a whole simple string
                if start > 0 and src[start - 1] in "rR" and (start < 2 or not _IDENT_CHAR.match(src[start - 2])):
                    pos = self._string(start)            # raw: `\` and `$` mean themselves, re-lex
                else:
                    strings((start, pos, start + 1, pos - 1, False, "$" in match.group()))
            elif first == "/" and src[start + 1] == "/":
                comments((start, pos))
            else:
                pos = self._token(match.group(), start)

    def _token(self, token: str, at: int) -> int:
        if token == "//":
            end = self.src.find("\n", at)
            end = self.n if end < 0 else end
            self.out.comments.append((at, end))
            return end
        if token == "/*":
            end = self._block_end(at)
            self.out.comments.append((at, end))
            return end
        return self._string(at)

    def _block_end(self, at: int) -> int:
        depth, pos = 0, at
        while True:   # Dart block comments nest
            match = _BLOCK_NEXT.search(self.src, pos)
            if match is None:
                return self.n
            depth += 1 if match.group() == "/*" else -1
            pos = match.end()
            if depth == 0:
                return pos

    def _string(self, at: int) -> int:
        """Lex the string literal whose opening quote is at `at`; return the offset just past it."""
        src = self.src
        raw = at > 0 and src[at - 1] in "rR" and (at < 2 or not _IDENT_CHAR.match(src[at - 2]))
        quote = src[at:at + 3] if src[at:at + 3] in ("'''", '"""') else src[at]
        start = at - 1 if raw else at
        content_start = at + len(quote)
        if raw:
            content_end, end = self._raw_end(quote, content_start)
            self.out.spans.append((start, end, content_start, content_end, True, False))
            return end
        content_end, end, interpolated = self._string_body(quote, content_start)
        self.out.spans.append((start, end, content_start, content_end, False, interpolated))
        return end

    def _raw_end(self, quote: str, pos: int) -> tuple[int, int]:
        """(content end, literal end) of a raw string: no escapes, no interpolation."""
        close = self.src.find(quote, pos)
        if len(quote) == 1:
            line_end = self.src.find("\n", pos)
            if line_end >= 0 and (close < 0 or close > line_end):
                return line_end, line_end   # unterminated: ends at the line end
        if close < 0:
            return self.n, self.n
        return close, close + len(quote)

    def _string_body(self, quote: str, pos: int) -> tuple[int, int, bool]:
        src, body, interpolated = self.src, _BODY[quote], False
        while True:
            match = body.match(src, pos)
            assert match is not None  # every _BODY pattern is `[...]*`, which matches the empty string
            pos = match.end()
            if pos >= self.n:
                return self.n, self.n, interpolated
            char = src[pos]
            if char == "\\":
                pos += 2
            elif char == "$":
                interpolated = True
                if src.startswith("${", pos):
                    end = self._interpolation_end(pos + 2)
                    self.out.interpolations.append((pos + 1, end))
                    pos = end
                else:
                    pos += 1
            elif char == "\n":    # an unterminated one-line string ends at the line end
                return pos, pos, interpolated
            elif src.startswith(quote, pos):
                return pos, pos + len(quote), interpolated
            else:                 # a lone quote character inside a triple-quoted string
                pos += 1

    def _interpolation_end(self, pos: int) -> int:
        """Offset just past the `}` closing a `${` whose expression starts at `pos`."""
        depth = 1
        while True:
            match = _INTERP_NEXT.search(self.src, pos)
            if match is None:
                return self.n
            token, at = match.group(), match.start()
            if token == "{":
                depth, pos = depth + 1, at + 1
            elif token == "}":
                depth, pos = depth - 1, at + 1
                if depth == 0:
                    return pos
            else:
                pos = self._token(token, at)
