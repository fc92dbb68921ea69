"""`launchready adopt --stack S`: what already runs where the stack deploys (read-only discovery), a
decision per planned resource, and with `--write` the stack changes that make the first `pulumi up`
import instead of collide. Exit 0 all decided (create/adopt/cutover), 1 a conflict or an unknown
remains (or `--write` refused), 2 usage or config error. Docs: docs/adopt.md."""
from __future__ import annotations

import json
import os
from pathlib import Path

import typer

from launchready.commands import selected_project
from launchready.commands.preflight import api_option
from launchready.errors import UsageError

FORMATS = ("text", "json")
MARK = {"create": "create  ", "adopt": "adopt   ", "cutover": "cut-over", "conflict": "CONFLICT", "unknown": "UNKNOWN "}


def command(
    ctx: typer.Context,
    stack: str = typer.Option(..., "--stack", help="Stack (environment) about to be deployed."),
    write: bool = typer.Option(False, "--write", help="Record the decisions in the stack file (imports, "
                                                      "createProject, merged SPF/MX/DKIM, a Stripe cut-over)."),
    allow_unknown: bool = typer.Option(False, "--allow-unknown", help="Write even though some APIs could not be asked."),
    cut_over: bool = typer.Option(False, "--cut-over", help="After `pulumi up`: disable the old Stripe endpoint(s), "
                                                            "then enable the stack's (see docs/adopt.md)."),
    verify_url: str | None = typer.Option(None, "--verify-url", help="With --cut-over: the URL that must reject an "
                                                                     "unsigned delivery (default: the stack's webhook URL)."),
    fmt: str = typer.Option("text", "--format", help="Output format: text|json."),
    stacks_dir: Path | None = typer.Option(None, "--stacks-dir", help="Folder of Pulumi.<stack>.yaml files."),
    resource_manager_api_base: str | None = api_option("resource_manager", "Cloud Resource Manager"),
    firebase_api_base: str | None = api_option("firebase", "Firebase Management"),
    firestore_api_base: str | None = api_option("firestore", "Firestore Admin"),
    firebase_rules_api_base: str | None = api_option("firebase_rules", "Firebase Rules"),
    hosting_api_base: str | None = api_option("hosting", "Firebase Hosting"),
    identity_toolkit_api_base: str | None = api_option("identity_toolkit", "Identity Toolkit"),
    cloudflare_api_base: str | None = api_option("cloudflare", "Cloudflare"),
    stripe_api_base: str | None = api_option("stripe", "Stripe"),
) -> None:
    """Decide, per planned resource, create / adopt / conflict — before the first `pulumi up`."""
    from launchready.adopt.discovery import discover
    from launchready.config.model import load_stack, stack_file
    from launchready.preflight.model import Endpoints
    from launchready.preflight.stack_secrets import from_stack
    from launchready.project import stacks_folder

    if fmt not in FORMATS:
        raise UsageError(f"--format: expected one of {', '.join(FORMATS)}, got {fmt!r}")
    project = selected_project(ctx)
    folder = stacks_folder(project, stacks_dir)
    config = load_stack(folder, stack)
    endpoints = Endpoints.resolve(
        resource_manager=resource_manager_api_base, firebase=firebase_api_base, firestore=firestore_api_base,
        firebase_rules=firebase_rules_api_base, hosting=hosting_api_base, identity_toolkit=identity_toolkit_api_base,
        cloudflare=cloudflare_api_base, stripe=stripe_api_base)
    path = stack_file(folder, stack)
    with from_stack(stack, project.root):
        if cut_over:
            _cut_over(config, path, project.root, endpoints.stripe, verify_url)
            return
        live = discover(config, endpoints)
    from launchready.adopt.assess import settle
    verdict = settle(path, stack, config, live, project)
    if fmt == "json":
        typer.echo(json.dumps({"stack": stack, **verdict.to_dict()}, indent=2, sort_keys=True))
    else:
        print_table(stack, verdict)
    if write:
        _write(verdict, path, project.root, allow_unknown, quiet=fmt == "json")
    raise typer.Exit(1 if verdict.blocking else 0)


def _write(verdict, path: Path, root: Path, allow_unknown: bool, *, quiet: bool) -> None:
    from launchready.adopt.stack_file import write

    unknown = [d for d in verdict.decisions if d.action == "unknown"]
    if unknown and not allow_unknown:
        typer.echo(f"not written: {len(unknown)} resource(s) undecided ({'; '.join(sorted({d.detail for d in unknown}))}); "
                   "fix the access, or --allow-unknown to write the rest", err=True)
        raise typer.Exit(1)
    conflicts = {d.name: d.detail for d in verdict.decisions if d.action == "conflict"}
    values = {**verdict.changes.values, "adopt.imports": verdict.imports or None, "adopt.conflicts": conflicts or None}
    changed = write(path, root, values)
    if not quiet:
        typer.echo(f"{'wrote' if changed else 'unchanged'}: {path.name} ({len(verdict.imports)} import(s)"
                   + (f", {', '.join(k for k in verdict.changes.values)}" if verdict.changes.values else "") + ")")


def _cut_over(config, path: Path, root: Path, stripe_base: str, verify_url: str | None) -> None:
    from launchready.adopt.cutover import cut_over
    from launchready.adopt.stack_file import write
    from launchready.preflight.stripe_account import KEY_ENV

    key = os.environ.get(KEY_ENV)
    if not key:
        raise UsageError(f"--cut-over needs the stack's Stripe key in ${KEY_ENV}")
    for line in cut_over(config, stripe_base, key, verify_url):
        typer.echo(line)
    write(path, root, {"adopt.stripeCutover": None})
    typer.echo(f"{path.name}: the cut-over is done (adopt.stripeCutover removed); events of the gap are pulled by the "
               f"backend's sweep, or now with `launchready reconcile --stack {config.stack} --fix`")


def print_table(stack: str, verdict) -> None:
    """One row per looked-up resource (decision, resource, what was found, import id or fix), then one
    line for launchready's own resources and the stack changes `--write` makes."""
    from rich.table import Table
    from rich.text import Text

    from launchready.adopt.decide import OWN
    from launchready.commands.plan import console, short_type

    own = [d for d in verdict.decisions if d.detail == OWN]
    counts = {a: sum(d.action == a for d in verdict.decisions) for a in MARK}
    table = Table(title=f"launchready adopt — stack {stack}: " + ", ".join(f"{n} {a}" for a, n in counts.items() if n),
                  title_justify="left")
    for column in ("decision", "resource", "type", "found", "import id / fix"):
        table.add_column(column, overflow="fold")
    for d in verdict.decisions:
        if d in own:
            continue
        table.add_row(*(Text(cell) for cell in (MARK[d.action].strip(), d.name, short_type(d.type), d.detail,
                                                 d.import_id or d.remediation or "")))
    if own:
        table.add_row(*(Text(cell) for cell in ("create", f"{len(own)} more", "", "launchready's own resources "
                                                "(IAM, secrets, functions, APIs, monitoring): not looked up", "")))
    out = console()
    out.print(table)
    for note in verdict.changes.notes:
        out.print(Text(f"stack: {note}"))
