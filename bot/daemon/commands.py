"""`cloudpilot agent`: start, stop and inspect this data dir's warm agent process."""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path

import click

from bot.core import terminal_io
from bot.core.cli_state import cli_state
from bot.daemon import wire
from bot.daemon.client import AgentUnavailable, connect
from bot.daemon.locate import Place, environment, fingerprint, place


def _place(ctx: click.Context, data_dir: Path | None = None) -> Place:
    state = cli_state(ctx)
    env = environment()
    raw = state.config or env.get("CLOUDPILOT_CONFIG")
    config = Path(raw).expanduser().absolute() if raw else None
    return place(str(data_dir or state.settings.data_dir), config, env, {})


def _ask(where: Place, op: str) -> dict[str, object] | None:
    try:
        sock = connect(where, "", start=False)
    except AgentUnavailable:
        return None
    with sock:
        try:
            wire.send(sock, {"op": op})
            reply, _ = wire.Channel(sock).receive()
        except OSError:
            return None
    return reply


@click.group("agent")
def agent_group() -> None:
    """The warm agent process that answers `ask`, `scan` and `chat` in a fraction of a second
    (started on first use; settings `cli.daemon`, `cli.daemon_idle_s`; `--no-daemon` skips it)."""


@agent_group.command("start")
@click.pass_context
def agent_start(ctx: click.Context) -> None:
    """Start this data dir's agent process (or say that it runs)."""
    where = _place(ctx)
    try:
        sock = connect(where, fingerprint(where.config), start=True)
    except AgentUnavailable as exc:
        raise click.ClickException(str(exc)) from exc
    with sock:
        wire.send(sock, {"op": "status"})
        reply, _ = wire.Channel(sock).receive()
    if reply.get("fingerprint") != fingerprint(where.config):
        click.echo(
            f"agent process pid {reply.get('pid')} runs with other settings or code; "
            "the next `ask` replaces it (or: cloudpilot agent stop)"
        )
        return
    click.echo(f"agent process running: pid {reply.get('pid')}, socket {where.socket}")


@agent_group.command("stop")
@click.pass_context
def agent_stop(ctx: click.Context) -> None:
    """Stop this data dir's agent process (exit 1 when none runs)."""
    where = _place(ctx)
    reply = _ask(where, "stop")
    if reply is None:
        click.echo(f"no agent process running for {where.data_dir}")
        sys.exit(1)
    click.echo(f"stopped agent process pid {reply.get('stopping')} (it finishes the commands it has first)")


@agent_group.command("status")
@click.pass_context
def agent_status(ctx: click.Context) -> None:
    """Whether this data dir's agent process runs, and whether this shell's settings match it."""
    where = _place(ctx)
    reply = _ask(where, "status")
    out: dict[str, object] = {"running": reply is not None, "socket": str(where.socket)}
    if reply is not None:
        out |= {k: reply.get(k) for k in ("pid", "started_at", "idle_s", "commands_running")}
        out["current"] = reply.get("fingerprint") == fingerprint(where.config)
    click.echo(json.dumps(out, indent=2))


@agent_group.command("serve", hidden=True)
@click.option("--fingerprint", "mark", required=True)
@click.pass_context
def agent_serve(ctx: click.Context, mark: str) -> None:
    """Run the agent process in the foreground (what `ask` starts in the background)."""
    from bot.daemon.server import AgentServer

    state = cli_state(ctx)
    try:
        idle_s: float = state.settings.cli.daemon_idle_s
        level = state.settings.log_level
    except click.ClickException:  # the commands themselves report settings they cannot load
        idle_s, level = 900.0, "WARNING"
    # Log records go to the stderr of the command that logs them (as in its own process), and to
    # this process's log outside commands.
    terminal_io.install()
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    root = ctx.find_root().command
    # Load what every turn needs now, not during the first command.
    if isinstance(root, click.Group):
        root.get_command(ctx, "ask")
    import agent.runtime  # noqa: F401
    import agent.turn  # noqa: F401

    where = _place(ctx, state.data_dir)  # the client always names it
    AgentServer(root, where, mark, idle_s).serve()
    os._exit(0)  # threads of finished commands (the sandbox's, the store's) must not hold the exit

