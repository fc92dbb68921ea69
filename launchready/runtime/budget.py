"""A time budget per file for the scanners: a file that still takes too long after the size cap is
skipped with a note, never allowed to hold the run.

The budget is per thread (the check runner scans in worker threads) and is checked by the scanners'
own Python loops (`tick()`), so a budget overrun — and a SIGTERM, whose handler runs between Python
bytecodes — stops the work within one loop step; the regexes those loops call are RE2 (linear time)
or anchored, so no single step runs long.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

FILE_SECONDS = 10.0   # per file; under load a 8 MB file scans in well under a second
_local = threading.local()


class OverBudget(Exception):
    """The file took longer than its budget: the caller skips it and says so."""


@contextmanager
def per_file(seconds: float = FILE_SECONDS) -> Iterator[None]:
    """Give the work inside the block `seconds` (nested blocks keep the outer deadline if earlier)."""
    previous = getattr(_local, "deadline", None), getattr(_local, "seconds", None)
    deadline = time.monotonic() + seconds
    if previous[0] is None or deadline < previous[0]:
        _local.deadline, _local.seconds = deadline, seconds
    try:
        yield
    finally:
        _local.deadline, _local.seconds = previous


def tick() -> None:
    """Raise OverBudget when this thread's current file is past its deadline (cheap: call it often)."""
    deadline = getattr(_local, "deadline", None)
    if deadline is not None and time.monotonic() > deadline:
        raise OverBudget(f"took longer than its time budget ({_local.seconds:g} s): skipped")
