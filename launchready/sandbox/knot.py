"""A local Knot DNS server serving zone files rendered from `DnsRecordSpec` lists.

The live `dns.*`/`email.*` checks and the sandbox resolve against it (`--nameserver 127.0.0.1:PORT`).
Every zone's parent TLD (e.g. `test.`) is served too, empty, so lookups that walk up the tree
(DMARC) get NXDOMAIN instead of REFUSED. Knot runs with its own config, rundir and storage in a
work dir; it is started and stopped by PID.
"""
from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import dns.exception
import dns.flags
import dns.message
import dns.query
import dns.rdatatype

from launchready.infra.dns_records import DnsRecordSpec
from launchready.runtime.processes import ServiceError, free_port, spawn, stop_pid, wait_until

KNOTD = "knotd"
TXT_CHUNK = 255  # bytes per TXT character-string (RFC 1035 3.3.14)


def knotd_path() -> str | None:
    return shutil.which(KNOTD) or next((p for p in ("/usr/sbin/knotd", "/sbin/knotd") if Path(p).exists()), None)


def unavailable_reason() -> str | None:
    """Why Knot cannot run here, or None."""
    if knotd_path() is None:
        return "knotd not found: install the Debian package `knot` (apt-get install -y knot)"
    return None


def _fqdn(name: str) -> str:
    return name.rstrip(".").lower() + "."


def _quote_txt(value: str) -> str:
    """A TXT value as one or more quoted character-strings of at most 255 bytes each."""
    data = value.encode("utf-8")
    chunks = [data[i:i + TXT_CHUNK] for i in range(0, len(data), TXT_CHUNK)] or [b""]
    out = []
    for chunk in chunks:
        text = "".join(f"\\{chr(b)}" if b in (0x22, 0x5C) else chr(b) if 0x20 <= b < 0x7F else f"\\{b:03d}"
                       for b in chunk)
        out.append(f'"{text}"')
    return " ".join(out)


def _rdata(record: DnsRecordSpec) -> str:
    kind = record.type.upper()
    if kind == "TXT":
        return _quote_txt(record.content)
    if kind == "MX":
        return f"{record.priority if record.priority is not None else 10} {_fqdn(record.content)}"
    if kind in ("CNAME", "NS"):
        return _fqdn(record.content)
    return record.content


def render_zone(origin: str, records: Iterable[DnsRecordSpec], *, serial: int = 1) -> str:
    """A zone file for `origin` with SOA, NS and `records` (names must be inside the zone)."""
    origin = _fqdn(origin)
    lines = [
        f"$ORIGIN {origin}",
        "$TTL 300",
        f"@ 300 IN SOA ns1.{origin} hostmaster.{origin} {serial} 3600 600 86400 300",
        f"@ 300 IN NS ns1.{origin}",
        f"ns1.{origin} 300 IN A 127.0.0.1",
    ]
    for record in records:
        name = _fqdn(record.name)
        if name != origin and not name.endswith("." + origin):
            raise ValueError(f"{record.type} {record.name} is outside zone {origin}")
        lines.append(f"{name} {record.ttl} IN {record.type.upper()} {_rdata(record)}")
    return "\n".join(lines) + "\n"


def _with_parents(zones: Iterable[str]) -> list[str]:
    """The zones plus each one's TLD, so tree walks above a zone are answered, not refused."""
    names = {_fqdn(z) for z in zones}
    names |= {n.rstrip(".").rsplit(".", 1)[-1] + "." for n in names}
    return sorted(names, key=lambda n: (n.count("."), n))


class KnotServer:
    """knotd on 127.0.0.1:`port` (a free one by default) serving `zones` (origin -> records)."""

    def __init__(self, workdir: Path, zones: Mapping[str, Sequence[DnsRecordSpec]], port: int = 0):
        self.workdir = Path(workdir)
        self.zones = {_fqdn(k): list(v) for k, v in zones.items()}
        self.port = port
        self.pid: int | None = None
        self._proc: subprocess.Popen | None = None

    @property
    def nameserver(self) -> str:
        """`HOST:PORT` as `--nameserver` takes it."""
        return f"127.0.0.1:{self.port}"

    @property
    def log_file(self) -> Path:
        return self.workdir / "knotd.log"

    def write_config(self) -> Path:
        zones_dir, run_dir, db_dir = (self.workdir / d for d in ("zones", "run", "db"))
        for folder in (zones_dir, run_dir, db_dir):
            folder.mkdir(parents=True, exist_ok=True)
        served = _with_parents(self.zones)
        for origin in served:
            (zones_dir / f"{origin.rstrip('.')}.zone").write_text(render_zone(origin, self.zones.get(origin, [])))
        zone_lines = "\n".join(f"  - domain: {origin}" for origin in served)
        conf = self.workdir / "knot.conf"
        conf.write_text(f"""\
server:
    rundir: "{run_dir}"
    pidfile: "{run_dir}/knot.pid"
    listen: 127.0.0.1@{self.port}
database:
    storage: "{db_dir}"
control:
    listen: "{run_dir}/knot.sock"
log:
  - target: stderr
    any: warning
template:
  - id: default
    storage: "{zones_dir}"
    file: "%s.zone"
    zonefile-sync: -1
    zonefile-load: whole
    journal-content: none
zone:
{zone_lines}
""")
        return conf

    def start(self, timeout: float = 15.0) -> KnotServer:
        reason = unavailable_reason()
        if reason:
            raise ServiceError(reason)
        self.port = self.port or free_port()
        conf = self.write_config()
        self._proc = spawn([knotd_path() or KNOTD, "-c", str(conf)], self.log_file)
        self.pid = self._proc.pid
        try:
            wait_until(self._all_zones_loaded, timeout=timeout, proc=self._proc,
                       what=f"knotd on 127.0.0.1:{self.port}", log_file=self.log_file)
        except ServiceError:
            self.stop()
            raise
        return self

    def _all_zones_loaded(self) -> bool:
        log = self.log_file.read_text(errors="replace") if self.log_file.exists() else ""
        if "failed to load zone" in log or "zone event 'load' failed" in log:  # knotd stays up without it
            problems = [line.split("error: ", 1)[-1] for line in log.splitlines() if "error:" in line]
            raise ServiceError(f"knotd could not load a zone: {'; '.join(problems[:3])} (log {self.log_file})")
        return all(self._soa_answered(origin) for origin in _with_parents(self.zones))

    def _soa_answered(self, origin: str) -> bool:
        query = dns.message.make_query(origin, dns.rdatatype.SOA)
        try:
            response = dns.query.udp(query, "127.0.0.1", port=self.port, timeout=0.3)
        except (dns.exception.DNSException, OSError):
            return False
        return bool(response.answer) and bool(response.flags & dns.flags.AA)

    def stop(self) -> None:
        if self.pid is not None:
            stop_pid(self.pid)
        self.pid, self._proc = None, None

    def __enter__(self) -> KnotServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
