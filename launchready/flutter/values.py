"""Where a Dart value comes from, when that makes it a credential compiled into the app.

Three origins ship with every build: a string literal, `String.fromEnvironment('X')` (a `--dart-define`
value is compiled into the binary), and a flutter_dotenv lookup (`dotenv.env['X']`, `dotenv.get('X')`:
the `.env` file is a bundled asset). Names are followed to their definition in any shipped Dart file
(`const apiKey = ...`, `static String get token => ...`, `FFAppState().token`), two levels deep, and a
function's parameter to the literal one of its callers passes; `String.fromEnvironment`'s `defaultValue:`
is compiled in whenever a build passes no define. A value computed at run time (a user's ID token, a login
response) has no such origin and is never reported; nor is a placeholder (`your_…`, `sample_…`, `xxx…`).
"""
from __future__ import annotations

import re
from typing import NamedTuple

from launchready.flutter.app_scan import AppScan, DartSource
from launchready.flutter.dart import caller_arguments, definition

DART_DEFINE = re.compile(r"""String\.fromEnvironment\s*\(\s*['"]([\w.-]+)['"]""")
DEFAULT_VALUE = re.compile(r"""\s*,\s*defaultValue\s*:\s*(r?(['"]).*?\2)""")
DOTENV = re.compile(r"""\b(?:dotenv|DotEnv\(\))\s*\.\s*(?:env\s*\[|get\s*\(|maybeGet\s*\(|getOrElse\s*\()\s*['"]([\w.-]+)['"]""")
STRING = re.compile(r"""^r?(['"]{1,3})(.*)\1$""", re.S)
INTERPOLATED = re.compile(r"\$\{?([\w.!?]+)")
SCHEME = re.compile(r"^(?i:bearer|basic|token|key|apikey)\s+")
TOKEN_LIKE = re.compile(r"^[\w\-.~+/=:]+$")
PLACEHOLDER = re.compile(r"(?i)your|xxxx|^x{3}|<|example|sample|placeholder|replace|changeme|\*\*\*|dummy|\.\.\.")


class Origin(NamedTuple):
    kind: str     # "literal", "dart-define", "define-default" or "dotenv"
    name: str     # the define or .env key ("" for a literal)

    def describe(self) -> str:
        if self.kind == "literal":
            return "a string literal"
        if self.kind == "define-default":
            return f"the defaultValue of String.fromEnvironment('{self.name}') (compiled in when no define is passed)"
        if self.kind == "dart-define":
            return f"--dart-define {self.name} (compiled into the binary)"
        return f"the bundled .env value {self.name}"


def origin(app: AppScan, dart: DartSource, expr: str, min_length: int = 12, depth: int = 0) -> Origin | None:
    """The shipped origin of the Dart expression `expr`, or None when it is computed at run time."""
    expr = expr.strip().rstrip(",").strip()
    for pattern, kind in ((DART_DEFINE, "dart-define"), (DOTENV, "dotenv")):
        found = pattern.search(expr)
        if found:
            default = DEFAULT_VALUE.match(expr, found.end()) if kind == "dart-define" else None
            if default and origin(app, dart, default.group(1), min_length, depth) is not None:
                return Origin("define-default", found.group(1))
            return Origin(kind, found.group(1))
    literal = STRING.match(expr)
    if literal:
        content = literal.group(2)
        if "$" not in content:
            value = SCHEME.sub("", content).strip()
            # A password may hold anything, spaces too (Gmail app passwords are four groups of four).
            spaced_ok = min_length < 12
            shaped = spaced_ok or bool(TOKEN_LIKE.match(value))   # a token is one run of token characters
            plausible = len(value) >= min_length and shaped and not PLACEHOLDER.search(value)
            return Origin("literal", "") if plausible else None
        names = INTERPOLATED.findall(content)
        return next(filter(None, (_named(app, dart, n, min_length, depth) for n in names)), None)
    if re.fullmatch(r"[\w.!?]+(?:\(\))?(?:[.!?]+[\w]+(?:\(\))?)*", expr):   # a name, a getter, `AppState().x`
        return _named(app, dart, expr.replace("()", ""), min_length, depth)
    return None


def _named(app: AppScan, dart: DartSource, dotted: str, min_length: int, depth: int) -> Origin | None:
    name = re.findall(r"\w+", dotted)[-1] if re.search(r"\w", dotted) else ""
    if not name or depth >= 2:
        return None
    parameter = _parameter(app, dart, name, min_length, depth)   # a parameter shadows names elsewhere
    if parameter is not None:
        return parameter
    for source in [dart, *(d for d in app.dart if d is not dart)]:
        found = definition(source, name) if name in source.source else None
        if found:
            return origin(app, source, found, min_length, depth + 1)
    return None


def _parameter(app: AppScan, dart: DartSource, name: str, min_length: int, depth: int) -> Origin | None:
    """`name` as a parameter of a function in `dart`: the origin of what one of its callers passes."""
    for source, arg, _ in caller_arguments(dart, app.dart, name):
        found = origin(app, source, arg, min_length, depth + 1)
        if found:
            return found
    return None
