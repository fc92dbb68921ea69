"""All detectors compiled into ONE alternation, so a file is scanned in a single pass.

Capturing or named groups around each detector would stop the engine's first-character prefilter
(measured ~10x slower), so the combined pattern is a bare alternation of `literal prefix + body`;
which detector matched is found afterwards, only for the rare hit, by re-matching at the hit's offset
in the same order (the same first-alternative-wins rule the combined pattern applies).
"""
from __future__ import annotations

import re
from fnmatch import fnmatchcase
from functools import lru_cache

from checks.secrets.detectors import DETECTORS, Detector


def _alternatives(detector: Detector) -> list[str]:
    if not detector.prefixes or not all(detector.prefixes):
        raise ValueError(f"{detector.name}: a detector needs non-empty literal prefixes")
    if re.compile(detector.body).groups:
        raise ValueError(f"{detector.name}: use (?:...) groups only; the combined pattern relies on none")
    return [re.escape(prefix) + detector.body for prefix in detector.prefixes]


def pattern_source(detectors: tuple[Detector, ...] = DETECTORS) -> str:
    """The combined pattern's source text (one alternative per detector prefix)."""
    return "|".join(alt for d in detectors for alt in _alternatives(d))


class DetectorSet:
    """Detectors compiled for bytes (files) and str (redaction), from the same source."""

    def __init__(self, detectors: tuple[Detector, ...] = DETECTORS):
        self.detectors = detectors
        source = pattern_source(detectors)
        self.bytes_pattern = re.compile(source.encode("ascii"))
        self.text_pattern = re.compile(source)
        self._each = [(d, re.compile("|".join(_alternatives(d)).encode("ascii"))) for d in detectors]

    def identify(self, data: bytes, start: int) -> tuple[Detector, int]:
        """The detector that matched at `start`, and where its match ends."""
        for detector, pattern in self._each:
            match = pattern.match(data, start)
            if match:
                return detector, match.end()
        raise AssertionError("combined pattern matched but no detector did")  # pragma: no cover


def is_public(detector: Detector, file_name: str) -> bool:
    return any(fnmatchcase(file_name, glob) for glob in detector.public_in)


@lru_cache(maxsize=1)
def default_set() -> DetectorSet:
    return DetectorSet()
