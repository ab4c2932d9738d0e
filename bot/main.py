"""The `cloudpilot` command: assembles each front-end's command groups under one root.

This is the bot's composition root: it may import every front-end, and no front-end imports it,
so the platforms stay independent of each other.

Start-up is kept cheap: a front-end's commands are imported only when one of them runs (or help
lists them), so `cloudpilot --version` imports click and nothing else, and `cloudpilot ask` never
imports the Slack app. Errors end the command with one line on stderr and an exit status per kind
of error (`config/errors.py`, README "Commands"); `--debug` adds the traceback.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from bot.terminal.errors import CommandError

# A source of commands: a function that imports and returns them, and the names it provides (so
# `cloudpilot NAME` imports only the module that has NAME; an unknown name imports them all).
Loader = Callable[[], Sequence[click.Command]]
Source = tuple[Loader, tuple[str, ...]]


class LazyGroup(click.Group):
    """A group whose commands are imported on first use."""

    def __init__(self, *args: Any, sources: Sequence[Source] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._sources: list[Source] = list(sources)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands:
            for source in [s for s in self._sources if cmd_name in s[1]]:
                self._load(source)
        if cmd_name not in self.commands:
            self._load_all()
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        self._load_all()
        return super().list_commands(ctx)

    def _load_all(self) -> None:
        for source in list(self._sources):
            self._load(source)

    def _load(self, source: Source) -> None:
        if source in self._sources:
            self._sources.remove(source)
            for command in source[0]():
                self.add_command(command)


def _terminal() -> Sequence[click.Command]:
    from bot.terminal.cli import COMMANDS

    return COMMANDS


def _kb() -> Sequence[click.Command]:
    from bot.terminal.kb_commands import kb

    return (kb,)


def _cost() -> Sequence[click.Command]:
    from bot.terminal.cost_commands import cost

    return (cost,)


def _eval() -> Sequence[click.Command]:
    from bot.terminal.eval_commands import eval_command

    return (eval_command,)


def _agent() -> Sequence[click.Command]:
    from bot.daemon.commands import agent_group

    return (agent_group,)


def _digest() -> Sequence[click.Command]:
    from bot.digests.commands import digest_group

    return (digest_group(*_digest_posters()),)


def _alerts() -> Sequence[click.Command]:
    from bot.digests.commands import alerts_group

    return (alerts_group(_digest_posters()[1]),)


def _digest_posters() -> tuple[list[Any], Any]:
    """Where digests and alerts go: each platform's poster (a digest names its platform), and the
    alert runner posting to Slack and the Teams channels `teams.channels` maps."""
    from bot.slack.digests import slack_alerts
    from bot.slack.digests import source as slack_source
    from bot.teams.digests import source as teams_source
    from bot.teams.digests import with_teams

    return [slack_source(), teams_source()], with_teams(slack_alerts)


def _jobs() -> Sequence[click.Command]:
    from bot.serve.cli import jobs

    return (jobs,)


def _serve_worker() -> Sequence[click.Command]:
    from bot.digests.tasks import digest_provider
    from bot.digests.tasks import provider as alert_tasks
    from bot.serve.cli import worker_command
    from bot.slack.tasks import provider as slack_tasks
    from bot.teams.tasks import provider as teams_tasks

    # Runs the durable queue's jobs; digests post through the poster of the platform each names,
    # alerts to Slack and to the Teams channels `teams.channels` maps them to.
    sources, alerts = _digest_posters()
    return (worker_command([slack_tasks(), teams_tasks(), alert_tasks(alerts), digest_provider(sources)]),)


def _serve_slack() -> Sequence[click.Command]:
    from bot.slack.cli import slack_command
    from bot.teams.cli import mount

    # One server for both: with [teams] configured, `serve slack` also serves /api/messages.
    return (slack_command([mount()]),)


def _serve_teams() -> Sequence[click.Command]:
    from bot.teams.cli import serve_teams

    return (serve_teams,)


def _serve_mcp() -> Sequence[click.Command]:
    from bot.mcp.cli import serve_mcp

    return (serve_mcp,)


def _serve_digests() -> Sequence[click.Command]:
    from bot.digests.commands import serve_digests_command

    return (serve_digests_command(*_digest_posters()),)


def _parse_date(_ctx: click.Context, _param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(f"{value!r} is not a date like 2024-10-15") from exc


class RootGroup(LazyGroup):
    """The `cloudpilot` group: turns every error of a command into one line and an exit status."""

    def invoke(self, ctx: click.Context) -> Any:
        debug = bool(ctx.params.get("debug"))
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, SystemExit, KeyboardInterrupt, EOFError):
            raise
        except BrokenPipeError:  # `cloudpilot audit | head`: click closes quietly
            raise
        except click.ClickException as exc:
            failure = _click_failure(exc)
            if failure is None:
                raise
            if debug:
                traceback.print_exception(exc)
            raise failure from exc
        except Exception as exc:
            from bot.terminal.errors import CommandError

            if debug:
                traceback.print_exception(exc)
            code, message = describe_error(exc)
            if not debug and code == _EXIT_FAILED:
                message += " (run with --debug for the traceback)"
            raise CommandError(message, code) from exc


_EXIT_FAILED = 1


@click.group(
    cls=RootGroup,
    context_settings={"help_option_names": ["-h", "--help"]},
    sources=[
        (_terminal, ("ask", "chat", "approvals", "audit", "config", "sandbox", "demo", "scan", "iam-policy")),
        (_agent, ("agent",)),
        (_kb, ("kb",)),
        (_cost, ("cost",)),
        (_eval, ("eval",)),
        (_digest, ("digest",)),
        (_alerts, ("alerts",)),
        (_jobs, ("jobs",)),
    ],
)
@click.version_option(package_name="cloudpilot", prog_name="cloudpilot", message="%(prog)s %(version)s")
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
@click.option(
    "--debug",
    is_flag=True,
    envvar="CLOUDPILOT_DEBUG",
    help="Show the traceback of an error (errors are one line without it).",
)
@click.option(
    "--no-daemon",
    is_flag=True,
    help="Answer in this process, not in the warm agent process (setting cli.daemon).",
)
@click.pass_context
def cli(
    ctx: click.Context,
    config: Path | None,
    now: date | None,
    data_dir: Path | None,
    debug: bool,
    no_daemon: bool,
) -> None:
    """CloudPilot: ask about cloud costs, security and resources; approve changes."""
    from bot.core.cli_state import CliState

    ctx.obj = CliState(config, now, data_dir)
    if not debug and ctx.invoked_subcommand != "serve":
        # A server's log keeps its tracebacks; a terminal command's is one line per error.
        ctx.with_resource(_LoggedErrorsInOneLine())


@click.group(
    cls=LazyGroup,
    sources=[
        (_serve_slack, ("slack",)),
        (_serve_digests, ("digests",)),
        (_serve_worker, ("worker",)),
        (_serve_teams, ("teams",)),
        (_serve_mcp, ("mcp",)),
    ],
)
def serve() -> None:
    """Run CloudPilot as a chat service."""


cli.add_command(serve)


# -- errors ----------------------------------------------------------------------------------------


def _click_failure(exc: click.ClickException) -> CommandError | None:
    """A click error raised because of a setting (the settings did not load, the LLM settings are
    unusable) or a service (the sandbox did not start) as one line with its exit status; None
    leaves it to click (a usage error keeps its usage line)."""
    from bot.terminal.errors import CommandError
    from config.errors import EXIT_UNAVAILABLE, EXIT_USAGE, CloudPilotError

    cause = exc.__cause__
    if cause is None:
        return None
    if isinstance(cause, CloudPilotError):
        return CommandError(one_line(str(cause)), cause.exit_code)
    if _name(cause) in _SETTINGS_ERRORS:  # raised from, not somewhere down the chain
        return CommandError(one_line(exc.format_message()), EXIT_USAGE)
    if isinstance(cause, RuntimeError):  # the sandbox could not start
        return CommandError(one_line(exc.format_message()), EXIT_UNAVAILABLE)
    return None


# What loading the settings raises (pydantic, pydantic-settings, the TOML parser, a missing --config
# file) and a provider the LLM settings cannot build; matched by name, so nothing is imported here.
_SETTINGS_ERRORS = {
    "pydantic_core._pydantic_core.ValidationError",
    "pydantic_settings.exceptions.SettingsError",
    "tomllib.TOMLDecodeError",
    "builtins.FileNotFoundError",
    "agent.planner.base.PlannerConfigError",
}


def _name(exc: BaseException) -> str:
    return f"{type(exc).__module__}.{type(exc).__name__}"


def describe_error(exc: BaseException) -> tuple[int, str]:
    """The exit status and the one-line message for an error a command did not handle itself."""
    from config.errors import EXIT_BAD_INPUT, EXIT_NOT_FOUND, EXIT_UNAVAILABLE, EXIT_USAGE, CloudPilotError

    for e in _chain(exc):
        if isinstance(e, CloudPilotError):
            return e.exit_code, one_line(str(e))
    for e in _chain(exc):
        if _name(e) in _UNAVAILABLE:
            return EXIT_UNAVAILABLE, f"{_UNAVAILABLE[_name(e)]}: {one_line(str(e))}"
        if _name(e) == "pydantic_core._pydantic_core.ValidationError":
            return EXIT_USAGE, f"invalid settings: {_validation_text(e)}"
    text = one_line(str(exc)) or type(exc).__name__
    if isinstance(exc, FileNotFoundError):
        return EXIT_NOT_FOUND, f"not found: {exc.filename or text}"
    if isinstance(exc, PermissionError):
        return _EXIT_FAILED, f"permission denied: {exc.filename or text}"
    if isinstance(exc, UnicodeDecodeError):
        return EXIT_BAD_INPUT, f"not UTF-8 text: {text}"
    return _EXIT_FAILED, f"unexpected error: {_name(exc)}: {text}"


# Exceptions that mean a service did not answer (matched by name: the modules load only when used).
_UNAVAILABLE = {
    "sqlalchemy.exc.OperationalError": "the database is unavailable",
    "psycopg.OperationalError": "the database is unavailable",
    "psycopg_pool.PoolTimeout": "the database is unavailable",
    "sqlite3.OperationalError": "the SQLite database is unavailable",
    "botocore.exceptions.EndpointConnectionError": "AWS did not answer",
    "botocore.exceptions.ConnectTimeoutError": "AWS did not answer",
    "botocore.exceptions.NoCredentialsError": "no AWS credentials",
    "redis.exceptions.ConnectionError": "Redis is unavailable",
}


def one_line(text: str) -> str:
    from bot.terminal.errors import one_line as shared

    return shared(text)


def _validation_text(exc: BaseException) -> str:
    errors = getattr(exc, "errors", None)
    if not callable(errors):
        return one_line(str(exc))
    return "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errors())


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


class _LoggedErrorsInOneLine:
    """While a terminal command runs, a logged exception is one line (type and message) instead of
    a traceback; `--debug` keeps tracebacks, and so do servers (`serve`), whose logs need them."""

    def __init__(self) -> None:
        self._previous: Callable[..., logging.LogRecord] | None = None

    def __enter__(self) -> None:
        previous = logging.getLogRecordFactory()
        self._previous = previous

        def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
            record = previous(*args, **kwargs)
            exc = record.exc_info[1] if record.exc_info else None
            if exc is not None:
                try:
                    record.msg = (
                        f"{record.getMessage()} [{type(exc).__name__}: {one_line(str(exc))}; "
                        "--debug shows the traceback]"
                    )
                    record.args = None
                    record.exc_info = None
                except Exception:  # a bad format string: leave the record as it was
                    pass
            return record

        logging.setLogRecordFactory(factory)

    def __exit__(self, *_exc: object) -> None:
        if self._previous is not None:
            logging.setLogRecordFactory(self._previous)
            self._previous = None


def main() -> None:
    import sys

    from bot.daemon.client import forward

    # `ask`, `scan` and `chat` go to this data dir's warm agent process when it is on (it runs the
    # same command); anything else, or no agent process, runs here.
    code = forward(sys.argv[1:])
    if code is not None:
        sys.exit(code)
    cli(prog_name="cloudpilot")


if __name__ == "__main__":
    main()
