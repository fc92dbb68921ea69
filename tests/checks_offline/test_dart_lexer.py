"""The Dart lexer the app checks share: every string and comment form, offsets and lines kept."""
from __future__ import annotations

from launchready.flutter.dart_lexer import lex

SOURCE = r'''// a line comment with a 'quote and https://x.y/z
var a = 'it\'s ${b['x'] + "}"} ok $name'; /* nested /* inner */ still comment */ var u = "http://x//y";
var r = r'\d+\'; var t = """multi
line ' " $x // not a comment
""";
var m = 'unterminated
var z = r"""raw ${no} // kept""";
var e = '';
var bar = 'plain'; // tail
'''


def values(tokens) -> list[tuple[str, bool, bool, int]]:
    return [(tokens.source[s.start:s.end], s.raw, s.interpolated, tokens.line(s.start)) for s in tokens.strings]


def test_every_string_form_with_raw_interpolated_and_line() -> None:
    tokens = lex(SOURCE)
    assert values(tokens) == [
        ("""'it\\'s ${b['x'] + "}"} ok $name'""", False, True, 2),
        ("'x'", False, False, 2),
        ('"}"', False, False, 2),
        ('"http://x//y"', False, False, 2),
        ("r'\\d+\\'", True, False, 3),
        ('"""multi\nline \' " $x // not a comment\n"""', False, True, 3),
        ("'unterminated", False, False, 6),
        ('r"""raw ${no} // kept"""', True, False, 7),
        ("''", False, False, 8),
        ("'plain'", False, False, 9),
    ]
    assert tokens.value(tokens.strings[-1]) == "plain"


def test_comments_blanked_offsets_and_lines_kept() -> None:
    tokens = lex(SOURCE)
    code = tokens.code
    assert len(code) == len(SOURCE) and code.count("\n") == SOURCE.count("\n")
    assert "line comment" not in code and "nested" not in code and "still comment" not in code
    assert "tail" not in code
    # `//` inside strings is not a comment: the URL and the multi-line string's text survive.
    assert '"http://x//y"' in code and "$x // not a comment" in code and "// kept" in code
    assert code.index("var u") == SOURCE.index("var u")


def test_nested_block_comment_and_identifier_ending_in_r() -> None:
    tokens = lex("/* a /* b */ c */ var x = bar'q';\nfinal s = r'$raw';")
    assert [tokens.source[c[0]:c[1]] for c in tokens.comments] == ["/* a /* b */ c */"]
    raw = [s for s in tokens.strings if s.raw]
    assert len(raw) == 1 and tokens.value(raw[0]) == "$raw" and not raw[0].interpolated
