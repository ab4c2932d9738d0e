"""Agents kept open between commands, for the warm agent process (bot/daemon/).

A command normally builds its agent (the runtime: store, checkpointer, graph, tools) and closes it
when it ends. In the agent process the same agent answers the next command with the same
settings: it is the same `Agent` object, so the guard, approvals and audit are the ones a command
in its own process uses. One command at a time uses an agent (`lock`): the store, the
checkpointer and the tools are built for one caller, as in a command's own process.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from agent.runtime import Runtime
    from agent.turn import Agent
    from config import Settings


@dataclass
class _Entry:
    runtime: Runtime
    agent: Agent
    settings: Settings  # as built (with the sandbox's port)
    cloud: Hashable  # what the cloud endpoint looked like when it was built
    users: int = 0
    stale: bool = False


class WarmAgents:
    """Open agents by settings; at most `keep` idle ones stay open (the most recently used)."""

    def __init__(self, keep: int = 2) -> None:
        self.keep = keep
        self.lock = threading.RLock()
        self._entries: dict[str, _Entry] = {}
        self._order: list[str] = []

    @contextmanager
    def agent(
        self,
        key: str,
        cloud: Callable[[], Hashable],
        build: Callable[[], tuple[Runtime, Agent, Settings]],
    ) -> Iterator[tuple[Agent, Settings]]:
        """The open agent for settings `key`, built with `build` unless one is open and the cloud
        endpoint (`cloud()`, e.g. the sandbox's server record) is unchanged since it was built."""
        with self.lock:
            entry = self._entries.get(key)
            if entry is not None and entry.cloud != cloud():
                self._retire(key)
                entry = None
            if entry is None:
                runtime, agent, settings = build()
                entry = _Entry(runtime, agent, settings, cloud())
                self._entries[key] = entry
            entry.users += 1
            self._touch(key)
        try:
            yield cast("Agent", _Serialized(entry.agent, self.lock)), entry.settings
        finally:
            with self.lock:
                entry.users -= 1
                if entry.stale and entry.users == 0:
                    entry.runtime.close()
                self._trim()

    def close(self) -> None:
        with self.lock:
            for key in list(self._entries):
                self._retire(key)

    def _touch(self, key: str) -> None:
        if key in self._order:
            self._order.remove(key)
        self._order.append(key)

    def _retire(self, key: str) -> None:
        entry = self._entries.pop(key)
        self._order.remove(key)
        entry.stale = True
        if entry.users == 0:
            entry.runtime.close()

    def _trim(self) -> None:
        idle = [k for k in self._order if self._entries[k].users == 0]
        for key in idle[: max(0, len(self._order) - self.keep)]:
            self._retire(key)


class _Serialized:
    """The agent, one call at a time: commands share the process, not the agent's parts."""

    def __init__(self, agent: Agent, lock: threading.RLock) -> None:
        self._agent = agent
        self._lock = lock

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._agent, name)
        if not callable(attr):
            return attr

        def call(*args: Any, **kwargs: Any) -> Any:
            with self._lock:
                return attr(*args, **kwargs)

        return call


_warm: WarmAgents | None = None


def keep_agents_warm(pool: WarmAgents | None) -> None:
    """From now on `open_agent` reuses agents from `pool` (None: every command builds its own)."""
    global _warm
    _warm = pool


def warm_agents() -> WarmAgents | None:
    return _warm
