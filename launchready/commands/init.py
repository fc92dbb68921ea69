"""`launchready init`: make an existing Flutter + Firebase app repository a launchready project.

Reads what the app already says (`.firebaserc`, `firebase.json`, `pubspec.yaml`, Firebase client
configs per flavor), asks only for what it cannot find (or, with `--yes`, takes flags and defaults),
writes Pulumi.yaml, the program stub and `stacks/Pulumi.{dev,staging,prod}.yaml`, and prints the
secret commands still needed.
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from launchready.flutter import app_config
from launchready import scaffold
from launchready.errors import UsageError
from launchready.config.model import ENVIRONMENTS
from launchready.project import DEFAULT_MATRIX

# The canonical collections the backend owns: covered by built-in access-matrix rows.
BACKEND_COLLECTIONS = frozenset({"customers", "stripe_events", "sync_tasks", "support_requests"})


def _app_dir(root: Path, given: Optional[Path]) -> Path:
    if given is not None:
        folder = given if given.is_absolute() else root / given
        if not folder.is_dir():
            raise UsageError(f"--app-dir: {folder} is not a folder")
        return folder.resolve()
    return root


def _discover(root: Path, app_dir: Path) -> tuple[dict[str, str], app_config.FirebaseJson, str | None, list[str]]:
    """(project per environment, firebase.json, pubspec name, what was found); malformed -> exit 2."""
    try:
        aliases = app_config.read_firebaserc(root)
        firebase = app_config.read_firebase_json(root)
        name = app_config.read_pubspec_name(app_dir)
        clients = app_config.firebase_clients(app_dir)
    except app_config.AppConfigError as exc:
        raise UsageError(str(exc)) from None
    found = [f".firebaserc: {len(aliases)} alias(es)"] if aliases else []
    found += [f"{c.source.relative_to(root)}: {c.project_id}" + (f" (flavor {c.flavor})" if c.flavor else "")
              for c in clients]
    return app_config.projects_by_environment(clients, aliases), firebase, name, found


def _ask(value: Optional[str], prompt: str, default: Optional[str], yes: bool, flag: str) -> str:
    if value:
        return value
    if yes:
        if default is None:
            raise UsageError(f"{flag} is required with --yes (nothing in the app says it)")
        return default
    return typer.prompt(prompt, default=default)


def command(
    domain: Optional[str] = typer.Option(None, "--domain", help="The app's domain (prod serves it; dev/staging get subdomains)."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Never prompt: take flags, what the app says, and defaults."),
    force: bool = typer.Option(False, "--force", help="Overwrite existing files that differ."),
    app_dir: Optional[Path] = typer.Option(None, "--app-dir", help="The Flutter app, if not the project root."),
    app_name: Optional[str] = typer.Option(None, "--app-name", help="Display name (default: from pubspec.yaml)."),
    owner: Optional[str] = typer.Option(None, "--owner", help="Owner / on-call email (default: ops@<domain>)."),
    email_provider: str = typer.Option("google-workspace", "--email-provider",
                                       help=f"Mail provider: {', '.join(scaffold.EMAIL_PROVIDERS)} or other."),
    crm: str = typer.Option("hubspot", "--crm", help="CRM provider (hubspot, or none)."),
    support: str = typer.Option("zendesk", "--support", help="Support desk provider (zendesk, or none)."),
    support_subdomain: Optional[str] = typer.Option(None, "--support-subdomain", help="Zendesk subdomain."),
    cloudflare_zone_id: Optional[str] = typer.Option(None, "--cloudflare-zone-id", help="Cloudflare zone id."),
    dkim_key: Optional[str] = typer.Option(None, "--dkim-key", help="DKIM TXT value (`v=DKIM1; k=rsa; p=...`)."),
    billing_account: Optional[str] = typer.Option(None, "--billing-account", help="GCP billing account id."),
    region: str = typer.Option("europe-west1", "--region", help="GCP region."),
    firestore_location: str = typer.Option("eur3", "--firestore-location", help="Firestore location."),
) -> None:
    """Set up launchready in this app repository (Pulumi.yaml, stacks/, program stub)."""
    from launchready.project import init_root

    root = init_root()
    folder = _app_dir(root, app_dir)
    found_ids, firebase, pub_name, found = _discover(root, folder)
    default_name = (pub_name or root.name).replace("_", " ").title()
    name = _ask(app_name or (default_name if pub_name else None), "App name", default_name, yes, "--app-name")
    domain = _ask(domain, "Domain (prod serves it)", None, yes, "--domain").lower().rstrip(".")
    ids = scaffold.derive_project_ids(found_ids, name)
    for env in (e for e in ENVIRONMENTS if e not in found_ids and not yes):   # ask only what the app did not say
        ids[env] = typer.prompt(f"GCP/Firebase project id for {env}", default=ids[env])
    answers = scaffold.Answers(
        app_name=name, domain=domain, project_ids=ids, owner=_ask(owner, "Owner email", f"ops@{domain}", yes, "--owner"),
        email_provider=email_provider, crm_provider=crm, support_provider=support, support_subdomain=support_subdomain,
        cloudflare_zone_id=cloudflare_zone_id, dkim_key=dkim_key, billing_account=billing_account, region=region,
        firestore_location=firestore_location, rules_file=_in_root(root, firebase.rules, "firestore.rules"),
        indexes_file=_in_root(root, firebase.indexes, "firestore.indexes.json"),
        app_dir=folder.relative_to(root).as_posix() if folder != root else None, found=found)
    scaffold.validate(answers)
    files = scaffold.files_for(answers, root)
    files[root / DEFAULT_MATRIX] = _access_matrix(root / answers.rules_file, answers)
    written, kept = scaffold.write_all(files, force=force)
    _summary(root, answers, written, kept, list(files.values()))


def _access_matrix(rules_file: Path, answers: scaffold.Answers) -> str:
    """The access file seeded from the collections the rules name (backend-owned ones are built in;
    public read-only content keeps its reads)."""
    from launchready.rules.analysis.audits import public_collections
    from launchready.rules.analysis.model import RulesSyntaxError, parse_rules
    from launchready.rules.testing.access_file import render, seed_rows

    collections: set[str] = set()
    try:
        rules = parse_rules(rules_file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, RulesSyntaxError):
        answers.found.append(f"{answers.rules_file}: not read, so the access matrix starts empty")
        rules = None
    for match in rules.matches() if rules else ():
        segments = match.document_segments
        if segments and "{" not in segments[0] and segments[0] not in BACKEND_COLLECTIONS:
            collections.add(segments[0])
    return render(seed_rows(sorted(collections), frozenset(public_collections(rules)) if rules else frozenset()))


def _in_root(root: Path, value: Optional[str], default: str) -> str:
    return value if value and (root / value).resolve().is_relative_to(root) else default


def _summary(root: Path, answers: scaffold.Answers, written: list[Path], kept: list[Path],
             texts: list[str]) -> None:
    for line in answers.found:
        typer.echo(f"found   {line}")
    for env in ENVIRONMENTS:
        typer.echo(f"stack   {env}: project {answers.project_ids[env]}")
    if written:
        typer.echo("wrote   " + ", ".join(p.relative_to(root).as_posix() for p in written))
    if kept:
        typer.echo("kept    " + ", ".join(p.relative_to(root).as_posix() for p in kept)
                   + " (they differ from what init would write; --force rewrites them)")
    if not written and not kept:
        typer.echo("nothing to write: the project files are already as init would write them")
    if not (root / answers.rules_file).is_file():
        typer.echo(f"note    {answers.rules_file} does not exist yet: the plan and rules checks need it")
    typer.echo("next, set the secrets (Pulumi asks for your passphrase and writes your own encryptionsalt):")
    for line in scaffold.secret_commands(list(ENVIRONMENTS), answers):
        typer.echo(f"  {line}")
    if any(scaffold.PLACEHOLDER in text for text in texts):
        typer.echo(f"then replace every {scaffold.PLACEHOLDER} value in stacks/ (or pass --cloudflare-zone-id, "
                   "--dkim-key ...)")
    typer.echo("then run `launchready check --stack dev --offline` and `launchready plan --stack dev`")
