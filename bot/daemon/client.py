"""The `cloudpilot` command's side of the warm agent process: find it (or start it), hand it the
command line and this terminal's streams, and exit with its exit status.

Only the standard library is imported here: this runs before click parses anything, in every
`cloudpilot ask`.
"""

from __future__ import annotations

import fcntl
import os
import signal
import socket
import stat
import struct
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from types import FrameType

from bot.daemon import wire
from bot.daemon.locate import Place, fingerprint, forwarded

START_TIMEOUT_S = 120.0
# What a command exits with when the agent process ended without answering (config/errors.py:
# EXIT_UNAVAILABLE, not imported here to keep this module light).
EXIT_UNAVAILABLE = 5


class AgentUnavailable(RuntimeError):
    """The agent process could not be started or reached; the command can run by itself."""


def forward(argv: list[str]) -> int | None:
    """Run this command line in the agent process and return its exit status; None when the
    command should run in this process (see `locate.forwarded`), or the agent could not start."""
    where = forwarded(argv, stdout_is_tty=_isatty(sys.stdout))
    if where is None:
        return None
    try:
        mark = fingerprint(where.config)
    except OSError as exc:  # e.g. the working directory was removed
        _note(where, f"running in this process: {exc}")
        return None
    for _ in range(2):  # a stale agent is replaced once
        try:
            sock = connect(where, mark, start=True)
        except (AgentUnavailable, OSError) as exc:  # OSError: e.g. the data dir cannot be created
            _note(where, f"running in this process: {exc}")
            return None
        with sock:
            code = _run(sock, where, argv, mark)
        if code is not None:
            return code
    return None


def _run(sock: socket.socket, where: Place, argv: list[str], mark: str) -> int | None:
    """The command's exit status; None when the agent turned out to be stale (replaced now)."""
    width, height = terminal_size()
    request = {
        "op": "run",
        "argv": argv,
        "fingerprint": mark,
        "width": width,
        "height": height,
        "encodings": [_encoding(s) for s in (sys.stdin, sys.stdout, sys.stderr)],
    }
    for stream in (sys.stdout, sys.stderr):
        with suppress(Exception):
            stream.flush()
    try:
        wire.send(sock, request, fds=[0, 1, 2])
    except OSError as exc:
        _note(where, f"could not send the command: {exc}")
        return None
    channel = wire.Channel(sock)
    try:
        with _interrupts_forwarded(sock):
            try:
                reply, _ = channel.receive()
            except OSError:
                reply = {}
    except KeyboardInterrupt:  # a second Ctrl-C: the agent did not react to the first
        print("\nAborted!", file=sys.stderr)
        return 1
    if reply.get("stale"):
        return None
    if "exit" in reply:
        return int(reply["exit"])
    message = reply.get("refused") or (
        "the agent process ended before answering (it may have been killed); whatever the command "
        "did before that is in the audit log (`cloudpilot audit`). The next command starts a new one, "
        "or run it with --no-daemon"
    )
    print(f"Error: {message}", file=sys.stderr)
    return EXIT_UNAVAILABLE


@contextmanager
def _interrupts_forwarded(sock: socket.socket) -> Iterator[None]:
    """Ctrl-C goes to the agent, which handles it as the command would (chat: leave; a turn: stop
    showing it and exit 1, "Aborted!")."""

    pressed = 0

    def interrupt(_signum: int, _frame: FrameType | None) -> None:
        nonlocal pressed
        pressed += 1
        if pressed > 1:
            raise KeyboardInterrupt
        with suppress(OSError):
            wire.send(sock, {"op": "interrupt"})

    previous = signal.signal(signal.SIGINT, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def connect(where: Place, mark: str, *, start: bool) -> socket.socket:
    """A connection to this data dir's agent process (started when `start` and none answers).
    Its fingerprint is checked by the agent on the first request."""
    sock = _try(where)
    if sock is not None or not start:
        if sock is None:
            raise AgentUnavailable("no agent process is running")
        return sock
    where.data_dir.mkdir(parents=True, exist_ok=True)
    with _locked(where.lock):
        sock = _try(where)  # another command may have started it meanwhile
        if sock is not None:
            return sock
        with suppress(FileNotFoundError):
            where.socket.unlink()  # left by a process that was killed
        proc = _spawn(where, mark)
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            sock = _try(where)
            if sock is not None:
                return sock
            if proc.poll() is not None:
                raise AgentUnavailable(f"the agent process exited with {proc.returncode} (see {where.log})")
            time.sleep(0.05)
        raise AgentUnavailable(
            f"the agent process did not answer in {START_TIMEOUT_S:.0f} s (see {where.log})"
        )


def _spawn(where: Place, mark: str) -> subprocess.Popen[bytes]:
    log = open(where.log, "ab")  # noqa: SIM115  # the child keeps it; this process closes its copy
    try:
        os.chmod(where.log, 0o600)
        return subprocess.Popen(
            [sys.executable, "-m", "bot.main", *where.root_args, "agent", "serve", "--fingerprint", mark],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            start_new_session=True,  # not in this terminal's process group: Ctrl-C is not its
            close_fds=True,
        )
    finally:
        log.close()


def _try(where: Place) -> socket.socket | None:
    """A connection to the socket when it is this user's and a process of this user answers."""
    try:
        info = os.lstat(where.socket)
    except OSError:
        return None
    if not stat.S_ISSOCK(info.st_mode) or info.st_uid != os.getuid():
        raise AgentUnavailable(f"{where.socket} is not a socket of this user; not using it")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.connect(socket_address(where.socket))
        if peer_uid(sock) != os.getuid():
            raise AgentUnavailable(f"the process at {where.socket} runs as another user; not using it")
    except (ConnectionRefusedError, FileNotFoundError):
        sock.close()
        return None
    except BaseException:
        sock.close()
        raise
    return sock


def socket_address(path: Path) -> str:
    """The path to bind or connect to; a long one (over the 107 bytes a socket address holds) is
    reached through its folder's descriptor in /proc (Linux)."""
    text = str(path)
    if len(os.fsencode(text)) < 100:
        return text
    fd = os.open(path.parent, os.O_PATH)
    # Kept open for the life of the process: the address is valid only while the descriptor is.
    return f"/proc/self/fd/{fd}/{path.name}"


def peer_uid(sock: socket.socket) -> int:
    """The user id of the process at the other end (the kernel says, SO_PEERCRED)."""
    creds = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    _pid, uid, _gid = struct.unpack("3i", creds)
    return int(uid)


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def terminal_size() -> tuple[int, int]:
    """The size rich would measure in this process: the first of stdin/stdout/stderr that is a
    terminal, COLUMNS/LINES over it, 80x25 without one (and on a dumb terminal)."""
    if os.environ.get("TERM", "").lower() in ("dumb", "unknown"):
        return 80, 25
    width = height = 0
    for fd in (0, 1, 2):
        try:
            width, height = os.get_terminal_size(fd)
        except (OSError, ValueError):
            continue
        break
    columns, lines = os.environ.get("COLUMNS", ""), os.environ.get("LINES", "")
    width = int(columns) if columns.isdigit() else width
    height = int(lines) if lines.isdigit() else height
    return width or 80, height or 25


def _encoding(stream: object) -> list[str | None]:
    return [getattr(stream, "encoding", None), getattr(stream, "errors", None)]


def _isatty(stream: object) -> bool:
    try:
        return bool(stream.isatty())  # type: ignore[attr-defined]
    except (AttributeError, ValueError, OSError):
        return False


def _note(where: Place, text: str) -> None:
    """Why a command ran by itself, in the agent's log (the command's own output stays as it is)."""
    with suppress(OSError), open(where.log, "a") as fh:
        fh.write(f"{time.strftime('%Y-%m-%dT%H:%M:%S')} client {os.getpid()}: {text}\n")
