"""Scan files for secrets in one pass each: path, line and kind of every hit, never the value."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from launchready.files import FileProblem, TooLarge, read_bytes_capped
from launchready.runtime import budget
from launchready.secrets.detectors import Detector
from launchready.secrets.firebase_config import is_firebase_config
from launchready.secrets.flutter import FlutterAssets, read_assets
from launchready.secrets.judgement import SILENT, judge
from launchready.secrets.registry import DetectorSet, default_set, is_public
from launchready.secrets.walk import iter_files
from launchready.severity import Severity

MAX_FILE_BYTES = 8 * 1024 * 1024
BINARY_SNIFF_BYTES = 8192
# A line carrying this marker is a reviewed false positive (like detect-secrets' allowlist pragma).
ALLOW_MARKER = b"launchready: allow-secret"
_RAISED = {Severity.INFO: Severity.LOW, Severity.LOW: Severity.MEDIUM, Severity.MEDIUM: Severity.HIGH,
           Severity.HIGH: Severity.CRITICAL, Severity.CRITICAL: Severity.CRITICAL}


@dataclass(frozen=True)
class SecretHit:
    path: str
    line: int
    detector: Detector
    ships: bool = False
    judged: Severity | None = None   # what the value turned out to be (judgement.py), overriding the kind's
    note: str = ""


    @property
    def kind(self) -> str:
        return self.detector.kind

    @property
    def severity(self) -> Severity:
        """A secret that ships inside the app is one level worse: every user can extract it."""
        if self.judged is not None:
            return self.judged
        return _RAISED[self.detector.severity] if self.ships else self.detector.severity


@dataclass
class ScanResult:
    hits: list[SecretHit] = field(default_factory=list)
    files_scanned: int = 0
    bytes_scanned: int = 0
    skipped_binary: int = 0
    skipped_large: list[str] = field(default_factory=list)
    public_by_design: int = 0
    public_files: list[str] = field(default_factory=list)   # where those were: shown so a reviewer can check
    silenced: int = 0   # placeholders, documented test values, PEM templates (see judgement.py)
    unreadable: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)   # "path: why" — links out, FIFOs, devices, over budget
    asset_problem: str | None = None

    def by_kind(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for hit in self.hits:
            counts[hit.kind] = counts.get(hit.kind, 0) + 1
        return counts


def scan_bytes(data: bytes, detectors: DetectorSet | None = None) -> list[tuple[int, Detector]]:
    """(1-based line, detector) of every secret in `data`, allow-marked lines left out."""
    return [(line, detector) for line, detector, _ in _matches(data, detectors)]


def _matches(data: bytes, detectors: DetectorSet | None = None) -> list[tuple[int, Detector, bytes]]:
    """(1-based line, detector, matched bytes) of every secret in `data`, allow-marked lines left out."""
    detectors = detectors or default_set()
    found: list[tuple[int, Detector, bytes]] = []
    line, counted_to = 1, 0
    for match in detectors.matches(data):
        budget.tick()
        start = match.start()
        line += data.count(b"\n", counted_to, start)
        counted_to = start
        line_end = data.find(b"\n", start)
        if ALLOW_MARKER in data[data.rfind(b"\n", 0, start) + 1: line_end if line_end >= 0 else len(data)]:
            continue
        found.append((line, detectors.identify(data, start), match.group()))
    return found


def read_candidate(path: Path, rel: str, result: ScanResult, max_file_bytes: int = MAX_FILE_BYTES,
                   root: Path | None = None) -> bytes | None:
    """The bytes of a text file worth scanning (read by the bounded reader: no link out of `root`, no
    FIFO or device opened); None, and the reason noted in `result`, otherwise."""
    try:
        data = read_bytes_capped(path, max_file_bytes, root)
    except TooLarge:
        result.skipped_large.append(rel)
        return None
    except FileProblem as exc:
        (result.unreadable if str(exc).startswith("cannot be read") else result.skipped).append(f"{rel}: {exc}")
        return None
    if b"\0" in data[:BINARY_SNIFF_BYTES]:
        result.skipped_binary += 1
        return None
    return data


def scan_file(result: ScanResult, rel: str, data: bytes, ships: bool, detectors: DetectorSet | None = None) -> None:
    """Add the hits of one file's bytes to `result`; public-by-design hits are counted, not reported."""
    try:
        with budget.per_file():
            found = _matches(data, detectors)
    except budget.OverBudget as exc:
        result.skipped.append(f"{rel}: {exc}")
        return
    result.files_scanned += 1
    result.bytes_scanned += len(data)
    name = rel.rpartition("/")[2]
    for line, detector, value in found:
        verdict = judge(detector, value, rel)
        if verdict is not None and verdict.severity == SILENT:
            result.silenced += 1
        elif is_public(detector, name) or (detector.firebase_config and is_firebase_config(name, data, line)):
            result.public_by_design += 1
            if rel not in result.public_files:
                result.public_files.append(rel)
        elif verdict is not None:
            result.hits.append(SecretHit(rel, line, detector, ships, Severity(verdict.severity), verdict.note))
        else:
            result.hits.append(SecretHit(rel, line, detector, ships))


def scan_tree(root: Path, *, detectors: DetectorSet | None = None, max_file_bytes: int = MAX_FILE_BYTES,
              flutter_assets: FlutterAssets | None = None) -> ScanResult:
    """Scan every non-ignored text file below `root`; public-by-design hits are counted, not reported."""
    detectors = detectors or default_set()
    assets = read_assets(root) if flutter_assets is None else flutter_assets
    result = ScanResult(asset_problem=assets.problem)
    for path, rel in iter_files(root):
        data = read_candidate(path, rel, result, max_file_bytes, root)
        if data is not None:
            scan_file(result, rel, data, assets.ships(rel), detectors)
    return result


__all__ = ["SecretHit", "ScanResult", "read_candidate", "scan_bytes", "scan_file", "scan_tree"]
