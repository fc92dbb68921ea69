"""The secret scanner: declarative detectors compiled into one pattern, a .gitignore-aware walker."""
from launchready.checks.secrets.detectors import DETECTORS, Detector
from launchready.checks.secrets.scanner import ScanResult, SecretHit, scan_bytes, scan_tree

__all__ = ["DETECTORS", "Detector", "ScanResult", "SecretHit", "scan_bytes", "scan_tree"]
