"""The secret scanner: declarative detectors compiled into one pattern, a .gitignore-aware walker."""
from launchready.secrets.detectors import DETECTORS, Detector
from launchready.secrets.scanner import ScanResult, SecretHit, scan_bytes, scan_tree

__all__ = ["DETECTORS", "Detector", "ScanResult", "SecretHit", "scan_bytes", "scan_tree"]
