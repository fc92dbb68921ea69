"""The files `launchready init` writes: Pulumi.yaml, a program stub, one stack file per environment.

Pure functions from answers to documents, plus an all-or-nothing writer (every file staged beside its
target, renamed only when all were written; never through a link that leaves the repository), so a
failed init leaves no half project.
init writes no `encryptionsalt` and no `secure:` value of its own: Pulumi creates the salt with the
user's own passphrase on the first `pulumi config set --secret`; the ones a stack file already has are
kept, also on `--force`.
"""
from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from launchready.config import stack_yaml
from launchready.config.model import ENVIRONMENTS, NAMESPACE, NONE
from launchready.config.stack_yaml import StackFileError
from launchready.errors import UsageError
from launchready.files import FileProblem, read_capped
from launchready.project import DEFAULT_MATRIX

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
    rules_file: str | None = None          # None: the app has none, and the stack names none
    indexes_file: str | None = None
    existing_projects: frozenset[str] = frozenset()   # read from the app or named: createProject false
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


def stack_document(a: Answers, env: str) -> dict[str, dict[str, object]]:
    """One `Pulumi.<env>.yaml`: every non-secret value; secrets are left to `pulumi config set --secret`."""
    ns = NAMESPACE
    project = a.project_ids[env]
    domain = hosts(a.domain, env)
    domain["cloudflareZoneId"] = a.cloudflare_zone_id or PLACEHOLDER
    mx, spf = EMAIL_PROVIDERS.get(a.email_provider, ([(f"{PLACEHOLDER}.mx.{a.domain}", 10)], PLACEHOLDER))
    gcp: dict[str, object] = {"projectId": project, "createProject": project not in a.existing_projects,
                              "region": a.region,
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
    }
    firestore = {key: value for key, value in (("rulesFile", a.rules_file), ("indexesFile", a.indexes_file)) if value}
    if firestore:
        config[f"{ns}:firestore"] = firestore
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


def secret_commands(stacks: list[str], a: Answers | None = None) -> list[str]:
    """The exact commands still needed after init (values are the user's, never ours); no token for a
    CRM or support desk the app does not have."""
    unused = {f"{NAMESPACE}:crmApiToken": a is not None and a.crm_provider == NONE,
              f"{NAMESPACE}:supportApiToken": a is not None and a.support_provider == NONE}
    return [f"pulumi config set --secret {key} <value> --stack {stack}" for stack in stacks for key in SECRET_KEYS
            if not unused.get(key)]


def _dump(document: dict[str, object], header: str) -> str:
    return header + yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=120)


def stack_paths(root: Path) -> dict[str, Path]:
    return {env: root / "stacks" / f"Pulumi.{env}.yaml" for env in ENVIRONMENTS}


def targets(root: Path) -> list[Path]:
    """Every file init writes."""
    return [root / "Pulumi.yaml", root / PROGRAM_DIR / "__main__.py", *stack_paths(root).values(),
            root / "requirements.txt", root / ".gitignore", root / DEFAULT_MATRIX]


def files_for(a: Answers, root: Path, *, force: bool = False) -> dict[Path, str]:
    """Target path -> content for everything init writes but the access matrix. Existing stack files
    keep their salt and `secure:` values, `requirements.txt` and `.gitignore` keep their lines (read
    only once every target is known to stay inside the repository)."""
    check_targets(root, targets(root))
    stacks = stack_paths(root)
    extra = {name: root / name for name in ("requirements.txt", ".gitignore")}
    files = {root / "Pulumi.yaml": _dump(project_document(a), "# Written by `launchready init`.\n"),
             root / PROGRAM_DIR / "__main__.py": PROGRAM}
    for env, path in stacks.items():
        header = (f"# {a.app_name} — {env}. Written by `launchready init`; Pulumi reads it as stack `{env}`.\n"
                  f"# Secrets: `pulumi config set --secret <key> <value> --stack {env}` (see `launchready init` output).\n")
        files[path] = _dump(keep_secrets(stack_document(a, env), _old_stack(root, path, force)), header)
    files[extra["requirements.txt"]] = requirements_text(_old_text(root, extra["requirements.txt"]))
    files[extra[".gitignore"]] = gitignore_text(_old_text(root, extra[".gitignore"]))
    return files


# ------------------------------------------------------------------ what an existing project keeps

def _old_stack(root: Path, path: Path, force: bool) -> dict | None:
    """The stack file as it is, to keep its secrets; one that cannot be read is only an error when
    --force would overwrite it (its secrets would be lost)."""
    if not os.path.lexists(path):
        return None
    try:
        document, _ = stack_yaml.load(path)
    except StackFileError as exc:
        if force:
            raise UsageError(f"{_rel(root, path)}: {exc}; --force would lose its secrets, so nothing was "
                             "written (fix or move the file)") from None
        return None
    return document if isinstance(document, dict) else None


def keep_secrets(new: dict, old: dict | None) -> dict:
    """`new` with the old file's top-level keys (encryptionsalt, secretsprovider, encryptedkey) and
    every config value that holds a `secure:` ciphertext, at the same place."""
    if not old:
        return new
    kept = {key: value for key, value in old.items() if key != "config"}
    config = dict(new["config"])
    old_config = old.get("config")
    for key, value in (old_config.items() if isinstance(old_config, dict) else ()):
        if _holds_secure(value):
            config[key] = _with_secure(config.get(key), value)
    return {**kept, "config": config}


def _with_secure(new: object, old: object) -> object:
    """`old` holds a secret somewhere: keep it where it is inside `new` (all of `old` if `new` has no room)."""
    if not isinstance(new, dict) or not isinstance(old, dict) or "secure" in old:
        return old
    return {**new, **{k: _with_secure(new.get(k), v) for k, v in old.items() if _holds_secure(v)}}


def _holds_secure(value: object) -> bool:
    if isinstance(value, dict):
        return "secure" in value or any(_holds_secure(v) for v in value.values())
    return isinstance(value, list) and any(_holds_secure(v) for v in value)


def _old_text(root: Path, path: Path) -> str:
    if not os.path.lexists(path):
        return ""
    try:
        return read_capped(path)
    except FileProblem as exc:
        raise UsageError(f"{_rel(root, path)}: {exc}; init adds a line to it, so nothing was written") from None


def requirements_text(old: str) -> str:
    """Pulumi's virtualenv installs this: launchready pinned exactly, the file's other lines kept."""
    from launchready import __version__
    lines = [line for line in old.splitlines() if not re.match(r"\s*launchready\b", line)]
    return "".join(f"{line}\n" for line in lines) + f"launchready=={__version__}\n"


def gitignore_text(old: str) -> str:
    """`.venv/` (Pulumi's virtualenv) ignored: appended once, the rest untouched."""
    if any(line.strip().strip("/") == ".venv" for line in old.splitlines()):
        return old
    return old + ("\n" if old and not old.endswith("\n") else "") + "# Pulumi's virtualenv (launchready init)\n.venv/\n"


# ------------------------------------------------------------------ writing, all or nothing

def _rel(root: Path, path: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def check_targets(root: Path, paths: list[Path]) -> None:
    """Refuse (exit 2, one line) a target reached through a link that leaves the repository, or one
    that exists but is not a regular file — before anything is read or written."""
    root = root.resolve()
    for path in paths:
        current = root
        for part in path.relative_to(root).parts:
            current = current / part
            if current.is_symlink():
                try:
                    target = current.resolve(strict=False)
                except (OSError, RuntimeError):
                    raise UsageError(f"{_rel(root, current)} is a link loop: init writes nothing") from None
                if not target.is_relative_to(root):
                    raise UsageError(f"{_rel(root, current)} is a link to {target}, outside the repository: "
                                     "init writes only inside it, so nothing was written")
        if os.path.lexists(path) and not path.is_file():
            raise UsageError(f"{_rel(root, path)} exists and is not a regular file: nothing was written")


def write_all(files: dict[Path, str], *, root: Path, force: bool) -> tuple[list[Path], list[Path]]:
    """Write every file or none: each goes to a temp file beside its target, and only when all of them
    were written are they renamed into place. Returns (written, kept): an existing file that differs is
    kept unless `force`; an identical one is left alone, so re-running init changes nothing."""
    check_targets(root, list(files))
    todo, kept = {}, []
    for path, text in files.items():
        if os.path.lexists(path):
            if _same(path, text):
                continue
            if not force:
                kept.append(path)
                continue
        todo[path] = text
    staged = _stage(root, todo)
    for path, tmp in staged.items():
        os.replace(tmp, path)
    return list(staged), kept


def _same(path: Path, text: str) -> bool:
    """Byte-equal, or for YAML the same document (Pulumi reorders a stack file when it adds a secret)."""
    try:
        if read_capped(path) == text:
            return True
        return path.suffix == ".yaml" and stack_yaml.load(path)[0] == yaml.safe_load(text)
    except FileProblem:
        return False


def _stage(root: Path, todo: dict[Path, str]) -> dict[Path, str]:
    """Temp files for every target (folders created as needed); on any failure everything staged and
    every folder made is removed again, and the run stops with one line."""
    staged: dict[Path, str] = {}
    made: list[Path] = []
    done = False
    try:
        for path, text in todo.items():
            for folder in reversed([p for p in path.parents if p.is_relative_to(root) and p != root]):
                if not folder.exists():
                    folder.mkdir()
                    made.append(folder)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
            staged[path] = tmp
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            os.chmod(tmp, 0o644)  # mkstemp makes it 0600; these are ordinary, committed project files
        done = True
    except OSError as exc:
        raise UsageError(f"cannot write {_rel(root, path)}: {exc.strerror or exc}; nothing was written") from None
    finally:
        if not done:
            for tmp in staged.values():
                if os.path.exists(tmp):
                    os.unlink(tmp)
            for folder in reversed(made):
                try:
                    folder.rmdir()
                except OSError:
                    pass
    return staged
