"""The `cloudpilot` command: assembles each front-end's command groups under one root.

This is the bot's composition root: it may import every front-end, and no front-end imports it,
so the platforms stay independent of each other.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from bot.core.cli_state import CliState
from bot.slack.cli import serve_slack
from bot.slack.digest_commands import digest, serve_digests
from bot.terminal.cli import COMMANDS as TERMINAL_COMMANDS
from bot.terminal.cost_commands import cost
from bot.terminal.eval_commands import eval_command
from bot.terminal.kb_commands import kb


def _parse_date(_ctx: click.Context, _param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(f"{value!r} is not a date like 2024-10-15") from exc


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


@click.group()
def serve() -> None:
    """Run CloudPilot as a chat service."""


serve.add_command(serve_slack)
serve.add_command(serve_digests)
for _command in (*TERMINAL_COMMANDS, kb, cost, eval_command, digest, serve):
    cli.add_command(_command)


def main() -> None:
    cli(prog_name="cloudpilot")


if __name__ == "__main__":
    main()
