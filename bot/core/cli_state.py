"""The `cloudpilot` command's shared state: settings from flags and files, and the agent's lifetime.

Every command group (terminal, Slack, digests) opens its agent here, so the sandbox is started in
one place — by the CLI, never by the agent.
"""

from __future__ import annotations

import getpass
import json
import logging
import os
import time
from collections.abc import Hashable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from pydantic import ValidationError

from bot.core.warm_agents import warm_agents
from config import Settings, load_settings
from config.identity import Identities, IdentityError, shown
from sandbox.server import connect, sandbox_dir

if TYPE_CHECKING:
    from agent.turn import Agent


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
                raise click.UsageError(f"invalid settings: {short_error(exc)}") from exc
            except (FileNotFoundError, ValueError) as exc:
                raise click.UsageError(str(exc)) from exc
        return self._settings

    def identity(self, requested: str | None, default: str | None = None) -> str:
        """Who a terminal command acts as: a canonical identity.

        In the sandbox anyone may be anyone (`--as`), which demos and tests need. Against a real
        account a typed name proves nothing, so the identity is the logged-in OS user mapped through
        the identity table, and `--as` may only name that same person."""
        identities = Identities(self.settings)
        if self.settings.aws.mode == "sandbox":
            name = requested if requested is not None else default
            if name is None:
                raise click.UsageError("Missing option '--as': say who you are")
            try:
                return identities.canonical(name)
            except IdentityError as exc:
                raise click.UsageError(f"invalid user: {exc}") from exc
        try:
            os_user = getpass.getuser()
        except (OSError, KeyError) as exc:  # no USER/LOGNAME and no passwd entry
            raise click.UsageError(
                'aws.mode = "real": cannot tell who you are (no OS user name); nothing was done'
            ) from exc
        try:
            me = identities.canonical(os_user) if identities.known(os_user) else None
        except IdentityError:
            me = None
        if me is None:
            raise click.UsageError(
                f'aws.mode = "real": the OS user {shown(os_user)!r} is not in the identity table; '
                "add it as a person or an alias under [identities] in the settings. Nothing was done."
            )
        if requested is not None:
            try:
                named = identities.canonical(requested)
            except IdentityError as exc:
                raise click.UsageError(f"invalid user: {exc}") from exc
            if named != me:
                raise click.UsageError(
                    f'--as {shown(requested)} refused: with aws.mode = "real" you act as yourself, {me} '
                    f"(OS user {shown(os_user)}); --as is for the sandbox. Nothing was done."
                )
        return me

    def use(self, settings: Settings) -> None:
        """Replace the settings for the rest of the command (e.g. with the sandbox's port filled in)."""
        self._settings = settings

    def override(self, **fields: Any) -> None:
        """Adjust the settings for one command (the demo), after they were built."""
        self._settings = self.settings.model_copy(update=fields)


def cli_state(ctx: click.Context) -> CliState:
    """The running command's state (a bare one when a group is invoked on its own, as in tests)."""
    return ctx.find_object(CliState) or CliState(None, None, None)


def short_error(exc: ValidationError) -> str:
    return "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())


def ensure_cloud(settings: Settings) -> Settings:
    """Start the local sandbox when the settings point at it and nothing else was configured, and
    return the settings that reach it: the data dir's own sandbox listens on a port chosen when it
    started, so the AWS clients must be built from what this returns."""
    if settings.aws.mode == "sandbox" and not settings.aws.endpoint_url:
        return connect(settings)
    return settings


@contextmanager
def open_agent(state: CliState, *, reconcile: bool = True) -> Iterator[Agent]:
    # The agent's stack (LangGraph, the tools) is imported by the commands that use it, not by all.
    from agent.planner.base import PlannerConfigError
    from agent.runtime import Runtime
    from agent.turn import Agent

    def build() -> tuple[Runtime, Agent, Settings]:
        try:
            state.use(ensure_cloud(state.settings))
            runtime = Runtime.build(state.settings)
        except PlannerConfigError as exc:  # e.g. a missing API key or a bad URL: one line, no traceback
            raise click.ClickException(f"LLM settings: {exc}") from exc
        except RuntimeError as exc:  # e.g. the sandbox could not start
            raise click.ClickException(str(exc)) from exc
        return runtime, Agent(runtime), state.settings

    warm = warm_agents()
    if warm is not None:  # the warm agent process (bot/daemon/): the agent outlives the command
        settings = state.settings
        with warm.agent(settings.model_dump_json(), lambda: cloud_marker(settings), build) as (agent, built):
            state.use(built)
            _reconcile(agent, reconcile)
            yield agent
        return
    runtime, agent, _ = build()
    _reconcile(agent, reconcile)
    try:
        yield agent
    finally:
        runtime.close()


def _reconcile(agent: Agent, reconcile: bool) -> None:
    try:
        # Every command finishes first what an earlier, interrupted one left behind.
        if reconcile:
            agent.reconcile()
    except Exception as exc:  # the command itself may still work (or fail with a clearer error)
        logging.getLogger("cloudpilot.reconciler").warning("reconciling at start-up failed: %s", exc)


def cloud_marker(settings: Settings) -> Hashable:
    """What tells a kept agent that its cloud endpoint went away: for this data dir's sandbox, its
    server record (rewritten when the server restarts) and whether that process still runs."""
    if settings.aws.mode != "sandbox" or settings.aws.endpoint_url:
        return None
    record = sandbox_dir(settings) / "server.json"  # written by the server when it starts
    try:
        text = record.read_text()
        pid = int(json.loads(text)["pid"])
        os.kill(pid, 0)
    except (OSError, ValueError, KeyError, TypeError):
        return ("gone", time.monotonic())  # never equal: the next command connects again
    return text
