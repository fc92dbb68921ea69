"""The files `launchready init` writes: Pulumi.yaml, a program stub, one stack file per environment.

Pure functions from answers to documents, plus an all-or-nothing writer (temp file + rename, and
nothing at all when any target exists without `force`), so a failed init leaves no half project.
No `encryptionsalt` and no `secure:` values are written: Pulumi creates the salt with the user's own
passphrase on the first `pulumi config set --secret`.
"""
from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from launchready.errors import UsageError
from launchready.config.model import ENVIRONMENTS, NAMESPACE, NONE

PLACEHOLDER = "REPLACE-ME"   # config.placeholders fails on any stack value containing it
PROGRAM_DIR = "deploy"       # Pulumi.yaml `main:`; holds a 2-line __main__.py calling the packaged program
PROGRAM = ("# The Pulumi program ships inside launchready; this calls it for the project in this folder.\n"
           "from launchready.infra.components.environment import deploy\n\ndeploy()\n")
SECRET_KEYS = (f"{NAMESPACE}:stripeSecretKey", f"{NAMESPACE}:crmApiToken", f"{NAMESPACE}:supportApiToken",
               "cloudflare:apiToken")
EMAIL_PROVIDERS = {   # provider -> (MX hosts with priority, SPF include)
    "google-workspace": ([("smtp.google.com", 1)], "_spf.google.com"),
    "microsoft-365": ([(f"{PLACEHOLDER}.mail.protection.outlook.com", 0)], "spf.protection.outlook.com"),
    "zoho": ([("mx.zoho.com", 10), ("mx2.zoho.com", 20)], "zoho.com"),
    "fastmail": ([("in1-smtp.messagingengine.com", 10), ("in2-smtp.messagingengine.com", 20)], "spf.messagingengine.com"),
}
CRM_PROVIDERS = {"hubspot": "https://api.hubapi.com"}
SUPPORT_PROVIDERS = {"zendesk": "https://{sub}.zendesk.com"}


@dataclass
class Answers:
    """Everything init needs; found in the app, given as flags, prompted for, or defaulted."""

    app_name: str
    domain: str
    project_ids: dict[str, str]
    owner: str
    email_provider: str = "google-workspace"
    crm_provider: str = "hubspot"
    support_provider: str = "zendesk"
    support_subdomain: str | None = None
    cloudflare_zone_id: str | None = None
    dkim_key: str | None = None
    billing_account: str | None = None
    region: str = "europe-west1"
    firestore_location: str = "eur3"
    rules_file: str = "firestore.rules"
    indexes_file: str = "firestore.indexes.json"
    app_dir: str | None = None
    found: list[str] = field(default_factory=list)   # what init read from the app, for the summary


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "app"


def derive_project_ids(found: dict[str, str], name: str) -> dict[str, str]:
    """Fill missing environments from a known one (`myapp-dev-1234` -> `myapp-prod-1234`) or the name."""
    ids = dict(found)
    for env in ENVIRONMENTS:
        if env in ids:
            continue
        known = next(iter(ids.values()), None)
        other = next((e for e in ENVIRONMENTS if e in ids and re.search(rf"(^|-){e}(-|$)", ids[e])), None)
        if known and other:
            ids[env] = re.sub(rf"(^|-){other}(-|$)", rf"\g<1>{env}\g<2>", ids[other], count=1)
        else:
            ids[env] = f"{slug(name)[:22].strip('-')}-{env}"
    return ids


def hosts(domain: str, env: str) -> dict[str, object]:
    base = domain if env == "prod" else f"{env}.{domain}"
    return {"zone": domain, "cloudflareZoneId": None, "appHost": base, "apiHost": f"api.{base}",
            "wwwRedirect": env == "prod", "mailDomain": base}


def stack_document(a: Answers, env: str) -> dict[str, object]:
    """One `Pulumi.<env>.yaml`: every non-secret value; secrets are left to `pulumi config set --secret`."""
    ns = NAMESPACE
    project = a.project_ids[env]
    domain = hosts(a.domain, env)
    domain["cloudflareZoneId"] = a.cloudflare_zone_id or PLACEHOLDER
    mx, spf = EMAIL_PROVIDERS.get(a.email_provider, ([(f"{PLACEHOLDER}.mx.{a.domain}", 10)], PLACEHOLDER))
    gcp: dict[str, object] = {"projectId": project, "createProject": True, "region": a.region,
                              "firestoreLocation": a.firestore_location}
    if a.billing_account:
        gcp["billingAccount"] = a.billing_account
    support_base = SUPPORT_PROVIDERS.get(a.support_provider, f"https://{PLACEHOLDER}")
    config: dict[str, object] = {
        "gcp:project": project, "gcp:region": a.region,
        f"{ns}:environment": env,
        f"{ns}:app": {"name": a.app_name if env == "prod" else f"{a.app_name} ({env})",
                      "supportEmail": f"support@{domain['mailDomain']}"},
        f"{ns}:gcp": gcp,
        f"{ns}:domain": domain,
        f"{ns}:tls": {"sslMode": "strict", "minTlsVersion": "1.2", "tls13": True, "alwaysUseHttps": True,
                      "hstsMaxAge": 31536000},
        f"{ns}:email": {"provider": a.email_provider, "mx": [{"host": h, "priority": p} for h, p in mx],
                        "spfIncludes": [spf], "spfAll": "-all" if env == "prod" else "~all",
                        "dkim": [{"selector": "google" if a.email_provider == "google-workspace" else "default",
                                  "type": "TXT", "value": a.dkim_key or f"v=DKIM1; k=rsa; p={PLACEHOLDER}"}],
                        "dmarcPolicy": {"prod": "reject", "staging": "quarantine"}.get(env, "none"),
                        "dmarcRua": f"mailto:dmarc-reports@{a.domain}"},
        f"{ns}:caaIssuers": ["letsencrypt.org", "pki.goog"],
        f"{ns}:stripe": {"mode": "live" if env == "prod" else "test", "apiVersion": _stripe_api_version()},
        f"{ns}:crm": _integration(a.crm_provider, CRM_PROVIDERS.get(a.crm_provider, f"https://{PLACEHOLDER}"), a.owner),
        f"{ns}:support": _integration(a.support_provider, support_base.format(
            sub=a.support_subdomain or slug(a.app_name).replace("-", "")), a.owner),
        f"{ns}:alerts": {"emails": [a.owner]},
        f"{ns}:owners": {role: a.owner for role in ("gcp", "stripe", "crm", "support", "dns")},
        f"{ns}:functions": {"maxInstances": 50 if env == "prod" else 3},
        f"{ns}:firestore": {"rulesFile": a.rules_file, "indexesFile": a.indexes_file},
    }
    return {"config": config}


def validate(a: Answers) -> None:
    """Refuse answers the stack files could not hold (a bad domain or project id) before writing any."""
    from launchready.config.model import ConfigError, parse_config

    problems: list[str] = []
    for env in ENVIRONMENTS:
        values = {k.removeprefix(f"{NAMESPACE}:"): v for k, v in stack_document(a, env)["config"].items()
                  if k.startswith(f"{NAMESPACE}:")}
        secrets = {"stripeSecretKey": {"secure": "-"}, "crmApiToken": {"secure": "-"}, "supportApiToken": {"secure": "-"}}
        try:
            parse_config({**values, **secrets}, source=f"stack {env}")
        except ConfigError as exc:
            problems += [p for p in exc.problems if p not in problems]
    if problems:
        raise UsageError("; ".join(problems))


def _stripe_api_version() -> str:
    from launchready.functions.backend.events import STRIPE_API_VERSION
    return STRIPE_API_VERSION


def project_document(a: Answers) -> dict[str, object]:
    config: dict[str, object] = {}
    if a.app_dir and a.app_dir != ".":
        config[f"{NAMESPACE}:appDir"] = {"value": a.app_dir}
    doc: dict[str, object] = {
        "name": slug(a.app_name), "description": f"{a.app_name}: environments managed by launchready",
        "runtime": {"name": "python", "options": {"toolchain": "pip", "virtualenv": ".venv"}},
        "main": f"{PROGRAM_DIR}/", "stackConfigDir": "stacks"}
    if config:
        doc["config"] = config
    return doc


def _integration(provider: str, api_base: str, owner: str) -> dict[str, str]:
    """A CRM/support block; `none` is just that (no apiBase to replace, no token to set)."""
    return {"provider": NONE} if provider == NONE else {"provider": provider, "apiBase": api_base, "owner": owner}


def secret_commands(stacks: list[str], a: "Answers | None" = None) -> list[str]:
    """The exact commands still needed after init (values are the user's, never ours); no token for a
    CRM or support desk the app does not have."""
    unused = {f"{NAMESPACE}:crmApiToken": a is not None and a.crm_provider == NONE,
              f"{NAMESPACE}:supportApiToken": a is not None and a.support_provider == NONE}
    return [f"pulumi config set --secret {key} <value> --stack {stack}" for stack in stacks for key in SECRET_KEYS
            if not unused.get(key)]


def _dump(document: dict[str, object], header: str) -> str:
    return header + yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=120)


def files_for(a: Answers, root: Path) -> dict[Path, str]:
    """Target path -> content for everything init writes."""
    files = {root / "Pulumi.yaml": _dump(project_document(a), "# Written by `launchready init`.\n"),
             root / PROGRAM_DIR / "__main__.py": PROGRAM}
    for env in ENVIRONMENTS:
        header = (f"# {a.app_name} — {env}. Written by `launchready init`; Pulumi reads it as stack `{env}`.\n"
                  f"# Secrets: `pulumi config set --secret <key> <value> --stack {env}` (see `launchready init` output).\n")
        files[root / "stacks" / f"Pulumi.{env}.yaml"] = _dump(stack_document(a, env), header)
    return files


def write_all(files: dict[Path, str], *, force: bool) -> tuple[list[Path], list[Path]]:
    """Write each file via temp file + rename; returns (written, kept). An existing file that differs
    is kept unless `force` (never overwritten behind the user's back); an identical one is left alone,
    so re-running init with the same answers changes nothing."""
    written, kept = [], []
    for path, text in files.items():
        if path.exists():
            same = path.is_file() and path.read_bytes() == text.encode("utf-8")
            if same or not force:
                (kept if not same else []).append(path)
                continue
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            os.chmod(tmp, 0o644)  # mkstemp makes it 0600; these are ordinary, committed project files
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        written.append(path)
    return written, kept
