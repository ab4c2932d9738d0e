"""The warm agent process: answers `cloudpilot ask`, `scan` and `chat` for one data dir and one
user, with the agent loaded once.

Each command arrives on `<data_dir>/agent.sock` (mode 0600; a caller of another user id is
refused, SO_PEERCRED) with its command line and its terminal's descriptors, and runs in a thread
as the same click command it would run in its own process: the same settings loading, identity
checks, guard, approvals and audit, writing to the caller's terminal, ending with the exit status
the caller exits with. What stays warm is the imported code and the open agent per settings
(`bot.core.warm_agents`). A command whose fingerprint (environment, settings file, code) is not
this process's is told so, and this process stops taking commands and exits once the ones it has
are done; one that has nothing to do for `idle_s` exits too.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import select
import signal
import socket
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import click

from bot.core import terminal_io
from bot.core.warm_agents import WarmAgents, keep_agents_warm
from bot.daemon import wire
from bot.daemon.client import peer_uid, socket_address
from bot.daemon.locate import Place

log = logging.getLogger("cloudpilot.daemon")


class ClientInput(io.TextIOBase):
    """The caller's stdin, read a line at a time; gives up when the caller goes away (end of
    input) or presses Ctrl-C (KeyboardInterrupt, as `input()` would raise in its own process)."""

    def __init__(self, fd: int, encoding: str | None, errors: str | None) -> None:
        super().__init__()
        self._fd = fd
        self._encoding = encoding or "utf-8"
        self._errors = errors or "strict"
        self._buffer = b""
        self._wake_r, self._wake_w = os.pipe()
        self._why: str | None = None
        self.waiting = False

    def wake(self, why: str) -> None:
        """Stop a read in progress: "interrupt" (Ctrl-C) or "gone" (the caller left)."""
        self._why = why
        os.write(self._wake_w, b"x")

    def readable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return os.isatty(self._fd)

    def fileno(self) -> int:
        return self._fd

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return self._encoding

    def readline(self, size: int | None = -1) -> str:  # type: ignore[override]
        self.waiting = True
        try:
            while b"\n" not in self._buffer:
                ready, _, _ = select.select([self._fd, self._wake_r], [], [])
                if self._wake_r in ready:
                    os.read(self._wake_r, 64)
                    why, self._why = self._why, None
                    if why == "interrupt":
                        raise KeyboardInterrupt
                    return ""
                chunk = os.read(self._fd, 4096)
                if not chunk:
                    break
                self._buffer += chunk
        finally:
            self.waiting = False
        line, sep, rest = self._buffer.partition(b"\n")
        self._buffer = rest
        return (line + sep).decode(self._encoding, self._errors)

    def close(self) -> None:
        for fd in (self._fd, self._wake_r, self._wake_w):
            with contextlib.suppress(OSError):
                os.close(fd)
        super().close()


class _Discard(io.TextIOBase):
    """Where a command's output goes once its caller has gone (Ctrl-C)."""

    def write(self, text: str) -> int:
        return len(text)

    def isatty(self) -> bool:
        return False


@dataclass
class _Command:
    sock: socket.socket
    terminal: terminal_io.Terminal
    stdin: ClientInput
    done: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    def finish(self, code: int) -> None:
        """Send the exit status, once (the command's end or Ctrl-C, whichever comes first)."""
        with self.lock:
            if self.done:
                return
            self.done = True
        for stream in (self.terminal.stdout, self.terminal.stderr):
            with contextlib.suppress(OSError, ValueError):
                stream.flush()
        with contextlib.suppress(OSError):
            wire.send(self.sock, {"exit": code})

    def abandon(self) -> None:
        """The caller left or pressed Ctrl-C during a turn: like the command in its own process, say
        "Aborted!" and exit 1; the turn itself finishes here, unseen (its record is in the audit log)."""
        with self.lock:
            if self.done:
                return
        try:
            self.terminal.stderr.write("\nAborted!\n")
            self.terminal.stderr.flush()
        except (OSError, ValueError):
            pass
        self.finish(1)
        self.terminal.stdout = self.terminal.stderr = _Discard()


class AgentServer:
    def __init__(self, root: click.Command, where: Place, mark: str, idle_s: float) -> None:
        self.root = root
        self.where = where
        self.mark = mark
        self.idle_s = idle_s
        self.agents = WarmAgents()
        self._active = 0
        self._last = time.monotonic()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._inode: int | None = None
        self.started_at = datetime.now(UTC)

    # -- the listening socket --------------------------------------------------------------------
    def serve(self) -> None:
        terminal_io.install()
        keep_agents_warm(self.agents)
        signal.signal(signal.SIGTERM, lambda *_: self._stop.set())
        listener = self._bind()
        self._write_record()
        log.info("agent process %s listening on %s", os.getpid(), self.where.socket)
        try:
            while not self._stop.is_set():
                try:
                    conn, _ = listener.accept()
                except TimeoutError:
                    if self._idle() or not self._still_ours():
                        break
                    continue
                with self._lock:
                    self._active += 1
                    self._last = time.monotonic()
                threading.Thread(target=self._connection, args=(conn,), daemon=True).start()
        finally:
            self._release()
            listener.close()
            deadline = time.monotonic() + 600
            while self._busy() and time.monotonic() < deadline:  # let running commands finish
                time.sleep(0.1)
            self.agents.close()
            self._remove_record()
            log.info("agent process %s exits", os.getpid())

    def _bind(self) -> socket.socket:
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        previous = os.umask(0o177)  # the socket is created 0600: this user only
        try:
            listener.bind(socket_address(self.where.socket))
        finally:
            os.umask(previous)
        os.chmod(self.where.socket, 0o600)
        self._inode = os.stat(self.where.socket).st_ino
        listener.listen(16)
        listener.settimeout(1.0)
        return listener

    def _still_ours(self) -> bool:
        try:
            return os.stat(self.where.socket).st_ino == self._inode
        except OSError:
            return False

    def _release(self) -> None:
        """Stop taking commands: the socket's name is free for a new agent process."""
        if self._still_ours():
            self.where.socket.unlink(missing_ok=True)

    def _idle(self) -> bool:
        with self._lock:
            return self._active == 0 and time.monotonic() - self._last > self.idle_s

    def _busy(self) -> bool:
        with self._lock:
            return self._active > 0

    def _remove_record(self) -> None:
        # Only this process's: a replacement may have written its own meanwhile.
        try:
            if json.loads(self.where.record.read_text()).get("pid") == os.getpid():
                self.where.record.unlink()
        except (OSError, ValueError):
            pass

    def _write_record(self) -> None:
        record = {
            "pid": os.getpid(),
            "socket": str(self.where.socket),
            "fingerprint": self.mark,
            "started_at": self.started_at.isoformat(),
            "idle_s": self.idle_s,
        }
        fd = os.open(self.where.record, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            json.dump(record, fh)

    # -- one connection ----------------------------------------------------------------------------
    def _connection(self, sock: socket.socket) -> None:
        fds: list[int] = []
        try:
            with sock:
                if peer_uid(sock) != os.getuid():
                    wire.send(sock, {"refused": "the agent process answers its own user only"})
                    return
                channel = wire.Channel(sock)
                request, fds = channel.receive()
                op = request.get("op")
                if op == "status":
                    wire.send(sock, self.status())
                elif op == "stop":
                    self._release()
                    self._stop.set()
                    wire.send(sock, {"stopping": os.getpid()})
                elif op == "run" and request.get("fingerprint") != self.mark:
                    # Other settings or code than this process was started with: make way for a new one.
                    self._release()
                    self._stop.set()
                    wire.send(sock, {"stale": True})
                elif op == "run" and len(fds) == 3:
                    fds, taken = [], fds
                    self._run(sock, channel, request, taken)
                else:
                    wire.send(sock, {"refused": f"unknown request {op!r}"})
        except Exception:
            log.exception("a connection failed")
        finally:
            wire.close_all(fds)
            with self._lock:
                self._active -= 1
                self._last = time.monotonic()

    def status(self) -> dict[str, Any]:
        with self._lock:
            active = self._active - 1  # not counting the one asking
        return {
            "pid": os.getpid(),
            "socket": str(self.where.socket),
            "fingerprint": self.mark,
            "started_at": self.started_at.isoformat(),
            "idle_s": self.idle_s,
            "commands_running": active,
        }

    def _run(
        self, sock: socket.socket, channel: wire.Channel, request: dict[str, Any], fds: list[int]
    ) -> None:
        encodings = request.get("encodings") or [[None, None]] * 3
        stdin = ClientInput(fds[0], *encodings[0])
        stdout = _writer(fds[1], *encodings[1], stderr=False)
        stderr = _writer(fds[2], *encodings[2], stderr=True)
        terminal = terminal_io.Terminal(
            stdin, stdout, stderr, int(request.get("width") or 80), int(request.get("height") or 25)
        )
        command = _Command(sock, terminal, stdin)
        threading.Thread(target=self._watch, args=(channel, command), daemon=True).start()
        try:
            with terminal_io.attached(terminal):
                code = self._invoke([str(a) for a in request.get("argv", [])])
            command.finish(code)
        finally:
            for stream in (stdout, stderr, stdin):
                with contextlib.suppress(OSError, ValueError):
                    stream.close()

    def _watch(self, channel: wire.Channel, command: _Command) -> None:
        """The caller's Ctrl-C, or its going away, while its command runs."""
        while not command.done:
            try:
                message, extra = channel.receive()
            except (OSError, ValueError):
                if not command.done:
                    command.stdin.wake("gone")
                    command.abandon()
                return
            wire.close_all(extra)
            if message.get("op") == "interrupt":
                if command.stdin.waiting:
                    command.stdin.wake("interrupt")
                else:
                    command.abandon()

    def _invoke(self, argv: list[str]) -> int:
        """The command line run as `cloudpilot` runs it; its exit status."""
        try:
            self.root.main(args=argv, prog_name="cloudpilot", standalone_mode=True)
        except SystemExit as exc:
            if exc.code is None:
                return 0
            if isinstance(exc.code, int):
                return exc.code
            sys.stderr.write(f"{exc.code}\n")
            return 1
        except Exception:
            traceback.print_exc()
            return 1
        finally:
            terminal_io.install()  # click swaps stdout for a wrapper after a broken pipe
        return 0


def _writer(fd: int, encoding: str | None, errors: str | None, *, stderr: bool) -> io.TextIOWrapper:
    # As Python opens its own streams: stdout line-buffered on a terminal, stderr always.
    tty = os.isatty(fd)
    return io.TextIOWrapper(
        io.FileIO(fd, "w", closefd=True),
        encoding=encoding or "utf-8",
        errors=errors or ("backslashreplace" if stderr else "strict"),
        line_buffering=stderr or tty,
        write_through=stderr,
    )
