"""The terminal front-end's commands: ask, chat, approvals, audit, settings, sandbox, demo.

`bot.main` assembles them (and the other front-ends' groups) into the `cloudpilot` command."""

from __future__ import annotations

import json
import sys
import uuid
from datetime import datetime
from typing import Any

import click
from pydantic import ValidationError
from rich.console import Console

from agent.api import ApprovalStatus
from agent.messages import ChatMessage, Reply
from bot.core.cli_state import CliState, open_agent, short_error
from bot.terminal.demo import run_demo
from bot.terminal.render import approvals_table, audit_table, render_reply
from sandbox import server

_USER = click.option(
    "--as",
    "user",
    default="me",
    show_default=True,
    metavar="USER",
    help="Whose identity the request is made under.",
)


@click.command()
@click.argument("text", nargs=-1, required=True)
@_USER
@click.option("--json", "as_json", is_flag=True, help="Print the stable JSON contract instead of text.")
@click.option("--thread", default=None, help="Continue a conversation (thread id).")
@click.pass_obj
def ask(state: CliState, text: tuple[str, ...], user: str, as_json: bool, thread: str | None) -> None:
    """Ask one question (one turn)."""
    message = " ".join(text).strip()
    if not message:
        raise click.UsageError("TEXT is empty")
    msg = _message(user, message, thread or uuid.uuid4().hex[:12])
    with open_agent(state) as agent:
        reply = agent.handle(msg)
    _emit(reply, as_json)
    if not reply.ok and reply.error_ref:
        sys.exit(1)


def _message(user: str, text: str, thread: str) -> ChatMessage:
    try:
        return ChatMessage(user=user, channel=f"cli-{user}", thread=thread, text=text)
    except ValidationError as exc:
        raise click.UsageError(f"invalid message: {short_error(exc)}") from exc


def _emit(reply: Reply, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(reply.contract(), default=str))
    else:
        render_reply(Console(), reply)


@click.command()
@_USER
@click.pass_obj
def chat(state: CliState, user: str) -> None:
    """Interactive conversation (Ctrl-D or 'exit' to leave)."""
    console = Console()
    thread = uuid.uuid4().hex[:12]
    if not user.strip():
        raise click.UsageError("invalid user: --as must name someone")
    with open_agent(state) as agent:
        console.print(f"CloudPilot — talking as [bold]{user}[/bold]. Type 'exit' to leave.")
        while True:
            try:
                line = console.input("[bold cyan]you>[/bold cyan] ")
            except (EOFError, KeyboardInterrupt):
                console.print()
                return
            if line.strip().lower() in {"exit", "quit", ":q"}:
                return
            if not line.strip():
                continue
            render_reply(console, agent.handle(_message(user, line, thread)))


@click.group()
def approvals() -> None:
    """List, approve and reject approval requests."""


@approvals.command("list")
@click.option("--status", type=click.Choice([s.value for s in ApprovalStatus]), default=None)
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def approvals_list(state: CliState, status: str | None, as_json: bool) -> None:
    """Show approval requests, newest first."""
    with open_agent(state) as agent:
        items = agent.approvals(ApprovalStatus(status) if status else None)
    if as_json:
        click.echo(json.dumps([i.model_dump(mode="json") for i in items]))
    elif not items:
        click.echo("No approval requests.")
    else:
        Console().print(approvals_table(items))


def _decide(state: CliState, approval_id: str, user: str, approve: bool, as_json: bool) -> None:
    with open_agent(state) as agent:
        reply = agent.decide(approval_id.strip(), user, approve)
    _emit(reply, as_json)
    if not reply.ok:
        sys.exit(1)


_REQUIRED_USER = click.option("--as", "user", required=True, metavar="USER", help="Who decides.")


@approvals.command("approve")
@click.argument("approval_id")
@_REQUIRED_USER
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def approvals_approve(state: CliState, approval_id: str, user: str, as_json: bool) -> None:
    """Approve a pending request; it is then applied once and verified."""
    _decide(state, approval_id, user, True, as_json)


@approvals.command("reject")
@click.argument("approval_id")
@_REQUIRED_USER
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def approvals_reject(state: CliState, approval_id: str, user: str, as_json: bool) -> None:
    """Reject a pending request; nothing is changed."""
    _decide(state, approval_id, user, False, as_json)


@click.command()
@click.option("--approval", "approval_id", default=None, help="Only records of this approval.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def audit(state: CliState, approval_id: str | None, as_json: bool) -> None:
    """Show the audit log: requests, decisions, executions, verifications."""
    with open_agent(state) as agent:
        records = agent.audit(approval_id)
    if as_json:
        click.echo(json.dumps([r.model_dump(mode="json") for r in records]))
    else:
        Console().print(audit_table(records))


@click.group("config")
def config_group() -> None:
    """Inspect settings."""


@config_group.command("show")
@click.pass_obj
def config_show(state: CliState) -> None:
    """Print the effective settings, secrets masked."""
    click.echo(json.dumps(state.settings.masked(), indent=2, default=str))


@click.group()
def sandbox() -> None:
    """The local sandbox AWS account (moto server on 127.0.0.1)."""


@sandbox.command("status")
@click.pass_obj
def sandbox_status(state: CliState) -> None:
    click.echo(json.dumps(server.status(state.settings).model_dump(mode="json"), indent=2))


@sandbox.command("start")
@click.pass_obj
def sandbox_start(state: CliState) -> None:
    click.echo(f"sandbox running at {server.ensure_running(state.settings)}")


@sandbox.command("stop")
@click.pass_obj
def sandbox_stop(state: CliState) -> None:
    server.stop(state.settings)
    click.echo("sandbox stopped")


@sandbox.command("reset")
@click.pass_obj
def sandbox_reset(state: CliState) -> None:
    server.reset(state.settings)
    click.echo("sandbox reset and re-seeded")


@click.command()
@click.option("--reset/--no-reset", default=True, help="Re-seed the sandbox first (default: yes).")
@click.pass_obj
def demo(state: CliState, reset: bool) -> None:
    """A scripted tour: costs, inventory, a scan, a remediation approved by someone else."""
    # Months of generated history give anomaly detection and forecasts something to work on.
    demo_settings: dict[str, Any] = {"cost_demo_history": True}
    if state.settings.now is None:
        # The bundled FOCUS sample is September 2024: pin "now" so that "last month" has data.
        demo_settings["now"] = datetime(2024, 10, 15)
    state.override(**demo_settings)
    if reset and state.settings.aws.mode == "sandbox" and not state.settings.aws.endpoint_url:
        server.ensure_running(state.settings, seed_account=False)
        server.reset(state.settings)
    with open_agent(state) as agent:
        sys.exit(run_demo(agent, Console()))


# What the root command adds, in help order.
COMMANDS: tuple[click.Command, ...] = (ask, chat, approvals, audit, config_group, sandbox, demo)
