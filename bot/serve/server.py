"""The HTTP server every front-end's endpoints live on: uvicorn serving a Starlette app.

Front-ends contribute routes (Slack's `POST /slack/events`, Teams' `POST /api/messages`) and readiness
checks; the server adds `GET /health` (the process answers), `GET /ready` (what it depends on
answers), `GET /metrics` (Prometheus), a request id per request and the limits below. Anything
a client can get wrong is a 4xx and the connection is answered, never a 5xx or a dropped
connection:

- request line and headers: at most `max_header_bytes` (431; 400 from h11 when they arrive in
  pieces) and `max_headers` fields (431), complete within `header_timeout_s` of the connection opening or
  the previous response (408, then closed: a client that trickles headers holds nothing);
- body: at most `max_body` bytes (413, from Content-Length before reading, or while reading a
  chunked body), complete within `read_timeout_s` (408 and the connection closed);
- a known path with the wrong method: 405 with `Allow`; an unknown path: 404;
- `max_connections` open connections at most (503 beyond, as uvicorn's concurrency limit).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Self

import anyio
import uvicorn
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.protocols.http.h11_impl import H11Protocol

from bot.serve.logs import bound, clean_id, new_request_id
from config.metrics import REFUSED, REGISTRY, REQUESTS

log = logging.getLogger("cloudpilot.serve")

HEALTH_PATH, READY_PATH, METRICS_PATH = "/health", "/ready", "/metrics"


@dataclass(frozen=True)
class Limits:
    max_body: int = 1 << 20  # Slack's payloads are a few KiB
    max_headers: int = 100
    max_header_bytes: int = 16 * 1024
    header_timeout_s: float = 10.0
    read_timeout_s: float = 10.0
    keep_alive_s: float = 5.0
    max_connections: int = 2000


class BodyError(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


async def read_body(request: Request, limits: Limits) -> bytes:
    """The whole body, or BodyError: 411/413 for its size, 408 when it is not all there in time."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not (declared.isascii() and declared.isdigit() and len(declared) <= 12):
            raise BodyError(400, "bad Content-Length")
        if int(declared) > limits.max_body:
            raise BodyError(413, "payload too large")
    chunks: list[bytes] = []
    size = 0
    try:
        with anyio.fail_after(limits.read_timeout_s):
            async for chunk in request.stream():
                size += len(chunk)
                if size > limits.max_body:
                    raise BodyError(413, "payload too large")
                chunks.append(chunk)
    except TimeoutError:
        raise BodyError(408, "the body did not arrive in time") from None
    except ClientDisconnect:
        raise BodyError(400, "the client went away") from None
    return b"".join(chunks)


def error_response(status: int, reason: str, *, close: bool = False) -> Response:
    headers = {"Connection": "close"} if close else None
    return JSONResponse({"error": reason}, status_code=status, headers=headers)


ReadyCheck = Callable[[], object]  # raises (or returns False) when the dependency is not usable


@dataclass
class Service:
    """What the server hosts: front-end routes, readiness checks, things to refresh per scrape."""

    routes: list[BaseRoute] = field(default_factory=list)
    ready_checks: dict[str, ReadyCheck] = field(default_factory=dict)
    on_scrape: list[Callable[[], None]] = field(default_factory=list)
    limits: Limits = field(default_factory=Limits)


def build_asgi(service: Service) -> ASGIApp:
    async def health(_: Request) -> Response:
        return PlainTextResponse("ok")

    async def ready(_: Request) -> Response:
        results = await anyio.to_thread.run_sync(_run_checks, service.ready_checks)
        ok = all(v == "ok" for v in results.values())
        return JSONResponse({"ready": ok, "checks": results}, status_code=200 if ok else 503)

    async def metrics(_: Request) -> Response:
        data = await anyio.to_thread.run_sync(_scrape, service.on_scrape)
        return Response(data, media_type=CONTENT_TYPE_LATEST)

    routes: list[BaseRoute] = [
        Route(HEALTH_PATH, health, methods=["GET"]),
        Route(READY_PATH, ready, methods=["GET"]),
        Route(METRICS_PATH, metrics, methods=["GET"]),
        *service.routes,
    ]
    known = {getattr(r, "path", "") for r in routes}
    app = Starlette(routes=routes)
    return _Guard(app, service.limits, known)


def _run_checks(checks: dict[str, ReadyCheck]) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, check in checks.items():
        try:
            result = check()
            out[name] = "ok" if result is not False else "unavailable"
        except Exception as exc:
            out[name] = f"unavailable: {type(exc).__name__}"
            log.warning("readiness check %s failed: %s", name, exc)
    return out


def _scrape(hooks: list[Callable[[], None]]) -> bytes:
    for hook in hooks:
        try:
            hook()
        except Exception:
            log.warning("a metrics refresh failed", exc_info=True)
    return generate_latest(REGISTRY)


class _Guard:
    """Outermost ASGI layer: request id, header count, metrics, and the last line of defence."""

    def __init__(self, app: ASGIApp, limits: Limits, known_paths: set[str]) -> None:
        self.app = app
        self.limits = limits
        self.known = known_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            if scope["type"] == "lifespan":
                await self.app(scope, receive, send)
            return
        headers: list[tuple[bytes, bytes]] = scope.get("headers") or []
        supplied = next((v for k, v in headers if k == b"x-request-id"), b"").decode("latin-1")
        rid = clean_id(supplied) or new_request_id()
        path = str(scope.get("path", ""))
        route = path if path in self.known else "other"
        method = str(scope.get("method", ""))
        status = [0]
        started = [False]

        async def send_wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                started[0] = True
                status[0] = int(message["status"])
                message = {
                    **message,
                    "headers": [*message.get("headers", []), (b"x-request-id", rid.encode())],
                }
            await send(message)

        with bound(request=rid):
            scope.setdefault("state", {})["request_id"] = rid
            try:
                if len(headers) > self.limits.max_headers:
                    REFUSED.labels("headers").inc()
                    await error_response(431, "too many header fields", close=True)(
                        scope, receive, send_wrapped
                    )
                elif sum(len(k) + len(v) + 4 for k, v in headers) > self.limits.max_header_bytes:
                    REFUSED.labels("headers").inc()
                    await error_response(431, "header fields too large", close=True)(
                        scope, receive, send_wrapped
                    )
                else:
                    await self.app(scope, receive, send_wrapped)
            except Exception:
                log.exception("request to %s failed", route)
                if not started[0]:
                    await error_response(500, "internal error", close=True)(scope, receive, send_wrapped)
            finally:
                REQUESTS.labels(route, method if method in _METHODS else "OTHER", str(status[0])).inc()


_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"})
_TIMEOUT_408 = b"HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"


def _protocol(limits: Limits) -> type[asyncio.Protocol]:
    class Protocol(H11Protocol):
        """uvicorn's h11 protocol with a deadline for each request's line and headers."""

        _deadline: asyncio.TimerHandle | None = None
        _seen_cycle: object = None

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._arm()

        def _arm(self) -> None:
            self._disarm()
            self._deadline = self.loop.call_later(limits.header_timeout_s, self._expired)

        def _disarm(self) -> None:
            if self._deadline is not None:
                self._deadline.cancel()
                self._deadline = None

        def _expired(self) -> None:
            self._deadline = None
            waiting = self.cycle is None or self.cycle.response_complete
            if waiting and not self.transport.is_closing():
                REFUSED.labels("header_timeout").inc()
                with contextlib.suppress(Exception):
                    self.transport.write(_TIMEOUT_408)
                self.transport.close()

        def data_received(self, data: bytes) -> None:
            super().data_received(data)
            if self.cycle is not None and self.cycle is not self._seen_cycle:
                self._seen_cycle = self.cycle  # a complete request line and headers arrived
                self._disarm()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if not self.transport.is_closing():
                self._arm()  # the next request on this connection gets its own deadline

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

    return Protocol


class HttpServer:
    """uvicorn on a socket bound now (port 0 picks a free one); blocking or on a thread."""

    def __init__(self, app: ASGIApp, host: str = "127.0.0.1", port: int = 0, limits: Limits | None = None):
        self.limits = limits or Limits()
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.sock = socket.socket(family, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, port))
        self.sock.listen(1024)
        self.sock.set_inheritable(True)
        config = uvicorn.Config(
            app,
            http=_protocol(self.limits),
            lifespan="off",
            log_config=None,
            access_log=False,
            server_header=False,
            timeout_keep_alive=int(max(1, self.limits.keep_alive_s)),
            h11_max_incomplete_event_size=self.limits.max_header_bytes,
            limit_concurrency=self.limits.max_connections,
            timeout_graceful_shutdown=5,
        )
        self.server = uvicorn.Server(config)
        self._thread: threading.Thread | None = None

    @property
    def server_address(self) -> tuple[str, int]:
        host, port = self.sock.getsockname()[:2]
        return str(host), int(port)

    @property
    def url(self) -> str:
        host, port = self.server_address
        return f"http://{host}:{port}"

    def serve_forever(self) -> None:
        """Blocks until `stop()` (or SIGINT / SIGTERM when on the main thread)."""
        self.server.run(sockets=[self.sock])

    def start(self, timeout_s: float = 10.0) -> Self:
        self._thread = threading.Thread(target=self.serve_forever, name="http-server", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout_s
        while not self.server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the HTTP server did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        with contextlib.suppress(OSError):
            self.sock.close()
