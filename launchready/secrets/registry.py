"""All detectors compiled into ONE alternation, so a file is scanned in a single pass.

Every alternative starts with a literal, so the engine skips ahead to positions holding one of those
first characters; alternatives are grouped under their first character, so such a position tries only
its own group. Those first characters (`"`, `/`, `s`, `p` ...) are common in code, so the file is first
searched for the whole literal prefixes with RE2 (a DFA: ~0.5 GB/s whatever the text), and the combined
pattern only runs where a prefix starts. Capturing or named groups around each detector would switch that prefilter off (measured
~10x slower), so which detector matched is found afterwards, only for the rare hit, by re-matching at
the hit's offset in declaration order (the first-alternative-wins rule the combined pattern applies).
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from fnmatch import fnmatchcase
from functools import lru_cache

import re2

from launchready.secrets.detectors import DETECTORS, Detector


def _validated(detector: Detector) -> Detector:
    if not detector.prefixes or not all(detector.prefixes):
        raise ValueError(f"{detector.name}: a detector needs non-empty literal prefixes")
    if re.compile(detector.body).groups:
        raise ValueError(f"{detector.name}: use (?:...) groups only; the combined pattern relies on none")
    return detector


def _bodies(detectors: tuple[Detector, ...]) -> dict[str, str]:
    """Each detector's body; a generic one (e.g. `Bearer <token>`) refuses a value that starts with a
    known issuer's prefix, so a Stripe key in a bearer header is found, and named, as a Stripe key."""
    known = sorted({p for d in detectors if not d.generic for p in d.prefixes}, key=len, reverse=True)
    refuse = f"(?!{'|'.join(map(re.escape, known))})" if known else ""
    return {d.name: (refuse + d.body if d.generic else d.body) for d in detectors}


def pattern_source(detectors: tuple[Detector, ...] = DETECTORS) -> str:
    """The combined pattern's source text: `c(?:rest-of-prefix body|...)` per distinct first character."""
    by_first: dict[str, list[str]] = {}
    bodies = _bodies(detectors)
    for detector in map(_validated, detectors):
        for prefix in detector.prefixes:
            by_first.setdefault(prefix[0], []).append(re.escape(prefix[1:]) + bodies[detector.name])
    return "|".join(f"{re.escape(first)}(?:{'|'.join(rests)})" for first, rests in by_first.items())


class DetectorSet:
    """Detectors compiled for bytes (files) and str (redaction), from the same source."""

    def __init__(self, detectors: tuple[Detector, ...] = DETECTORS):
        self.detectors = detectors
        source = pattern_source(detectors)
        self.bytes_pattern = re.compile(source.encode("ascii"))
        self.text_pattern = re.compile(source)
        prefixes = sorted({p for d in detectors for p in d.prefixes}, key=len, reverse=True)
        self._prefixes = re2.compile("|".join(map(re.escape, prefixes)).encode("ascii"))
        bodies = _bodies(detectors)
        self._each = [(d, re.compile("|".join(re.escape(p) + bodies[d.name] for p in d.prefixes).encode("ascii")))
                      for d in detectors]

    def matches(self, data: bytes) -> Iterator[re.Match[bytes]]:
        """What `bytes_pattern.finditer(data)` yields, found faster: every match starts where a literal
        prefix does, so the pattern is tried only at the prefixes' occurrences (overlapping ones too)."""
        search, match, resume = self._prefixes.search, self.bytes_pattern.match, 0
        found = search(data)
        while found is not None:
            at = found.start()
            hit = match(data, at) if at >= resume else None
            if hit is not None:
                yield hit
                resume = hit.end()
            found = search(data, at + 1)

    def identify(self, data: bytes, start: int) -> Detector:
        """The detector whose pattern matched at `start`."""
        for detector, pattern in self._each:
            if pattern.match(data, start):
                return detector
        raise AssertionError("combined pattern matched but no detector did")  # pragma: no cover


def is_public(detector: Detector, file_name: str) -> bool:
    return any(fnmatchcase(file_name, glob) for glob in detector.public_in)


@lru_cache(maxsize=1)
def default_set() -> DetectorSet:
    return DetectorSet()
