"""`launchready sandbox up|down|status`: a local replica of one environment (see sandbox/manager.py)."""
from __future__ import annotations

from pathlib import Path

import typer

from launchready.project import Project

app = typer.Typer(help="A local replica of one environment, every part real, on 127.0.0.1.", no_args_is_help=True)


def _ports(**fixed: int | None) -> dict[str, int | None]:
    return {name: port for name, port in fixed.items() if port}


def print_state(state: dict, project: Project) -> None:
    """What runs where, for humans."""
    targets = state["targets"]
    typer.echo(f"sandbox for stack {state['stack']} is up (state: {state_path(project)})")
    for service in state["services"]:
        ports = ", ".join(f"127.0.0.1:{p}" for p in service["ports"])
        typer.echo(f"  {service['name']:<16} pid {service['pid']:<7} {ports:<34} {service['detail']}")
    typer.echo(f"  webhook URL      {targets['webhook_url']}")
    host, port = targets["hostnames"][0], targets["https_port"]
    typer.echo(f"  app              curl --cacert {targets['ca_file']} --resolve {host}:{port}:127.0.0.1 "
               f"https://{host}:{port}/")
    typer.echo(f"  DNS              dig @127.0.0.1 -p {targets['nameserver'].rsplit(':', 1)[1]} {targets['domain']} TXT")
    typer.echo(f"  Firestore        FIRESTORE_EMULATOR_HOST={targets['firestore_emulator_host']}")
    typer.echo(f"next: `launchready check --stack {state['stack']} --sandbox`; `launchready sandbox drain` runs "
               "pending sync tasks; `launchready sandbox down` stops everything")


def state_path(project: Project) -> Path:
    from launchready.sandbox.state import state_file
    return state_file(project)


@app.command("up")
def up(
    ctx: typer.Context,
    stack: str = typer.Option("dev", "--stack", help="Stack whose plan the sandbox replicates."),
    stacks_dir: Path | None = typer.Option(None, "--stacks-dir", help="Folder of Pulumi.<stack>.yaml files (default: the project's stackConfigDir)."),
    dns_port: int | None = typer.Option(None, "--dns-port", help="Fix Knot's port (default: a free one)."),
    https_port: int | None = typer.Option(None, "--https-port", help="Fix the HTTPS port."),
    http_port: int | None = typer.Option(None, "--http-port", help="Fix the HTTP (redirect) port."),
    webhook_port: int | None = typer.Option(None, "--webhook-port", help="Fix the webhook function's port."),
) -> None:
    """Start the sandbox for a stack and print what runs where."""
    from launchready.commands import selected_project
    from launchready.config.model import load_stack
    from launchready.project import stacks_folder
    from launchready.sandbox import manager

    project = selected_project(ctx)
    config = load_stack(stacks_folder(project, stacks_dir), stack)
    state = manager.up(config, project, ports=_ports(dns=dns_port, https=https_port, http=http_port, webhook=webhook_port),
                       outlive=True)
    print_state(state, project)


@app.command("down")
def down(ctx: typer.Context) -> None:
    """Stop exactly the processes the sandbox started."""
    from launchready.commands import selected_project
    from launchready.sandbox import manager

    project = selected_project(ctx)
    stopped = manager.down(project)
    if not stopped:
        typer.echo(f"no sandbox is running (nothing to stop; no live process recorded in {state_path(project)})")
        return
    typer.echo(f"sandbox stopped: {', '.join(f'{s.name} (pid {s.pid})' for s in stopped)}")


@app.command("status")
def status(ctx: typer.Context) -> None:
    """Report the sandbox's health; exit 0 when every part is healthy, 1 otherwise."""
    from launchready.commands import selected_project
    from launchready.sandbox import manager

    existing, health = manager.status(selected_project(ctx))
    if existing is None:
        typer.echo("no sandbox is running (start one with `launchready sandbox up`)")
        raise typer.Exit(1)
    if existing.stale:
        typer.echo(f"no sandbox is running: removed the stale state of one for stack {existing.state.get('stack')} "
                   "whose processes are all gone")
        raise typer.Exit(1)
    state = existing.state
    typer.echo(f"sandbox for stack {state.get('stack')} (started {state.get('started_at')}):")
    for h in health:
        ports = ", ".join(map(str, h.ports))
        typer.echo(f"  {h.name:<16} pid {h.pid:<7} port {ports:<14} {'healthy' if h.healthy else 'DOWN: ' + h.problem}")
    if existing.orphaned:
        typer.echo(f"ORPHANED: its owner {existing.owner_text()} exited without stopping it; "
                   "`launchready sandbox down` stops it")
    if existing.orphaned or not all(h.healthy for h in health):
        raise typer.Exit(1)


@app.command("drain")
def drain(ctx: typer.Context) -> None:
    """Run every pending sync task (CRM, support desk) to done or dead, as the platform would."""
    from launchready.commands import selected_project
    from launchready.sandbox import manager
    from launchready.sandbox.state import load_state

    counts = manager.drain(load_state(selected_project(ctx)))
    typer.echo("sync tasks: " + (", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "none"))
