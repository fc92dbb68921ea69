"""Real local servers for the live checks: one Knot with a zone per case, one HTTPS server with a site
per case, and helpers to build configs and run one check against them.

The test app lives at `acme.test` (prod). Each broken DNS case is the same plan served as
`<case>.test` and then damaged; checks reach it with `--domain <case>.test`, which also exercises
re-basing planned names onto another domain.
"""
from __future__ import annotations

import base64
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from launchready.checks.framework.base import Result
from launchready.checks.framework.context import CheckContext, CheckOptions
from launchready.checks.framework.registry import registry
from launchready.checks.framework.runner import run_one
from launchready.config.model import EnvironmentConfig, parse_config, read_stack_values
from launchready.infra.dns_records import DnsRecordSpec, desired_records
from launchready.sandbox.knot import KnotServer, unavailable_reason
from launchready.sandbox.tls_server import Site, TlsServer

REPO_ROOT = Path(__file__).resolve().parents[2]
ZONE = "acme.test"
SPF_INCLUDE = "_spf.mailer.test"
ALL_LIVE_AREAS = ("dns", "email", "tls", "http", "webhook", "stripe", "monitoring")

registry.load_catalog()


def dkim_record(bits: int) -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    der = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return f"v=DKIM1; k=rsa; p={base64.b64encode(der).decode()}"


DKIM_2048 = dkim_record(2048)
DKIM_1024 = dkim_record(1024)


def stack_values(zone: str = ZONE, environment: str = "prod", *, www: bool = True, **changes: Any) -> dict[str, Any]:
    """The repo's prod stack (namespace stripped), moved to `zone` with test-local mail settings."""
    raw = read_stack_values(REPO_ROOT / "stacks" / "Pulumi.prod.yaml")
    values = {k.split(":", 1)[1]: v for k, v in raw.items() if k.startswith("launchready:")}
    values["environment"] = environment
    values["domain"] = {**values["domain"], "zone": zone, "appHost": zone, "apiHost": f"api.{zone}",
                        "mailDomain": zone, "wwwRedirect": www}
    values["email"] = {**values["email"], "mx": [{"host": f"mx1.{zone}", "priority": 10}],
                       "spfIncludes": [SPF_INCLUDE], "spfAll": "-all",
                       "dkim": [{"selector": "s1", "type": "TXT", "value": DKIM_2048}],
                       "dmarcPolicy": "reject", "dmarcRua": f"mailto:dmarc@{zone}"}
    values["caaIssuers"] = ["letsencrypt.org", "pki.goog"]
    values["alerts"] = {"emails": ["oncall@acme.test", "founder@acme.test"]}
    values.update(changes)
    return values


def make_config(zone: str = ZONE, environment: str = "prod", *, www: bool = True, **changes: Any) -> EnvironmentConfig:
    return parse_config(stack_values(zone, environment, www=www, **changes), source=f"test config {zone}",
                        stack=environment)


def write_stack(folder: Path, config_values: dict[str, Any], stack: str = "prod") -> Path:
    """A Pulumi.<stack>.yaml the CLI can load (secrets stay the repo's ciphertexts)."""
    folder.mkdir(parents=True, exist_ok=True)
    raw = read_stack_values(REPO_ROOT / "stacks" / "Pulumi.prod.yaml")
    config = {k: v for k, v in raw.items() if not k.startswith("launchready:")}
    config.update({f"launchready:{k}": v for k, v in config_values.items()})
    path = folder / f"Pulumi.{stack}.yaml"
    path.write_text(yaml.safe_dump({"config": config}, sort_keys=False))
    return path


# ---------------------------------------------------------------- the zones

def _spf(records: list[DnsRecordSpec], zone: str, value: str | None, *, add: bool = False) -> list[DnsRecordSpec]:
    keep = records if add else [r for r in records if not (r.type == "TXT" and r.name == zone
                                                           and r.content.startswith("v=spf1"))]
    return keep + ([DnsRecordSpec("TXT", zone, value, "test")] if value else [])


def _set(records: list[DnsRecordSpec], rtype: str, name: str, value: str | None) -> list[DnsRecordSpec]:
    keep = [r for r in records if not (r.type == rtype and r.name == name)]
    return keep + ([DnsRecordSpec(rtype, name, value, "test")] if value else [])


def _drop(records: list[DnsRecordSpec], rtype: str) -> list[DnsRecordSpec]:
    return [r for r in records if r.type != rtype]


# case -> how its zone differs from the plan
BROKEN: dict[str, Callable[[list[DnsRecordSpec], str], list[DnsRecordSpec]]] = {
    "spf-two": lambda r, z: _spf(r, z, "v=spf1 ip4:192.0.2.10 ~all", add=True),
    "spf-many": lambda r, z: _spf(r, z, "v=spf1 " + " ".join(f"include:s{i}.mailer.test" for i in range(11)) + " -all"),
    "spf-neutral": lambda r, z: _spf(r, z, f"v=spf1 include:{SPF_INCLUDE} ?all"),
    "spf-bad": lambda r, z: _spf(r, z, f"v=spf1 include:{SPF_INCLUDE} bogus:thing -all"),
    "dmarc-missing": lambda r, z: _set(r, "TXT", f"_dmarc.{z}", None),
    "dmarc-none": lambda r, z: _set(r, "TXT", f"_dmarc.{z}", f"v=DMARC1; p=none; rua=mailto:dmarc@{z}"),
    "dmarc-invalid": lambda r, z: _set(r, "TXT", f"_dmarc.{z}", f"v=DMARC1; p=reject; rua=mailto:dmarc@{z}; bogus"),
    "dmarc-norua": lambda r, z: _set(r, "TXT", f"_dmarc.{z}", "v=DMARC1; p=reject"),
    "dkim-malformed": lambda r, z: _set(r, "TXT", f"s1._domainkey.{z}", "v=DKIM1; k=rsa; p=bm90IGEga2V5"),
    "dkim-1024": lambda r, z: _set(r, "TXT", f"s1._domainkey.{z}", DKIM_1024),
    "caa-missing": lambda r, z: _drop(r, "CAA"),
    "caa-wrong-ca": lambda r, z: _set(_drop(r, "CAA"), "CAA", z, '0 issue "digicert.com"'),
    "mx-missing": lambda r, z: _drop(r, "MX"),
    "drift": lambda r, z: _set(_set(r, "A", z, "203.0.113.7"), "MX", z, None) + [
        DnsRecordSpec("MX", z, f"mx.other-provider.{z}", "test", priority=5)],
}


def zone_records(zone: str) -> list[DnsRecordSpec]:
    """The planned records of the test app, served as `zone`."""
    return desired_records(make_config(zone))


@pytest.fixture(scope="session")
def knot(tmp_path_factory) -> KnotServer:
    reason = unavailable_reason()
    if reason:
        pytest.fail(f"Knot DNS unavailable: {reason}")
    sender = "v=spf1 ip4:192.0.2.0/24 -all"
    tld = [DnsRecordSpec("TXT", SPF_INCLUDE, sender, "SPF include stand-in")]
    tld += [DnsRecordSpec("TXT", f"s{i}.mailer.test", sender, "nested include") for i in range(11)]
    zones: dict[str, list[DnsRecordSpec]] = {"test": tld, ZONE: zone_records(ZONE)}
    for case, damage in BROKEN.items():
        zone = f"{case}.test"
        zones[zone] = damage(zone_records(zone), zone)
    server = KnotServer(tmp_path_factory.mktemp("knot"), zones).start()
    yield server
    server.stop()


# ---------------------------------------------------------------- HTTPS sites

TLS_SITES = (
    Site(ZONE), Site(f"www.{ZONE}"),
    Site("valid.test"),
    Site("expired.test", days_left=-3),
    Site("soon.test", days_left=10),
    Site("renew.test", days_left=20),
    Site("wrong-name.test", cert_hostname="someone-else.test"),
    Site("no-redirect.test", redirect=False),
    Site("no-hsts.test", hsts_max_age=None),
    Site("short-hsts.test", hsts_max_age=86_400),
)


@pytest.fixture(scope="session")
def tls_server(tmp_path_factory) -> TlsServer:
    server = TlsServer(TLS_SITES, tmp_path_factory.mktemp("tls") / "ca.pem").start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def legacy_tls_server(tmp_path_factory) -> TlsServer:
    server = TlsServer([Site("legacy.test")], tmp_path_factory.mktemp("tls-legacy") / "ca.pem",
                       legacy_tls=True).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def plan():
    """The offline plan of the test app (built once per worker)."""
    return context(make_config()).plan


# ---------------------------------------------------------------- running checks

def context(config: EnvironmentConfig | None = None, **options: Any) -> CheckContext:
    config = config or make_config()
    return CheckContext(CheckOptions(stack=config.environment, **options), config=config)


def run_check(check_id: str, ctx: CheckContext) -> list[Result]:
    return run_one(registry.get(check_id), ctx)


def statuses(results: list[Result]) -> list[str]:
    return [r.status.value for r in results]


def dns_context(knot: KnotServer, domain: str = ZONE, environment: str = "prod") -> CheckContext:
    return context(make_config(environment=environment), nameserver=knot.nameserver, domain=domain)


def tls_context(server: TlsServer, hostname: str, environment: str = "prod") -> CheckContext:
    """A context whose only app hostname is `hostname`, served by `server` on 127.0.0.1."""
    return context(make_config(hostname, environment, www=False), https_port=server.https_port,
                   http_port=server.http_port, ca_file=server.ca_file, connect_host="127.0.0.1")
