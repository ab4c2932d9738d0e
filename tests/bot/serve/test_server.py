"""The shared HTTP server: health, readiness, metrics, methods, limits and deadlines."""

from __future__ import annotations

import http.client
import io
import json
import logging
import socket
import time
from collections.abc import Iterator

import pytest
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from bot.serve.logs import JsonFormatter, bound
from bot.serve.server import HttpServer, Limits, Service, build_asgi, error_response, read_body
from config.metrics import REGISTRY, observe_ingest, observe_llm, observe_scan
from config.redact import RedactingFilter

LIMITS = Limits(
    max_body=1000, max_headers=30, max_header_bytes=4096, header_timeout_s=1.0, read_timeout_s=1.0
)


async def echo(request: Request) -> Response:
    try:
        body = await read_body(request, LIMITS)
    except Exception as exc:
        status = getattr(exc, "status", 400)
        return error_response(status, str(exc), close=status != 400)
    return PlainTextResponse(f"{len(body)} bytes, request {request.scope['state']['request_id']}")


@pytest.fixture
def state() -> dict[str, bool]:
    return {"db": True}


@pytest.fixture
def server(state: dict[str, bool]) -> Iterator[HttpServer]:
    def database() -> None:
        if not state["db"]:
            raise ConnectionError("down")

    service = Service(
        routes=[Route("/echo", echo, methods=["POST"])],
        ready_checks={"database": database, "queue": lambda: True},
        limits=LIMITS,
    )
    srv = HttpServer(build_asgi(service), "127.0.0.1", 0, LIMITS).start()
    yield srv
    srv.stop()


def request(
    srv: HttpServer, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    host, port = srv.server_address
    conn = http.client.HTTPConnection(host, port, timeout=5)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def test_health_and_ready(server: HttpServer, state: dict[str, bool]) -> None:
    assert request(server, "GET", "/health")[::2] == (200, b"ok")
    status, _, body = request(server, "GET", "/ready")
    assert status == 200 and json.loads(body) == {"ready": True, "checks": {"database": "ok", "queue": "ok"}}
    state["db"] = False
    status, _, body = request(server, "GET", "/ready")
    assert status == 503
    assert json.loads(body)["checks"]["database"].startswith("unavailable")


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH", "OPTIONS", "GET"])
def test_wrong_method_is_405_unknown_path_404(server: HttpServer, method: str) -> None:
    status, headers, _ = request(server, method, "/echo")
    assert status == 405 and "POST" in headers.get("allow", "")
    assert request(server, method, "/nowhere")[0] == 404
    assert request(server, "POST", "/health")[0] == 405


def test_request_id_is_kept_or_made(server: HttpServer) -> None:
    status, headers, body = request(server, "POST", "/echo", b"abc", {"X-Request-Id": "abc-123"})
    assert status == 200 and headers["x-request-id"] == "abc-123" and b"request abc-123" in body
    _, headers, _ = request(server, "POST", "/echo", b"abc", {"X-Request-Id": "bad id\u00e9"})
    assert headers["x-request-id"].startswith("req-")


def test_header_and_body_limits(server: HttpServer) -> None:
    assert request(server, "POST", "/echo", b"x" * 1001)[0] == 413
    headers = {f"X-H{i}": "v" for i in range(40)}
    assert request(server, "POST", "/echo", b"x", headers)[0] == 431
    assert request(server, "POST", "/echo", b"x", {"X-Big": "v" * 5000})[0] in (400, 431)
    assert request(server, "POST", "/echo", b"x", {"Content-Length": "1e3"})[0] in (400, 411)


def _raw(srv: HttpServer) -> socket.socket:
    sock = socket.create_connection(srv.server_address, timeout=10)
    return sock


def _read_until_closed(sock: socket.socket, limit_s: float) -> tuple[bytes, float]:
    start = time.monotonic()
    data = b""
    sock.settimeout(limit_s)
    while True:
        try:
            chunk = sock.recv(4096)
        except TimeoutError:
            raise AssertionError(f"still open after {limit_s} s; got {data!r}") from None
        if not chunk:
            return data, time.monotonic() - start
        data += chunk


def test_slow_bodies_are_answered_408_and_closed_within_the_read_timeout(server: HttpServer) -> None:
    socks = []
    for _ in range(20):
        sock = _raw(server)
        sock.sendall(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nx")
        socks.append(sock)
    for sock in socks:
        data, waited = _read_until_closed(sock, LIMITS.read_timeout_s + 3)
        assert data.startswith(b"HTTP/1.1 408"), data
        assert waited <= LIMITS.read_timeout_s + 2
        sock.close()
    assert request(server, "GET", "/health")[0] == 200  # and the server is fine


def test_slow_headers_and_idle_connections_are_closed(server: HttpServer) -> None:
    trickle = _raw(server)
    trickle.sendall(b"POST /echo HTTP/1.1\r\nHost: x\r\n")  # never finishes its headers
    idle = _raw(server)  # sends nothing at all
    for sock in (trickle, idle):
        data, waited = _read_until_closed(sock, LIMITS.header_timeout_s + 3)
        assert data.startswith(b"HTTP/1.1 408") and waited <= LIMITS.header_timeout_s + 2
        sock.close()


def test_metrics_are_scraped(server: HttpServer) -> None:
    observe_llm("openai", 0.4)
    observe_llm("openai", 2.0, error="timeout")
    observe_scan(1.5)
    observe_ingest("cost", 0.3)
    request(server, "GET", "/health")
    status, headers, body = request(server, "GET", "/metrics")
    assert status == 200 and headers["content-type"].startswith("text/plain")
    text = body.decode()
    for name in (
        'cloudpilot_http_requests_total{method="GET",route="/health",status="200"}',
        "cloudpilot_ack_seconds",
        "cloudpilot_queue_depth",
        "cloudpilot_queue_oldest_age_seconds",
        "cloudpilot_turns_total",
        "cloudpilot_approvals",
        'cloudpilot_llm_seconds_count{provider="openai"}',
        'cloudpilot_llm_errors_total{kind="timeout",provider="openai"}',
        "cloudpilot_scan_seconds_count",
        'cloudpilot_ingest_seconds_count{kind="cost"}',
    ):
        assert name in text, name
    assert REGISTRY.get_sample_value("cloudpilot_scan_seconds_count") is not None


def test_json_logs_carry_the_ids_and_hide_secrets() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RedactingFilter())
    logger = logging.getLogger("cloudpilot.test-json")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        with bound(request="req-1", turn="msg:C1:1.0"):
            logger.info("calling with key %s", "AKIAABCDEFGHIJKLMNOP", extra={"tool": "cost_query"})
    finally:
        logger.removeHandler(handler)
    line = json.loads(stream.getvalue())
    assert line["request_id"] == "req-1" and line["turn_id"] == "msg:C1:1.0" and line["tool"] == "cost_query"
    assert "AKIAABCDEFGHIJKLMNOP" not in line["msg"] and line["level"] == "INFO"
