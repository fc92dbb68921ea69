"""Bounded reading of every file a pull request controls: stack files, the files stack config names
(rules, indexes), and everything the scanners read.

Files are untrusted input. Before a byte is read: a link is followed only when its target is a regular
file inside the scanned root (a link that leaves it — `/dev/zero`, `~/.ssh/id_rsa` — is skipped, never
opened); FIFOs, devices, sockets and folders are never opened (opening a FIFO blocks forever); a file
larger than the cap is refused by its size, and the read itself stops at the cap (a file that grows
while read). Every refusal is a `FileProblem` whose message is one phrase a report can show.
Confinement of config paths to the project is `launchready.project.Project.resolve`'s job; `root`
here confines what a link may point at.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path

MAX_FILE_BYTES = 1_000_000
_KINDS = ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISDIR, "a folder"))


class FileProblem(Exception):
    """Why a file cannot be used, as one human phrase (callers prefix the file and key)."""


class TooLarge(FileProblem):
    """Larger than the cap (scanners count these apart from the other refusals)."""


def check_path(value: str) -> str:
    """A config path must be a plausible file path: not empty, no NUL byte, not absurdly long."""
    if not value or "\x00" in value or len(value) > 1024:
        raise ValueError("expected a file path inside the project")
    return value


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def regular_file(path: Path, root: Path | None = None) -> tuple[Path, os.stat_result]:
    """The file to open for `path` and its stat, without opening anything: a regular file, or a link
    to one inside `root` (any link at all when `root` is None is followed only to a regular file)."""
    try:
        info = os.lstat(path)
        if stat.S_ISLNK(info.st_mode):
            target = Path(os.path.realpath(path))
            if root is not None and not target.is_relative_to(Path(os.path.realpath(root))):
                raise FileProblem("a link that leaves the project: not followed")
            path, info = target, os.stat(target)
    except FileNotFoundError:
        raise FileProblem("not found") from None
    except OSError as exc:
        raise FileProblem(f"cannot be read: {exc.strerror or type(exc).__name__}") from None
    if not stat.S_ISREG(info.st_mode):
        raise FileProblem(f"not a regular file ({_kind(info.st_mode)}): not opened")
    return path, info


def read_bytes_capped(path: Path, max_bytes: int = MAX_FILE_BYTES, root: Path | None = None) -> bytes:
    """The bytes of a regular file of at most `max_bytes` (see the module docstring)."""
    target, info = regular_file(path, root)
    if info.st_size > max_bytes:
        raise TooLarge(f"larger than {max_bytes:,} bytes: refused")
    try:
        # O_NONBLOCK: if a FIFO replaced the file since the stat, opening it must not block.
        fd = os.open(target, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError as exc:
        raise FileProblem(f"cannot be read: {exc.strerror or type(exc).__name__}") from None
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise FileProblem("replaced while read: not a regular file any more")
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise TooLarge(f"larger than {max_bytes:,} bytes: refused")
    return data


def read_capped(path: Path, max_bytes: int = MAX_FILE_BYTES, root: Path | None = None) -> str:
    """The file as text: a regular file, at most `max_bytes` (checked while reading), strict UTF-8."""
    data = read_bytes_capped(path, max_bytes, root)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise FileProblem(f"line {line}: not UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
                          "save the file as UTF-8") from None
