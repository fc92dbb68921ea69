"""The Google Cloud Firestore emulator (Java) as a managed local process.

Used by the tests' fixtures, the rules harness, the `rules.behaviour.*` checks and the sandbox.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from launchready.runtime.processes import ServiceError, free_port, spawn, stop_pid, wait_until

DEFAULT_PROJECT = "demo-test"
_JAR_CANDIDATES = (
    "/usr/lib/google-cloud-sdk/platform/cloud-firestore-emulator/cloud-firestore-emulator.jar",
    "/usr/share/google-cloud-sdk/platform/cloud-firestore-emulator/cloud-firestore-emulator.jar",
)


def find_jar() -> Path | None:
    """Locate the emulator JAR: $FIRESTORE_EMULATOR_JAR, the Debian package's path, or dpkg."""
    env = os.environ.get("FIRESTORE_EMULATOR_JAR")
    if env and Path(env).is_file():
        return Path(env)
    for candidate in _JAR_CANDIDATES:
        if Path(candidate).is_file():
            return Path(candidate)
    if shutil.which("dpkg"):
        out = subprocess.run(["dpkg", "-L", "google-cloud-cli-firestore-emulator"],
                             capture_output=True, text=True, check=False).stdout
        for line in out.splitlines():
            if line.endswith("emulator.jar") and Path(line).is_file():
                return Path(line)
    return None


def unavailable_reason() -> str | None:
    """Why the emulator cannot run here, or None when it can."""
    if not shutil.which("java"):
        return "Java is not installed (the Firestore emulator needs a JRE 11+)"
    if find_jar() is None:
        return ("the Firestore emulator is not installed "
                "(apt-get install google-cloud-cli-firestore-emulator, or set FIRESTORE_EMULATOR_JAR)")
    return None


@dataclass
class FirestoreEmulator:
    """One emulator process. `start()` then use `.host` (for FIRESTORE_EMULATOR_HOST); `stop()`."""

    log_dir: Path
    rules_file: Path | None = None
    port: int = 0
    project_id: str = DEFAULT_PROJECT
    pid: int | None = None
    _proc: subprocess.Popen | None = field(default=None, repr=False)

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        return f"http://{self.host}"

    @property
    def log_file(self) -> Path:
        return self.log_dir / f"firestore-emulator-{self.port}.log"

    def start(self, timeout: float = 60.0) -> FirestoreEmulator:
        reason = unavailable_reason()
        if reason:
            raise ServiceError(reason)
        fixed_port = bool(self.port)
        for attempt in range(1 if fixed_port else 3):
            self.port = self.port if fixed_port else free_port()
            try:
                return self._start_on_port(timeout)
            except ServiceError:
                # A port picked free can be taken by another process before Java binds it; pick
                # another one rather than fail (only when we chose the port ourselves).
                if fixed_port or attempt == 2 or not self._lost_port_race():
                    raise
        raise AssertionError("unreachable")

    def _start_on_port(self, timeout: float) -> FirestoreEmulator:
        argv = ["java", "-Xss2m", "-cp", str(find_jar()),
                "com.google.cloud.datastore.emulator.firestore.CloudFirestore",
                "--host=127.0.0.1", f"--port={self.port}", f"--project_id={self.project_id}"]
        if self.rules_file:
            argv.append(f"--rules={Path(self.rules_file).resolve()}")
        self._proc = spawn(argv, self.log_file)
        self.pid = self._proc.pid
        wait_until(self._ready, timeout=timeout, proc=self._proc, what="Firestore emulator",
                   log_file=self.log_file)
        return self

    def _lost_port_race(self) -> bool:
        log = self.log_file.read_text(errors="replace") if self.log_file.exists() else ""
        return "BindException" in log or "Address already in use" in log

    def _ready(self) -> bool:
        try:
            return httpx.get(self.base_url + "/", timeout=0.5).status_code == 200
        except httpx.HTTPError:
            return False

    def reset(self) -> None:
        """Delete every document (rules and process stay)."""
        url = f"{self.base_url}/emulator/v1/projects/{self.project_id}/databases/(default)/documents"
        httpx.delete(url, timeout=30).raise_for_status()   # a fresh JVM under load can take >10 s

    def stop(self) -> None:
        if self.pid:
            stop_pid(self.pid)
        self.pid = None
        self._proc = None

    def __enter__(self) -> FirestoreEmulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
