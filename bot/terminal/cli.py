"""The `cloudpilot` command: terminal front-end, approvals, sandbox and settings."""

from __future__ import annotations

import json
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click
from pydantic import ValidationError
from rich.console import Console

from agent.messages import ChatMessage, Reply
from agent.runtime import Runtime
from agent.turn import Agent
from bot.terminal.render import approvals_table, audit_table, render_reply
from config import Settings, load_settings
from store.approvals import ApprovalStatus


class CliState:
    def __init__(self, config: Path | None, now: date | None, data_dir: Path | None) -> None:
        self.config = config
        self.now = now
        self.data_dir = data_dir
        self._settings: Settings | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            overrides: dict[str, Any] = {}
            if self.now is not None:
                overrides["now"] = self.now.isoformat()
            if self.data_dir is not None:
                overrides["data_dir"] = self.data_dir
            try:
                self._settings = load_settings(self.config, **overrides)
            except ValidationError as exc:
                raise click.UsageError(f"invalid settings: {_short(exc)}") from exc
            except (FileNotFoundError, ValueError) as exc:
                raise click.UsageError(str(exc)) from exc
        return self._settings

    def override(self, **fields: Any) -> None:
        """Adjust the settings for one command (the demo), after they were built."""
        self._settings = self.settings.model_copy(update=fields)


def _short(exc: ValidationError) -> str:
    return "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())


def _parse_date(_ctx: click.Context, _param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(f"{value!r} is not a date like 2024-10-15") from exc


_USER = click.option(
    "--as",
    "user",
    default="me",
    show_default=True,
    metavar="USER",
    help="Whose identity the request is made under.",
)


@contextmanager
def _agent(state: CliState) -> Iterator[Agent]:
    try:
        runtime = Runtime.build(state.settings)
    except RuntimeError as exc:  # e.g. the sandbox could not start
        raise click.ClickException(str(exc)) from exc
    try:
        yield Agent(runtime)
    finally:
        runtime.close()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config",
    type=click.Path(path_type=Path, dir_okay=False),
    envvar="CLOUDPILOT_CONFIG",
    help="TOML settings file (env: CLOUDPILOT_CONFIG).",
)
@click.option(
    "--now",
    callback=_parse_date,
    metavar="DATE",
    help="Pin the clock, e.g. 2024-10-15 (env: CLOUDPILOT_NOW).",
)
@click.option(
    "--data-dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Where state lives (env: CLOUDPILOT_DATA_DIR).",
)
@click.pass_context
def cli(ctx: click.Context, config: Path | None, now: date | None, data_dir: Path | None) -> None:
    """CloudPilot: ask about cloud costs, security and resources; approve changes."""
    ctx.obj = CliState(config, now, data_dir)


@cli.command()
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
    with _agent(state) as agent:
        reply = agent.handle(msg)
    _emit(reply, as_json)
    if not reply.ok and reply.error_ref:
        sys.exit(1)


def _message(user: str, text: str, thread: str) -> ChatMessage:
    try:
        return ChatMessage(user=user, channel=f"cli-{user}", thread=thread, text=text)
    except ValidationError as exc:
        raise click.UsageError(f"invalid message: {_short(exc)}") from exc


def _emit(reply: Reply, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(reply.contract(), default=str))
    else:
        render_reply(Console(), reply)


@cli.command()
@_USER
@click.pass_obj
def chat(state: CliState, user: str) -> None:
    """Interactive conversation (Ctrl-D or 'exit' to leave)."""
    console = Console()
    thread = uuid.uuid4().hex[:12]
    if not user.strip():
        raise click.UsageError("invalid user: --as must name someone")
    with _agent(state) as agent:
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


@cli.group()
def approvals() -> None:
    """List, approve and reject approval requests."""


@approvals.command("list")
@click.option("--status", type=click.Choice([s.value for s in ApprovalStatus]), default=None)
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def approvals_list(state: CliState, status: str | None, as_json: bool) -> None:
    """Show approval requests, newest first."""
    with _agent(state) as agent:
        items = agent.approvals(ApprovalStatus(status) if status else None)
    if as_json:
        click.echo(json.dumps([i.model_dump(mode="json") for i in items]))
    elif not items:
        click.echo("No approval requests.")
    else:
        Console().print(approvals_table(items))


def _decide(state: CliState, approval_id: str, user: str, approve: bool, as_json: bool) -> None:
    with _agent(state) as agent:
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


@cli.command()
@click.option("--approval", "approval_id", default=None, help="Only records of this approval.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def audit(state: CliState, approval_id: str | None, as_json: bool) -> None:
    """Show the audit log: requests, decisions, executions, verifications."""
    with _agent(state) as agent:
        records = agent.audit(approval_id)
    if as_json:
        click.echo(json.dumps([r.model_dump(mode="json") for r in records]))
    else:
        Console().print(audit_table(records))


@cli.group("config")
def config_group() -> None:
    """Inspect settings."""


@config_group.command("show")
@click.pass_obj
def config_show(state: CliState) -> None:
    """Print the effective settings, secrets masked."""
    click.echo(json.dumps(state.settings.masked(), indent=2, default=str))


@cli.group()
def sandbox() -> None:
    """The local sandbox AWS account (moto server on 127.0.0.1)."""


@sandbox.command("status")
@click.pass_obj
def sandbox_status(state: CliState) -> None:
    from sandbox import server

    click.echo(json.dumps(server.status(state.settings).model_dump(mode="json"), indent=2))


@sandbox.command("start")
@click.pass_obj
def sandbox_start(state: CliState) -> None:
    from sandbox import server

    click.echo(f"sandbox running at {server.ensure_running(state.settings)}")


@sandbox.command("stop")
@click.pass_obj
def sandbox_stop(state: CliState) -> None:
    from sandbox import server

    server.stop(state.settings)
    click.echo("sandbox stopped")


@sandbox.command("reset")
@click.pass_obj
def sandbox_reset(state: CliState) -> None:
    from sandbox import server

    server.reset(state.settings)
    click.echo("sandbox reset and re-seeded")


@cli.command()
@click.option("--reset/--no-reset", default=True, help="Re-seed the sandbox first (default: yes).")
@click.pass_obj
def demo(state: CliState, reset: bool) -> None:
    """A scripted tour: costs, inventory, a scan, a remediation approved by someone else."""
    from bot.terminal.demo import run_demo

    # Months of generated history give anomaly detection and forecasts something to work on.
    demo_settings: dict[str, Any] = {"cost_demo_history": True}
    if state.settings.now is None:
        # The bundled FOCUS sample is September 2024: pin "now" so that "last month" has data.
        demo_settings["now"] = datetime(2024, 10, 15)
    state.override(**demo_settings)
    if reset and state.settings.aws.mode == "sandbox" and not state.settings.aws.endpoint_url:
        from sandbox import server

        server.ensure_running(state.settings, seed_account=False)
        server.reset(state.settings)
    with _agent(state) as agent:
        sys.exit(run_demo(agent, Console()))


def _register_subcommands() -> None:
    # Each capability owns its command group; the main CLI only assembles them.
    from bot.slack.cli import serve
    from bot.terminal.cost_commands import cost
    from bot.terminal.digest_commands import digest, serve_digests
    from bot.terminal.kb_commands import kb

    serve.add_command(serve_digests)
    for group in (kb, cost, digest, serve):
        cli.add_command(group)


_register_subcommands()


def main() -> None:
    cli(prog_name="cloudpilot")


if __name__ == "__main__":
    main()
