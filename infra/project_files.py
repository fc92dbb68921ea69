"""Files that stack config names (rules, indexes): confined to the project root, size-capped before reading.

Config is untrusted input: `rulesFile: /etc/passwd` must not be read and echoed into a plan, and
`rulesFile: /dev/zero` must not exhaust memory. Every config-named file goes through `read_project_file`.
`project_root()` is the one place that decides the root (the project-root work of issue #10 points it
at the discovered project; today it is the checkout that holds `stacks/`).
"""
from __future__ import annotations

from pathlib import Path, PurePosixPath

MAX_FILE_BYTES = 1_000_000
_ROOT = Path(__file__).resolve().parents[1]


class FileProblem(Exception):
    """Why a file cannot be used, as one human phrase (callers prefix the file and key)."""


def project_root() -> Path:
    return _ROOT


def check_relative(value: str) -> str:
    """A config path must be relative and stay inside the project: no absolute path, no `..`, no NUL."""
    if not value or "\x00" in value or len(value) > 255:
        raise ValueError("expected a relative file path inside the project")
    pure = PurePosixPath(value.replace("\\", "/"))
    if pure.is_absolute() or value[1:3] == ":\\" or ".." in pure.parts:
        raise ValueError(f"must be a path inside the project (relative, no `..`), got {value!r}")
    return value


def resolve(relative: str, root: Path | None = None) -> Path:
    """`relative` under the project root; a symlink that leads outside it is refused too."""
    base = (root or project_root()).resolve()
    path = (base / check_relative(relative)).resolve()
    if not path.is_relative_to(base):
        raise FileProblem(f"{relative!r} leads outside the project ({base})")
    return path


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


def read_project_file(relative: str, root: Path | None = None, max_bytes: int = MAX_FILE_BYTES) -> str:
    return read_capped(resolve(relative, root), max_bytes)
