"""Reading files that stack config names (rules, indexes) and stack files: size-capped before reading.

Config is untrusted input: `rulesFile: /dev/zero` must not exhaust memory, and a 20 MB stack file
must not be parsed. Confinement to the project root is `launchready.project.Project.resolve`'s job
(a path outside the project is a config error there); this module bounds what is read.
"""
from __future__ import annotations

from pathlib import Path

MAX_FILE_BYTES = 1_000_000


class FileProblem(Exception):
    """Why a file cannot be used, as one human phrase (callers prefix the file and key)."""


def check_path(value: str) -> str:
    """A config path must be a plausible file path: not empty, no NUL byte, not absurdly long."""
    if not value or "\x00" in value or len(value) > 1024:
        raise ValueError("expected a file path inside the project")
    return value


def read_capped(path: Path, max_bytes: int = MAX_FILE_BYTES) -> str:
    """The file as text: a regular file, at most `max_bytes` (checked while reading), strict UTF-8."""
    try:
        if not path.is_file():
            raise FileProblem("not found" if not path.exists() else "not a regular file")
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise FileProblem(f"cannot be read: {exc.strerror or type(exc).__name__}") from None
    if len(data) > max_bytes:
        raise FileProblem(f"larger than {max_bytes:,} bytes: refused")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise FileProblem(f"line {line}: not UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
                          "save the file as UTF-8") from None
