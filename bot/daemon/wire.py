"""Messages between a `cloudpilot` command and the agent process: a 4-byte length and a JSON
object, over a Unix stream socket; the command's first message carries its standard streams'
file descriptors (SCM_RIGHTS), so the answer is written to its terminal directly."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import struct
from typing import Any

_HEADER = struct.Struct(">I")
MAX_MESSAGE = 1 << 20
MAX_FDS = 3


class WireError(ConnectionError):
    """The other side closed the connection or sent something that is not a message."""


def send(sock: socket.socket, message: dict[str, Any], fds: list[int] | None = None) -> None:
    body = json.dumps(message).encode()
    data = _HEADER.pack(len(body)) + body
    if fds:
        sent = socket.send_fds(sock, [data], fds)
        data = data[sent:]
    if data:
        sock.sendall(data)


class Channel:
    """Reads messages (and the descriptors that came with them) from one connection."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self._buffer = b""

    def receive(self) -> tuple[dict[str, Any], list[int]]:
        """The next message; WireError at the end of the stream."""
        fds: list[int] = []
        try:
            while len(self._buffer) < _HEADER.size or len(self._buffer) < _HEADER.size + self._size():
                data, got, _flags, _addr = socket.recv_fds(self.sock, 65536, MAX_FDS)
                fds += got
                if not data:
                    raise WireError("connection closed")
                self._buffer += data
            size = self._size()
            body = self._buffer[_HEADER.size : _HEADER.size + size]
            self._buffer = self._buffer[_HEADER.size + size :]
            message = json.loads(body)
            if not isinstance(message, dict):
                raise WireError("not a message")
        except (OSError, ValueError):
            close_all(fds)
            raise
        return message, fds

    def _size(self) -> int:
        (size,) = _HEADER.unpack(self._buffer[: _HEADER.size])
        if size > MAX_MESSAGE:
            raise WireError(f"message of {size} bytes")
        return int(size)


def close_all(fds: list[int]) -> None:
    for fd in fds:
        with contextlib.suppress(OSError):
            os.close(fd)
