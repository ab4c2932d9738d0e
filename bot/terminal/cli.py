"""The terminal front-end's commands: ask, chat, approvals, audit, settings, sandbox, demo.

`bot.main` assembles them (and the other front-ends' groups) into the `cloudpilot` command."""

from __future__ import annotations

import json
import shlex
import sys
import uuid
from datetime import UTC, datetime
from typing import Any

import click
from pydantic import ValidationError
from rich.console import Console

from agent.api import ApprovalStatus
from agent.messages import ChatMessage, Reply
from bot.core.cli_state import CliState, cli_state, open_agent, short_error
from bot.terminal.demo import run_demo
from bot.terminal.render import approvals_table, audit_table, chain_report_text, render_reply
from sandbox import server

_USER = click.option(
    "--as",
    "user",
    default=None,
    metavar="USER",
    help='Whose identity the request is made under (sandbox only, default "me"; '
    'with aws.mode = "real" you are your OS user, mapped through [identities]).',
)


@click.command()
@click.argument("text", nargs=-1, required=True)
@_USER
@click.option("--json", "as_json", is_flag=True, help="Print the stable JSON contract instead of text.")
@click.option("--thread", default=None, help="Continue a conversation (thread id).")
@click.pass_obj
def ask(state: CliState, text: tuple[str, ...], user: str | None, as_json: bool, thread: str | None) -> None:
    """Ask one question (one turn)."""
    message = " ".join(text).strip()
    if not message:
        raise click.UsageError("TEXT is empty")
    user = state.identity(user, default="me")
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
def chat(state: CliState, user: str | None) -> None:
    """Interactive conversation (Ctrl-D or 'exit' to leave)."""
    console = Console()
    thread = uuid.uuid4().hex[:12]
    user = state.identity(user, default="me")
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


def _decide(state: CliState, approval_id: str, user: str | None, approve: bool, as_json: bool) -> None:
    user = state.identity(user)
    with open_agent(state) as agent:
        reply = agent.decide(approval_id.strip(), user, approve)
    _emit(reply, as_json)
    if not reply.ok:
        sys.exit(1)


# Required in the sandbox; against a real account the decider is the OS user (CliState.identity).
_DECIDER = click.option(
    "--as", "user", default=None, metavar="USER", help='Who decides (sandbox only; see "ask --help").'
)


@approvals.command("approve")
@click.argument("approval_id")
@_DECIDER
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def approvals_approve(state: CliState, approval_id: str, user: str | None, as_json: bool) -> None:
    """Approve a pending request; it is then applied once and verified."""
    _decide(state, approval_id, user, True, as_json)


@approvals.command("reject")
@click.argument("approval_id")
@_DECIDER
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def approvals_reject(state: CliState, approval_id: str, user: str | None, as_json: bool) -> None:
    """Reject a pending request; nothing is changed."""
    _decide(state, approval_id, user, False, as_json)


@approvals.command("reconcile")
@click.pass_obj
def approvals_reconcile(state: CliState) -> None:
    """Finish requests a crash interrupted: execute decided ones once, verify and close the ones
    left executing, expire overdue ones (every command also does this when it starts)."""
    with open_agent(state, reconcile=False) as agent:
        report = agent.reconcile()
    lines = report.lines()
    click.echo("\n".join(lines) if lines else "Nothing to reconcile.")


_SINCE_FORMATS = ["%Y-%m-%d", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"]


# A group that lists on its own, so `cloudpilot audit --approval ID` works as it always has.
@click.group(invoke_without_command=True)
@click.option("--approval", "approval_id", default=None, help="Only records of this approval.")
@click.option("--kind", default=None, help="Only records of this kind (request, decision, execution, ...).")
@click.option("--actor", default=None, help="Only records by this actor.")
@click.option(
    "--since", type=click.DateTime(_SINCE_FORMATS), default=None, metavar="DATE", help="From DATE on (UTC)."
)
@click.option(
    "--limit", type=click.IntRange(1, 1000), default=50, show_default=True, help="Records per page."
)
@click.option(
    "--before",
    "before_id",
    type=click.IntRange(min=1),
    default=None,
    metavar="ID",
    help="Only records older than record ID: the next page.",
)
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def audit(
    ctx: click.Context,
    approval_id: str | None,
    kind: str | None,
    actor: str | None,
    since: datetime | None,
    limit: int,
    before_id: int | None,
    as_json: bool,
) -> None:
    """Show the audit log, newest first, a page at a time; `audit verify` checks its hash chain."""
    if ctx.invoked_subcommand is not None:
        return
    with open_agent(cli_state(ctx)) as agent:
        # One more than a page tells whether there is a next page.
        records = agent.audit(
            approval_id,
            kind=kind,
            actor=actor,
            since=since.replace(tzinfo=UTC) if since else None,
            limit=limit + 1,
            before_id=before_id,
            newest_first=True,
        )
    page, more = records[:limit], len(records) > limit
    if as_json:
        click.echo(json.dumps([r.model_dump(mode="json") for r in page]))
        return
    if not page:
        filtered = any(v is not None for v in (approval_id, kind, actor, since, before_id))
        click.echo("No audit records match." if filtered else "No audit records.")
        return
    Console().print(audit_table(page))
    if more:
        args = ["cloudpilot audit", f"--before {page[-1].id}"]
        args += [f"--{name} {shlex.quote(str(value))}" for name, value in _filters(ctx) if value is not None]
        click.echo(f"Older records: {' '.join(args)}")


def _filters(ctx: click.Context) -> list[tuple[str, object]]:
    # What the next-page hint repeats: the filters and page size the user gave.
    p = ctx.params
    since = f"{p['since']:%Y-%m-%dT%H:%M:%S}" if p["since"] else None
    limit = p["limit"] if p["limit"] != 50 else None
    return [
        ("approval", p["approval_id"]),
        ("kind", p["kind"]),
        ("actor", p["actor"]),
        ("since", since),
        ("limit", limit),
    ]


@audit.command("verify")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def audit_verify(ctx: click.Context, as_json: bool) -> None:
    """Check the audit log's hash chain: exit 0 when intact, 1 naming the first broken record."""
    with open_agent(cli_state(ctx)) as agent:
        report = agent.verify_audit()
    click.echo(json.dumps(report.model_dump(mode="json")) if as_json else chain_report_text(report))
    if not report.ok:
        sys.exit(1)


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
    if state.settings.aws.mode != "sandbox":
        # The tour plays both requester and approver; against a real account that is one person
        # passing four eyes alone.
        raise click.UsageError('the demo plays several people, so it runs only with aws.mode = "sandbox"')
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
