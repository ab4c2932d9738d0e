"""The sandbox server process: moto's server, plus an identity route naming the data dir it belongs to.

`sandbox.server` starts this detached (`python -m sandbox.process`). It binds the port it is
given (0: a free one), then writes `<data_dir>/sandbox/server.json` with its pid, port and the
token the starting process chose. `GET /cloudpilot-sandbox/identity` answers with the same, so a
later command can tell its own server from another checkout's one (or anything else) that
answers on that port.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

IDENTITY_PATH = "/cloudpilot-sandbox/identity"

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def identity_app(app: WsgiApp, identity: dict[str, Any]) -> WsgiApp:
    """`app`, with IDENTITY_PATH answered by this server's identity (JSON)."""

    def wrapped(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == IDENTITY_PATH:
            body = json.dumps(identity).encode()
            start_response(
                "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
            )
            return [body]
        return app(environ, start_response)

    return wrapped


def write_record(path: Path, record: dict[str, Any]) -> None:
    """Replace the record in one step, so a reader sees the old one or the new one, never half."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    tmp.write_text(json.dumps(record, indent=2))
    os.replace(tmp, path)


def _stop(signum: int, frame: object) -> None:
    sys.exit(0)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m sandbox.process")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0: a free port")
    parser.add_argument("--token", required=True, help="chosen by the starting process")
    parser.add_argument("--data-dir", required=True, type=Path)
    parser.add_argument("--record", required=True, type=Path, help="where to write pid, port and token")
    args = parser.parse_args(argv)

    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        MotoRequestHandler,
        create_backend_app,
    )
    from werkzeug.serving import make_server

    moto_app = DomainDispatcherApplication(create_backend_app)
    identity: dict[str, Any] = {"token": args.token, "pid": os.getpid(), "data_dir": str(args.data_dir)}
    server = make_server(
        args.host,
        args.port,
        identity_app(moto_app, identity),
        threaded=True,
        request_handler=MotoRequestHandler,
    )
    port = int(server.server_port)
    identity["port"] = port
    # moto builds some URLs (queues, presigned links) from this.
    os.environ["MOTO_PORT"] = str(port)
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    write_record(args.record, {**identity, "started_at": datetime.now(UTC).isoformat(timespec="seconds")})
    try:
        server.serve_forever()
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
