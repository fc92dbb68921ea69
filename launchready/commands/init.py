"""`launchready init`: make an existing Flutter + Firebase app repository a launchready project.

Reads what the app already says (`.firebaserc`, `firebase.json`, `pubspec.yaml`, Firebase client
configs per flavor; FlutterFlow keeps the Firebase CLI files in `firebase/`), and never guesses which
Firebase project is prod: it lists the projects it found with their sources and asks which environment
each is, or takes `--project dev=…,staging=…,prod=…`. With `--yes` it goes on only when the sources
name each project's environment (aliases or flavors called dev/staging/prod). A file it cannot read is
one line of output, and the other sources still count. Then it writes Pulumi.yaml, the program stub,
`stacks/Pulumi.{dev,staging,prod}.yaml`, `requirements.txt` and `.gitignore` all-or-nothing, and prints
the secret commands still needed.
"""
from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import typer

from launchready import scaffold
from launchready.config.hostnames import hostname
from launchready.config.model import ENVIRONMENTS
from launchready.errors import UsageError
from launchready.flutter import app_config
from launchready.flutter.app_config import PROJECT_ID, FoundProject
from launchready.project import DEFAULT_MATRIX

# The canonical collections the backend owns: covered by built-in access-matrix rows.
BACKEND_COLLECTIONS = frozenset({"customers", "stripe_events", "sync_tasks", "support_requests"})
DEFAULT_LOCATION = "eur3"
FETCH_INDEXES = "firebase firestore:indexes > firestore.indexes.json"
FETCH_RULES = "Firebase console > Firestore > Rules, saved as firestore.rules"


@dataclass
class Discovery:
    """What the app says about itself, and one line per source that could not be read."""

    projects: list[FoundProject]
    firebase: app_config.FirebaseJson
    pub_name: str | None
    notes: list[str] = field(default_factory=list)


def _app_dir(root: Path, given: Path | None) -> Path:
    if given is not None:
        folder = given if given.is_absolute() else root / given
        if not folder.is_dir() or not folder.resolve().is_relative_to(root):
            raise UsageError(f"--app-dir: {given} is not a folder inside {root}")
        return folder.resolve()
    return root


def _tolerant(root: Path, notes: list[str], read: Callable, where: Path, empty):
    """`read(where)`, or `empty` and one note when the source cannot be read (the others still count)."""
    try:
        return read(where)
    except app_config.AppConfigError as exc:
        notes.append(_relative(root, str(exc)))
        return empty


def _relative(root: Path, line: str) -> str:
    return line.replace(f"{root}/", "")


def _discover(root: Path, app_dir: Path) -> Discovery:
    notes: list[str] = []
    # the Firebase CLI files live in the repository root, or (a monorepo) beside the app
    cli_dir = app_dir if app_dir != root and not _has_cli_files(root) else root
    aliases = _tolerant(root, notes, app_config.read_firebaserc, cli_dir, {})
    firebase = _tolerant(root, notes, lambda d: _rooted(app_config.read_firebase_json(d), d, root), cli_dir,
                         app_config.FirebaseJson())
    name = _tolerant(root, notes, app_config.read_pubspec_name, app_dir, None)
    clients, problems = app_config.scan_clients(app_dir)
    notes += [_relative(root, p) for p in problems]
    projects, skipped = app_config.found_projects(root, aliases, clients)
    return Discovery(projects, firebase, name, notes + skipped)


def _has_cli_files(folder: Path) -> bool:
    return any(app_config.firebase_file(folder, name) for name in (".firebaserc", "firebase.json"))


def _rooted(firebase: app_config.FirebaseJson, folder: Path, root: Path) -> app_config.FirebaseJson:
    """firebase.json's paths relative to the repository root when it was read beside the app."""
    if folder == root:
        return firebase
    prefix = folder.relative_to(root).as_posix()
    fields = ("rules", "indexes", "storage_rules", "functions_source", "source")
    return replace(firebase, **{f: f"{prefix}/{getattr(firebase, f)}" for f in fields if getattr(firebase, f)})


# ------------------------------------------------------------------ answers, validated when given

def _domain_problem(value: str) -> str | None:
    try:
        hostname(value.lower().rstrip("."))
    except ValueError as exc:
        return f"{value!r}: {exc}"
    return None


def _email_problem(value: str) -> str | None:
    local, _, host = value.partition("@")
    return None if local and host and not _domain_problem(host) else f"{value!r}: expected an email address"


def _project_problem(value: str) -> str | None:
    return None if PROJECT_ID.match(value) else \
        f"{value!r}: a project id is 6-30 characters of a-z, 0-9 and -, starting with a letter"


def _prompt(text: str, default: str | None, problem: Callable[[str], str | None]) -> str:
    """Ask until the answer is valid: a mistake is caught when it is typed, not after every question."""
    while True:
        value = typer.prompt(text, default=default).strip()
        message = problem(value)
        if message is None:
            return value
        typer.echo(f"  {message}; try again", err=True)


def _ask(value: str | None, prompt: str, default: str | None, yes: bool, flag: str,
         problem: Callable[[str], str | None] = lambda _: None) -> str:
    if value:
        return value
    if yes:
        if default is None:
            raise UsageError(f"{flag} is required with --yes (nothing in the app says it)")
        return default
    return _prompt(prompt, default, problem)


# ------------------------------------------------------------------ which project is which environment

def parse_projects(value: str | None) -> dict[str, str] | None:
    """`dev=a,prod=b` -> {"dev": "a", "prod": "b"}; anything else is one usage line."""
    if value is None:
        return None
    mapping: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in value.split(","))):
        env, _, project = (s.strip() for s in part.partition("="))
        if env not in ENVIRONMENTS or not project:
            raise UsageError(f"--project: {part!r}: expected ENV=PROJECT_ID with ENV one of {', '.join(ENVIRONMENTS)}")
        if problem := _project_problem(project):
            raise UsageError(f"--project: {problem}")
        if env in mapping or project in mapping.values():
            raise UsageError(f"--project: {env} or {project} is named twice")
        mapping[env] = project
    if not mapping:
        raise UsageError("--project: expected dev=PROJECT_ID,staging=PROJECT_ID,prod=PROJECT_ID")
    return mapping


def _earlier(root: Path) -> dict[str, str] | None:
    """The existing projects an earlier init mapped (stack files with `createProject: false`): a re-run
    keeps them instead of asking again; --project changes them."""
    from launchready.config.stack_yaml import StackFileError, load

    mapping: dict[str, str] = {}
    for env, path in scaffold.stack_paths(root).items():
        try:
            document = load(path)[0] if path.is_file() else None
        except StackFileError:
            continue
        config = document.get("config") if isinstance(document, dict) else None
        gcp = config.get("launchready:gcp") if isinstance(config, dict) else None
        if isinstance(gcp, dict) and gcp.get("createProject") is False and isinstance(gcp.get("projectId"), str) \
                and PROJECT_ID.match(gcp["projectId"]) and gcp["projectId"] not in mapping.values():
            mapping[env] = gcp["projectId"]
    return mapping or None


def _claimed(projects: list[FoundProject]) -> dict[str, str]:
    """Environments that exactly one found project's sources name (and name alone)."""
    claims: dict[str, list[str]] = {}
    for p in projects:
        if p.environment:
            claims.setdefault(p.environment, []).append(p.project_id)
    return {env: ids[0] for env, ids in claims.items() if len(ids) == 1}


def _unambiguous(projects: list[FoundProject]) -> dict[str, str] | None:
    """The mapping when every found project's sources name one environment, each a different one."""
    claimed = _claimed(projects)
    return claimed if len(claimed) == len(projects) and all(p.environment for p in projects) else None


def _describe(p: FoundProject) -> str:
    return f"{p.project_id} ({'; '.join(p.sources)})"


def _mapping(projects: list[FoundProject], given: dict[str, str] | None, yes: bool) -> dict[str, str]:
    """Environment -> project read from the app or named with --project: asked, never guessed."""
    if given is not None:
        extra = {e: p for e, p in _claimed(projects).items() if e not in given and p not in given.values()}
        return {**extra, **given}
    sure = _unambiguous(projects)
    if yes:
        if sure is None:
            raise UsageError(f"{_unsure(projects)}, and init never guesses: pass --project "
                             "dev=PROJECT_ID,staging=PROJECT_ID,prod=PROJECT_ID (or run init without --yes)")
        return sure
    return _ask_mapping(projects)


def _unsure(projects: list[FoundProject]) -> str:
    """Why the sources do not settle the mapping, about the first project they leave open."""
    claims: dict[str, int] = {}
    for p in projects:
        for env in p.environments:
            claims[env] = claims.get(env, 0) + 1
    for p in projects:
        if len(p.environments) > 1:
            return f"{_describe(p)} is named for {' and '.join(sorted(p.environments))}"
        if not p.environments:
            return f"which environment is {_describe(p)}? the app does not say"
        named = p.environment
        assert named is not None  # exactly one environment left: the two cases above returned
        if claims[named] > 1:
            return f"{_describe(p)} is one of several projects named for {named}"
    return "the app's projects do not map to environments one to one"


def _ask_mapping(projects: list[FoundProject]) -> dict[str, str]:
    if not projects:
        return {}
    if len(projects) == 1:
        only = projects[0]
        env = _prompt(f"Your only Firebase project is {only.project_id} ({'; '.join(only.sources)}) — prod or dev?",
                      only.environment, _choice(ENVIRONMENTS))
        return {env: only.project_id}
    typer.echo("Firebase projects found in the app:")
    for p in projects:
        typer.echo(f"  {_describe(p)}")
    mapping: dict[str, str] = {}
    for p in projects:
        free = [e for e in ENVIRONMENTS if e not in mapping]
        default = p.environment if p.environment in free else None
        env = _prompt(f"Which environment is {p.project_id}? ({', '.join(free)} or none)", default,
                      _choice((*free, "none")))
        if env != "none":
            mapping[env] = p.project_id
    return mapping


def _choice(options: tuple[str, ...] | list[str]) -> Callable[[str], str | None]:
    return lambda value: None if value in options else f"{value!r}: answer one of {', '.join(options)}"


def _project_ids(mapping: dict[str, str], name: str, yes: bool) -> dict[str, str]:
    """Every environment's project: the mapped ones, and a generated (or asked-for) id for the rest."""
    ids = scaffold.derive_project_ids(mapping, name)
    for env in (e for e in ENVIRONMENTS if e not in mapping and not yes):
        ids[env] = _prompt(f"GCP/Firebase project id for {env} (a new project launchready creates)", ids[env],
                           _project_problem)
    return ids


# ------------------------------------------------------------------ files the stack points at

def _existing(root: Path, notes: list[str], *candidates: str | None) -> str | None:
    """The first candidate that is a regular file inside the project; one that is there but cannot be
    used (a link out of the repository or a loop, a FIFO, a folder) is a note."""
    for value in dict.fromkeys(Path(c).as_posix() for c in candidates if c):
        path = root / value
        if not os.path.lexists(path):
            continue
        try:
            inside = path.resolve().is_relative_to(root)
        except (OSError, RuntimeError):
            inside = False
        if inside and path.is_file():
            return value
        notes.append(f"{value}: a link out of the repository, a link loop or not a regular file: not used")
    return None


def _firestore_files(root: Path, seen: Discovery) -> tuple[str | None, str | None]:
    """Rules and indexes files: firebase.json's, else the usual names in the root or `firebase/`."""
    firebase, notes = seen.firebase, seen.notes
    rules = _existing(root, notes, firebase.rules, *(f"{d}/firestore.rules" for d in app_config.FIREBASE_DIRS))
    indexes = _existing(root, notes, firebase.indexes,
                        *(f"{d}/firestore.indexes.json" for d in app_config.FIREBASE_DIRS))
    return rules, indexes


def command(
    ctx: typer.Context,
    domain: str | None = typer.Option(None, "--domain", help="The app's domain (prod serves it; dev/staging get subdomains)."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Never prompt: take flags, what the app says, and defaults."),
    force: bool = typer.Option(False, "--force", help="Overwrite existing files that differ (stack secrets and salt are kept)."),
    project: str | None = typer.Option(None, "--project", help="Which Firebase project each environment is: "
                                          "dev=ID,staging=ID,prod=ID (any subset; the rest get new projects)."),
    app_dir: Path | None = typer.Option(None, "--app-dir", help="The Flutter app, if not the project root."),
    app_name: str | None = typer.Option(None, "--app-name", help="Display name (default: from pubspec.yaml)."),
    owner: str | None = typer.Option(None, "--owner", help="Owner / on-call email (default: ops@<domain>)."),
    email_provider: str = typer.Option("google-workspace", "--email-provider",
                                       help=f"Mail provider: {', '.join(scaffold.EMAIL_PROVIDERS)} or other."),
    crm: str = typer.Option("hubspot", "--crm", help="CRM provider (hubspot, or none)."),
    support: str = typer.Option("zendesk", "--support", help="Support desk provider (zendesk, or none)."),
    support_subdomain: str | None = typer.Option(None, "--support-subdomain", help="Zendesk subdomain."),
    cloudflare_zone_id: str | None = typer.Option(None, "--cloudflare-zone-id", help="Cloudflare zone id."),
    dkim_key: str | None = typer.Option(None, "--dkim-key", help="DKIM TXT value (`v=DKIM1; k=rsa; p=...`)."),
    billing_account: str | None = typer.Option(None, "--billing-account", help="GCP billing account id."),
    region: str = typer.Option("europe-west1", "--region", help="GCP region."),
    firestore_location: str | None = typer.Option(None, "--firestore-location",
                                                     help="Firestore location (default: firebase.json's, else eur3)."),
) -> None:
    """Set up launchready in this app repository (Pulumi.yaml, stacks/, program stub)."""
    from launchready.commands import project_dir
    from launchready.project import init_root

    root = init_root(project_dir(ctx))
    folder = _app_dir(root, app_dir)
    scaffold.check_targets(root, scaffold.targets(root))    # before anything there is read
    earlier = None if project else _earlier(root)
    given = parse_projects(project) or earlier
    seen = _discover(root, folder)
    default_name = (seen.pub_name or root.name).replace("_", " ").title()
    name = _ask(app_name or (default_name if seen.pub_name else None), "App name", default_name, yes, "--app-name")
    domain = _ask(domain, "Domain (prod serves it)", None, yes, "--domain", _domain_problem).lower().rstrip(".")
    mapping = _mapping(seen.projects, given, yes)
    ids = _project_ids(mapping, name, yes)
    rules, indexes = _firestore_files(root, seen)
    answers = scaffold.Answers(
        app_name=name, domain=domain, project_ids=ids,
        owner=_ask(owner, "Owner email", f"ops@{domain}", yes, "--owner", _email_problem),
        email_provider=email_provider, crm_provider=crm, support_provider=support, support_subdomain=support_subdomain,
        cloudflare_zone_id=cloudflare_zone_id, dkim_key=dkim_key, billing_account=billing_account, region=region,
        firestore_location=firestore_location or seen.firebase.location or DEFAULT_LOCATION,
        rules_file=rules, indexes_file=indexes,
        existing_projects=frozenset({p.project_id for p in seen.projects} | set((given or {}).values())),
        app_dir=folder.relative_to(root).as_posix() if folder != root else None,
        found=[f"{_describe(p)}" for p in seen.projects])
    scaffold.validate(answers)
    files = scaffold.files_for(answers, root, force=force)
    files[root / DEFAULT_MATRIX] = _access_matrix(root, answers)
    written, kept = scaffold.write_all(files, root=root, force=force)
    if earlier:
        answers.found.append("the projects an earlier init mapped in stacks/ ("
                             + ", ".join(f"{e}={p}" for e, p in earlier.items()) + "); --project changes them")
    _summary(root, answers, seen, written, kept, list(files.values()), explicit_location=bool(firestore_location))


def _access_matrix(root: Path, answers: scaffold.Answers) -> str:
    """The access file seeded from the collections the rules name (backend-owned ones are built in;
    public read-only content keeps its reads)."""
    from launchready.files import FileProblem, read_capped
    from launchready.rules.analysis.intent import assumed_intent
    from launchready.rules.analysis.model import RulesSyntaxError, parse_rules
    from launchready.rules.testing.access_file import render, seed_rows

    rules = None
    if answers.rules_file:
        try:
            rules = parse_rules(read_capped(root / answers.rules_file))
        except (FileProblem, RulesSyntaxError, RecursionError):
            answers.found.append(f"{answers.rules_file}: not read, so the access matrix starts empty")
    collections: set[str] = set()
    for match in rules.matches() if rules else ():
        segments = match.document_segments
        if segments and "{" not in segments[0] and segments[0] not in BACKEND_COLLECTIONS:
            collections.add(segments[0])
    public, sinks = assumed_intent(rules) if rules else (set(), set())
    for kind, names in (("public read-only content", public), ("a write-only sink (anyone creates)", sinks)):
        if names & collections:
            answers.found.append(f"assumed {kind}: {', '.join(sorted(names & collections))} (declared in "
                                 f"{DEFAULT_MATRIX}; delete the row if not intended)")
    return render(seed_rows(sorted(collections), frozenset(public), frozenset(sinks)))


def _summary(root: Path, answers: scaffold.Answers, seen: Discovery, written: list[Path], kept: list[Path],
             texts: list[str], *, explicit_location: bool) -> None:
    for line in answers.found:
        typer.echo(f"found   {line}")
    for line in seen.notes:
        typer.echo(f"unread  {line}")
    for env in ENVIRONMENTS:
        pid = answers.project_ids[env]
        state = "exists (read from the app or --project)" if pid in answers.existing_projects \
            else "new: launchready creates it (createProject: true)"
        typer.echo(f"stack   {env}: project {pid} — {state}")
    _what_runs(root)
    if written:
        typer.echo("wrote   " + ", ".join(p.relative_to(root).as_posix() for p in written))
    if kept:
        typer.echo("kept    " + ", ".join(p.relative_to(root).as_posix() for p in kept)
                   + " (they differ from what init would write; --force rewrites them, keeping secrets)")
    if not written and not kept:
        typer.echo("nothing to write: the project files are already as init would write them")
    _notes(answers, seen, explicit_location)
    typer.echo("next, set the secrets (Pulumi asks for your passphrase and writes your own encryptionsalt):")
    for line in scaffold.secret_commands(list(ENVIRONMENTS), answers):
        typer.echo(f"  {line}")
    if any(scaffold.PLACEHOLDER in text for text in texts):
        typer.echo(f"then replace every {scaffold.PLACEHOLDER} value in stacks/ (or pass --cloudflare-zone-id, "
                   "--dkim-key ...)")
    typer.echo("then run `launchready check --stack dev --offline` and `launchready plan --stack dev`")


def _what_runs(root: Path) -> None:
    """With cloud credentials, what already runs where each stack deploys (`launchready adopt`'s discovery);
    without, one line saying it was not looked up."""
    from launchready.adopt.discovery import discover, existing
    from launchready.config.model import ConfigError, load_stack
    from launchready.google_credentials import configured_here
    from launchready.preflight.model import Endpoints

    if not (configured_here() or os.environ.get("CLOUDFLARE_API_TOKEN") or os.environ.get("STRIPE_SECRET_KEY")):
        typer.echo("note    no cloud credentials here, so what already runs was not looked up: once they are set, "
                   "`launchready adopt --stack <env>` decides create or adopt for every resource before `pulumi up`")
        return
    for env in ENVIRONMENTS:
        try:
            found = existing(discover(load_stack(root / "stacks", env), Endpoints.resolve()))
        except ConfigError:
            continue   # placeholders still to fill: adopt runs once the stack is complete
        if found:
            typer.echo(f"exists  {env}: {', '.join(found)} — run `launchready adopt --stack {env} --write` "
                       "before `pulumi up`")


def _notes(answers: scaffold.Answers, seen: Discovery, explicit_location: bool) -> None:
    """What init could not find, and how to fetch it (never a path to a file that does not exist)."""
    if not answers.rules_file:
        typer.echo(f"note    no Firestore rules file found: the plan releases no rules until you add one "
                   f"({FETCH_RULES}; then set launchready:firestore.rulesFile)")
    if not answers.indexes_file:
        typer.echo(f"note    no Firestore indexes file found: fetch the deployed ones with `{FETCH_INDEXES}` "
                   "and set launchready:firestore.indexesFile")
    if not explicit_location and not seen.firebase.location:
        typer.echo(f"note    firebase.json names no firestore.location: {DEFAULT_LOCATION} assumed; an existing "
                   "database's location cannot change, so set launchready:gcp.firestoreLocation to it")
    if seen.firebase.storage_rules:
        typer.echo(f"note    {seen.firebase.storage_rules}: Storage rules are not deployed by launchready")
