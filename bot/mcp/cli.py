"""`cloudpilot serve mcp`: CloudPilot as an MCP server over stdio or streamable HTTP (docs/MCP.md)."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING

import click

from bot.core.cli_state import CliState, cli_state, open_agent
from config.identity import IdentityError, normalise
from config.mcp import new_token, token_hash

if TYPE_CHECKING:
    from agent.turn import Agent


@click.command("mcp")
@click.option(
    "--transport",
    type=click.Choice(["stdio", "http"]),
    default="stdio",
    show_default=True,
    help="stdio: one local client starts this process (Claude Desktop, VS Code, Cursor); http: "
    "streamable HTTP for remote clients, one bearer token per person ([mcp.tokens]).",
)
@click.option(
    "--as",
    "user",
    default=None,
    metavar="USER",
    help='stdio: who the calls come from, as for `ask` (sandbox only, default "me"; with '
    'aws.mode = "real" you are your OS user, mapped through [identities]).',
)
@click.option("--host", default=None, help="http: address to bind (default: settings mcp.host, 127.0.0.1).")
@click.option(
    "--port", type=click.IntRange(1, 65535), default=None, help="http: port (default: settings mcp.port)."
)
@click.option(
    "--new-token",
    "token_user",
    default=None,
    metavar="USER",
    help="Print a fresh bearer token for USER and the settings entry with its SHA-256, then exit.",
)
@click.pass_context
def serve_mcp(
    ctx: click.Context,
    transport: str,
    user: str | None,
    host: str | None,
    port: int | None,
    token_user: str | None,
) -> None:
    """Serve CloudPilot's tools, knowledge documents and prompts over the Model Context Protocol.

    Read-only tools run; changes are only requested (request_* tools): a dry run and an approval
    request that someone else approves in Slack or with `cloudpilot approvals approve`."""
    if token_user is not None:
        _print_token(token_user)
        return
    state = cli_state(ctx)
    settings = state.settings
    # Imported here: the MCP SDK is loaded by this command only.
    from bot.mcp.server import McpApp, serve_http, serve_stdio, stdio_caller

    if transport == "http":
        if user is not None:
            raise click.UsageError("--as is for stdio; over HTTP each bearer token names its person")
        if not settings.mcp.tokens:
            raise click.UsageError(
                "serving MCP over HTTP needs at least one bearer token in [mcp.tokens] "
                "(`cloudpilot serve mcp --new-token USER` prints one); nothing was started"
            )
        with open_agent(state) as agent:
            serve_http(
                McpApp(agent, state.settings),
                settings.mcp,
                host or settings.mcp.host,
                port or settings.mcp.port,
            )
        return
    if host is not None or port is not None:
        raise click.UsageError("--host and --port are for --transport http")
    me = state.identity(user, default="me")
    with _quietly_opened(state) as agent:
        serve_stdio(McpApp(agent, state.settings, stdio_caller(me)))


@contextlib.contextmanager
def _quietly_opened(state: CliState) -> Iterator[Agent]:
    """`open_agent`, with whatever starting it prints sent to stderr: stdout carries the protocol."""
    with contextlib.ExitStack() as stack:
        with contextlib.redirect_stdout(sys.stderr):
            agent = stack.enter_context(open_agent(state))
        yield agent


def _print_token(user: str) -> None:
    try:
        normalise(user)
    except IdentityError as exc:
        raise click.UsageError(f"invalid user: {exc}") from exc
    token = new_token()
    digest = token_hash(token)
    click.echo(f"Bearer token for {user} (shown once; give it to them, keep only the hash):\n  {token}\n")
    click.echo("Add to the settings (TOML):\n  [mcp.tokens]")
    click.echo(f'  "{digest}" = "{user}"\n')
    click.echo(f'or the environment:\n  CLOUDPILOT_MCP__TOKENS=\'{{"{digest}": "{user}"}}\'')
