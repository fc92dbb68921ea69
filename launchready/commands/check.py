"""`launchready check`: the pre-deploy readiness gate."""
from __future__ import annotations

import sys
from pathlib import Path

import typer

from launchready.checks.framework.context import CheckContext, CheckOptions
from launchready.checks.framework.registry import registry
from launchready.checks.reports import RENDERERS, render
from launchready.checks.reports.text import build_console, print_report
from launchready.commands import selected_project
from launchready.errors import UsageError
from launchready.project import Project, stacks_folder
from launchready.redact import redact_text

FORMATS = tuple(RENDERERS)
RULES_ENGINES = ("builtin", "emulator")


def _prefixes(value: str | None) -> tuple[str, ...]:
    return tuple(p.strip() for p in (value or "").split(",") if p.strip())


def command(
    ctx: typer.Context,
    stack: str = typer.Option(..., "--stack", help="Stack (environment) to check, e.g. dev, staging, prod."),
    offline: bool = typer.Option(False, "--offline", help="Run only checks that need no network."),
    only: str | None = typer.Option(None, "--only", help="Comma-separated check-id prefixes to run."),
    skip: str | None = typer.Option(None, "--skip", help="Comma-separated check-id prefixes to skip."),
    fmt: list[str] = typer.Option(["text"], "--format", help=f"Output format: {'|'.join(FORMATS)}. Repeat with --output to write several from one run."),
    output: list[Path] = typer.Option([], "--output", help="Write the report here instead of stdout (one per --format)."),
    app_dir: Path | None = typer.Option(None, "--app-dir", help="Flutter app tree to scan."),
    rules: Path | None = typer.Option(None, "--rules", help="Firestore rules file (default: the stack's)."),
    stacks_dir: Path | None = typer.Option(None, "--stacks-dir", help="Folder of Pulumi.<stack>.yaml files (default: the project's stackConfigDir)."),
    domain: str | None = typer.Option(None, "--domain", help="Domain for DNS/email checks."),
    nameserver: str | None = typer.Option(None, "--nameserver", help="Resolve via HOST:PORT."),
    https_port: int | None = typer.Option(None, "--https-port", help="HTTPS port for TLS checks."),
    http_port: int | None = typer.Option(None, "--http-port", help="HTTP port for redirect checks."),
    ca_file: Path | None = typer.Option(None, "--ca-file", help="Extra trusted CA bundle (PEM)."),
    connect_host: str | None = typer.Option(None, "--connect-host", help="Connect to this address for app hostnames (SNI stays the hostname)."),
    webhook_url: str | None = typer.Option(None, "--webhook-url", help="Deployed Stripe webhook URL."),
    stripe_api_base: str | None = typer.Option(None, "--stripe-api-base", help="Stripe API base URL."),
    monitoring_api_base: str | None = typer.Option(None, "--monitoring-api-base", help="Cloud Monitoring API base URL."),
    sandbox: bool = typer.Option(False, "--sandbox", help="Take every live endpoint from the running local sandbox."),
    rules_engine: str = typer.Option("builtin", "--rules-engine", help="Access matrix on the built-in rules engine (no Java) or the Firestore emulator: builtin|emulator."),
    strict: bool | None = typer.Option(None, "--strict/--allow-skips", show_default=False,
                                          help="Skipped checks at a blocking severity block (default in CI, i.e. CI=true, and for prod) / do not block."),
    waivers: Path | None = typer.Option(None, "--waivers", help="Waivers file (default: launchready.yaml at the project root)."),
    baseline: Path | None = typer.Option(None, "--baseline", help="Accept the findings recorded in this baseline file."),
    write_baseline: Path | None = typer.Option(None, "--write-baseline", help="Record the current findings' fingerprints here (adopting launchready on an existing app)."),
    allow_critical_waivers: bool = typer.Option(False, "--allow-critical-waivers", help="Let waivers and baselines accept critical findings in prod (reported as a trust lever)."),
    base_ref: str | None = typer.Option(None, "--base-ref", help="Git ref of the base branch: a change to a trust lever (blockingSeverities, notApplicable, waivers, baseline) since it blocks unless CODEOWNERS covers the file."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Text: only failures, errors, blocking skips and the verdict."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Text: also a table of every result."),
) -> None:
    """Run the readiness suite; exit 0 when ready, 1 on blocking findings, 2 on usage/config errors."""
    targets = pair_outputs(fmt, output)
    if quiet and verbose:
        raise UsageError("--quiet/--verbose: choose one")
    project = selected_project(ctx)
    app_dir, rules, ca_file = project.flag(app_dir), project.flag(rules), project.flag(ca_file)
    waivers, baseline, write_baseline = project.flag(waivers), project.flag(baseline), project.flag(write_baseline)
    targets = [(name, project.flag(path)) for name, path in targets]
    for flag, path in (("--app-dir", app_dir), ("--rules", rules), ("--ca-file", ca_file),
                       ("--waivers", waivers), ("--baseline", baseline)):
        if path is not None and not path.exists():
            raise UsageError(f"{flag}: {path} does not exist")
    stacks_dir = stacks_folder(project, stacks_dir)
    if base_ref is not None:
        from launchready.checks.framework.base_ref import verify_ref
        verify_ref(project.root, base_ref)
    if rules_engine not in RULES_ENGINES:
        raise UsageError(f"--rules-engine: expected one of {', '.join(RULES_ENGINES)}, got {rules_engine!r}")
    options = CheckOptions(
        stack=stack, stacks_dir=stacks_dir, offline=offline, only=_prefixes(only), skip=_prefixes(skip),
        app_dir=app_dir, rules_file=rules, domain=domain, nameserver=nameserver, https_port=https_port,
        http_port=http_port, ca_file=ca_file, connect_host=connect_host, webhook_url=webhook_url,
        stripe_api_base=stripe_api_base, monitoring_api_base=monitoring_api_base, sandbox=sandbox,
        rules_engine=rules_engine, strict=strict, waivers_file=waivers, baseline=baseline,
        allow_critical_waivers=allow_critical_waivers, base_ref=base_ref,
    )
    report = run(options, project, progress=sys.stderr.isatty())
    if write_baseline is not None:
        from launchready.checks.framework.baseline import write_baseline as write
        count = write(report.results, Path(report.project_root), write_baseline)
        typer.echo(f"baseline written to {write_baseline} ({count} finding(s))", err=True)
    view = "quiet" if quiet else "verbose" if verbose else "compact"
    for name, path in targets:
        emit(report, name, path, view)
    if ("text", None) not in targets:  # the text view shows them; otherwise say them on stderr
        for lever in report.levers:
            typer.echo(f"launchready: trust lever: {lever}", err=True)
        for notice in report.notices:
            typer.echo(f"launchready: notice: {notice}", err=True)
    raise typer.Exit(report.exit_code)


def pair_outputs(fmt: list[str], output: list[Path]) -> list[tuple[str, Path | None]]:
    """Pair each --format with an --output; `text` alone may go to stdout beside files
    (`--format text --format json --output r.json`)."""
    for name in fmt:
        if name not in FORMATS:
            raise UsageError(f"--format: expected one of {', '.join(FORMATS)}, got {name!r}")
    if len(set(fmt)) != len(fmt):
        raise UsageError("--format: each format once")
    to_files = [name for name in fmt if name != "text"] if len(output) == len(fmt) - 1 and "text" in fmt else fmt
    if len(output) != len(to_files) and not (len(fmt) == 1 and not output):
        raise UsageError("--format/--output: give one --output per --format (only `--format text` may go to stdout beside files)")
    pairs = dict(zip(to_files, output, strict=False))
    return [(name, pairs.get(name)) for name in fmt]


def run(options: CheckOptions, project: Project, *, progress: bool = False):
    """Load config and checks, run them (with a progress bar on a TTY), return the Report."""
    from launchready.checks.framework.runner import run_checks

    ctx = CheckContext(options, project=project)
    ctx.targets  # noqa: B018 - resolve overrides (and the sandbox state) up front: a bad flag is exit 2, not N errors
    ctx.waiver_policy, ctx.baseline  # noqa: B018 - a bad waiver or baseline file is exit 2 before any check runs
    registry.load_catalog()
    selected = registry.select(only=options.only, skip=options.skip, offline=options.offline)
    if not selected:
        raise UsageError("no checks match --only/--skip/--offline; a gate that runs nothing proves nothing")
    if not progress:
        return run_checks(ctx)
    from rich.progress import Progress

    with Progress(transient=True, console=build_console(sys.stderr)) as bar:
        task = bar.add_task("running checks", total=len(selected))
        return run_checks(ctx, on_done=lambda cls, _: bar.update(task, advance=1, description=cls.id))


def emit(report, fmt: str, output: Path | None, view: str = "compact") -> None:
    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(redact_text(render(report, fmt)), encoding="utf-8")
        typer.echo(f"report written to {output} ({'ready' if report.ready else 'not ready'})", err=True)
    elif fmt == "text":
        print_report(report, build_console(sys.stdout), view)
    else:
        sys.stdout.write(render(report, fmt))
