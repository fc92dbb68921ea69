"""Text from a pull request (file names, file contents, stack values) as each output may carry it.

- XML 1.0 forbids most control characters and lone surrogates: JUnit shows them as `\\xNN`.
- A terminal or CI log must not receive raw control characters (escape sequences, carriage returns
  that overwrite a line) nor a line break inside a name: `one_line` shows them as `\\n`, `\\xNN`.
- The GitHub Actions runner executes a log line as a workflow command when, after leading
  whitespace, it starts with `::` (`::error::`, `::add-mask::`, `::stop-commands::`...), and when it
  contains `##[` anywhere (the v1 syntax, `##[set-output name=x;]`); Azure Pipelines does the same
  with `##vso[`. `CommandGuard` breaks both in every line the CLI prints, so nothing read from a
  repository can form a command (actions/runner, ActionCommand.TryParseV2 and TryParse).
"""
from __future__ import annotations

import re
import threading
from typing import Any, TextIO

_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
_V2_COMMAND = re.compile(r"^(\s*):(?=:)")
_V1_COMMAND = re.compile(r"##(?=(?:vso)?\[)")


def _hex(match: re.Match[str]) -> str:
    char = match.group()
    return {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(char) or f"\\x{ord(char):02x}"


def xml_text(text: Any) -> str:
    """Element text: every character XML 1.0 allows, the others as `\\xNN`."""
    return _XML_INVALID.sub(_hex, str(text))


def one_line(text: Any) -> str:
    """A name or an attribute: no line break, no control character (shown as `\\n`, `\\xNN`)."""
    return _CONTROL.sub(_hex, str(text))


def neutralize(line: str) -> str:
    """One log line that the Actions runner (or Azure Pipelines) cannot read as a command: a leading
    `::` becomes `\\::`, and `##[` / `##vso[` become `#\\#[` / `#\\#vso[` (readable, inert)."""
    return _V1_COMMAND.sub("#\\\\#", _V2_COMMAND.sub(r"\1\\:", line))


def json_safe(text: str) -> str:
    """Rendered JSON with `##[` written as `##\\u005b` (the same JSON value, no command when logged)."""
    return re.sub(r"(##(?:vso)?)\[", r"\1\\u005b", text)


class CommandGuard:
    """A text stream that neutralizes workflow commands line by line before `target` sees them
    (partial lines are held until their end, so a command split over two writes is still caught)."""

    def __init__(self, target: TextIO):
        self._target = target
        self._pending = ""
        self._lock = threading.Lock()

    def write(self, text: str) -> int:
        with self._lock:
            self._pending += text
            if "\n" in self._pending:
                complete, _, self._pending = self._pending.rpartition("\n")
                self._target.write("".join(neutralize(line) + "\n" for line in complete.split("\n")))
        return len(text)

    def flush(self) -> None:
        with self._lock:
            if self._pending:
                self._target.write(neutralize(self._pending))
                self._pending = ""
        self._target.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._target, name)
