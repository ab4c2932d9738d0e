"""The terminal front-end's commands: ask, scan, chat, approvals, audit, settings, sandbox, demo.

`bot.main` assembles them (and the other front-ends' groups) into the `cloudpilot` command."""

from __future__ import annotations

import json
import shlex
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import click
from pydantic import ValidationError
from rich.console import Console

from agent.api import ApprovalStatus, watch_progress
from agent.messages import ChatMessage, Reply
from bot.core.cli_state import CliState, cli_state, open_agent, short_error
from bot.core.terminal_io import console as terminal_console
from bot.terminal.iam_commands import iam_policy_command
from bot.terminal.render import (
    ProgressLine,
    approval_details,
    approvals_table,
    audit_table,
    chain_report_text,
    render_reply,
)
from bot.terminal.security_commands import security_group
from config.errors import NotFoundError
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
    _ask(state, message, user, as_json, thread)


def _ask(state: CliState, message: str, user: str | None, as_json: bool, thread: str | None) -> None:
    user = state.identity(user, default="me")
    msg = _message(user, message, thread or uuid.uuid4().hex[:12])
    with open_agent(state) as agent, _progress():
        reply = agent.handle(msg)
    _emit(reply, as_json)
    if not reply.ok and reply.error_ref:
        sys.exit(1)


@click.command()
@click.argument("scope", nargs=-1)
@_USER
@click.option("--json", "as_json", is_flag=True, help="Print the stable JSON contract instead of text.")
@click.pass_obj
def scan(state: CliState, scope: tuple[str, ...], user: str | None, as_json: bool) -> None:
    """Run a security scan, showing its progress on stderr: every service and region, or SCOPE
    (e.g. `scan s3`, `scan ec2 in eu-west-1`). The same as `ask "run a security scan ..."`."""
    _ask(state, " ".join(("run a security scan", *scope)).strip(), user, as_json, None)


@contextmanager
def _progress() -> Iterator[None]:
    """Long work inside (a scan, an ingest) shows its progress on stderr."""
    line = ProgressLine()
    try:
        with watch_progress(line):
            yield
    finally:
        line.close()


def _message(user: str, text: str, thread: str) -> ChatMessage:
    try:
        return ChatMessage(user=user, channel=f"cli-{user}", thread=thread, text=text)
    except ValidationError as exc:
        raise click.UsageError(f"invalid message: {short_error(exc)}") from exc


def _emit(reply: Reply, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(reply.contract(), default=str))
    else:
        render_reply(terminal_console(), reply)


@click.command()
@_USER
@click.pass_obj
def chat(state: CliState, user: str | None) -> None:
    """Interactive conversation (Ctrl-D or 'exit' to leave)."""
    console = terminal_console()
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
            with _progress():
                reply = agent.handle(_message(user, line, thread))
            render_reply(console, reply)


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
    approval_id = approval_id.strip()
    with open_agent(state) as agent:
        reply = agent.decide(approval_id, user, approve)  # an unknown id is audited as an attempt
        unknown = not reply.ok and reply.error_ref is None and agent.view(approval_id) is None
    if unknown:
        if as_json:
            _emit(reply, as_json)
        raise _no_such_approval(approval_id)
    _emit(reply, as_json)
    if not reply.ok:
        sys.exit(1)


def _no_such_approval(approval_id: str) -> NotFoundError:
    return NotFoundError(f"no approval request with id {approval_id!r} (see: cloudpilot approvals list)")


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


@approvals.command("show")
@click.argument("approval_id")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def approvals_show(state: CliState, approval_id: str, as_json: bool) -> None:
    """One approval request: its dry-run plan, status, requester and who may approve it."""
    approval_id = approval_id.strip()
    with open_agent(state) as agent:
        agent.expire_stale()  # as `approvals list` does: an overdue request shows as expired
        view = agent.view(approval_id)
    if view is None:
        raise _no_such_approval(approval_id)
    if as_json:
        click.echo(json.dumps(view.model_dump(mode="json")))
    else:
        Console().print(approval_details(view))


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
        # An id with neither a request nor a record (a typo) is an error, not an empty log.
        if approval_id is not None and not records and before_id is None and agent.view(approval_id) is None:
            raise _no_such_approval(approval_id)
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
    """Stop this data dir's sandbox server (exit 1 when it had none running)."""
    stopped = server.stop(state.settings)
    if stopped is None:
        click.echo(server.nothing_stopped(state.settings))
        sys.exit(1)
    click.echo(stopped.describe())


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
    from bot.terminal.demo import run_demo  # the tour's script: loaded only for the tour

    with open_agent(state) as agent:
        sys.exit(run_demo(agent, Console()))


# What the root command adds, in help order.
COMMANDS: tuple[click.Command, ...] = (
    ask,
    scan,
    chat,
    approvals,
    audit,
    config_group,
    sandbox,
    demo,
    iam_policy_command,
    security_group,
)
