"""Which terminal a command writes to: the process's own, or, inside the warm agent process
(bot/daemon/), the terminal of the `cloudpilot` command that sent it.

The agent process answers several commands at once, each in its own thread, and each must write
to its own caller's terminal. `install()` replaces `sys.stdin/stdout/stderr` with proxies that
forward to the streams of the command running in the current context (a context variable), or to
the process's own streams outside any command. click, rich and logging look streams up at write
time, so they need no change; rich's size is the one thing read from the process (its file
descriptors 0-2), hence `console()`.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import IO, Any, TextIO, cast

from rich.console import Console

Stream = TextIO | io.TextIOBase


@dataclass
class Terminal:
    """The caller's streams and what its terminal looked like when it sent the command."""

    stdin: Stream
    stdout: Stream
    stderr: Stream
    width: int
    height: int


_current: ContextVar[Terminal | None] = ContextVar("cloudpilot_terminal", default=None)


def current() -> Terminal | None:
    return _current.get()


@contextmanager
def attached(terminal: Terminal) -> Iterator[None]:
    """Inside the block (in this context), the standard streams are `terminal`'s."""
    token = _current.set(terminal)
    try:
        yield
    finally:
        _current.reset(token)


def console() -> Console:
    """A rich console for the command's own terminal (its size as the caller measured it)."""
    terminal = _current.get()
    if terminal is None:
        return Console()
    return Console(width=terminal.width, height=terminal.height)


class _Proxy(io.TextIOBase):
    """A standard stream that is the current command's, or the process's own outside commands."""

    def __init__(self, name: str, own: TextIO) -> None:
        super().__init__()
        self._name = name
        self._own = own

    def _target(self) -> TextIO:
        terminal = _current.get()
        return cast(TextIO, self._own if terminal is None else getattr(terminal, self._name))

    # The methods click, rich, logging and input() use, forwarded to the current stream.
    def write(self, text: str) -> int:
        return self._target().write(text)

    def flush(self) -> None:
        self._target().flush()

    def isatty(self) -> bool:
        return self._target().isatty()

    def fileno(self) -> int:
        return self._target().fileno()

    def readline(self, size: int | None = -1) -> str:  # type: ignore[override]
        return self._target().readline(-1 if size is None else size)

    def read(self, size: int | None = -1) -> str:
        return self._target().read(-1 if size is None else size)

    def readable(self) -> bool:
        return self._name == "stdin"

    def writable(self) -> bool:
        return self._name != "stdin"

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return self._target().encoding

    @property
    def errors(self) -> str | None:  # type: ignore[override]
        return self._target().errors

    @property
    def buffer(self) -> IO[bytes]:
        return self._target().buffer

    def __getattr__(self, name: str) -> Any:
        return getattr(self._target(), name)


_installed: tuple[_Proxy, _Proxy, _Proxy] | None = None


def install() -> None:
    """Route the standard streams through the current command (the agent process calls this at
    start, and again after each command in case one replaced a stream)."""
    global _installed
    if _installed is None:
        _installed = (_Proxy("stdin", sys.stdin), _Proxy("stdout", sys.stdout), _Proxy("stderr", sys.stderr))
    sys.stdin, sys.stdout, sys.stderr = _installed
