"""HTTP mode: Events API, slash commands and interactivity on one port (POST /slack/events).

A threaded `http.server`: each request is verified (signature and timestamp) before its body
is parsed, checked for a sane shape, then handed to Bolt, whose listeners only queue work, so
the response (the ack) goes back in milliseconds. GET /health answers "ok" for probes.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from slack_bolt import App, BoltRequest, BoltResponse
from slack_sdk.signature import Clock, SignatureVerifier

log = logging.getLogger("cloudpilot.slack.http")

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/health"
MAX_BODY = 1 << 20  # Slack's payloads are a few KiB


class BadPayload(ValueError):
    pass


class _Clock(Clock):
    def __init__(self, now: Callable[[], float]) -> None:
        self._now_fn = now

    def now(self) -> float:
        return self._now_fn()


def parse_payload(body: str, content_type: str) -> dict[str, Any]:
    """The request as Bolt will see it, or BadPayload: Bolt itself would raise on bad JSON."""
    try:
        if content_type.startswith("application/json") or body.startswith("{"):
            data = json.loads(body)
            if not isinstance(data, dict) or not isinstance(data.get("type"), str):
                raise BadPayload("an Events API body is a JSON object with a type")
            if data["type"] == "event_callback" and not isinstance(data.get("event"), dict):
                raise BadPayload("event_callback without an event")
            return data
        form = dict(parse_qsl(body, keep_blank_values=True))
        if "payload" in form:
            payload = json.loads(form["payload"])
            if not isinstance(payload, dict) or not isinstance(payload.get("type"), str):
                raise BadPayload("an interactivity payload is a JSON object with a type")
            if payload["type"] == "block_actions" and not (
                isinstance(payload.get("user"), dict)
                and isinstance(payload.get("actions"), list)
                and all(isinstance(a, dict) for a in payload["actions"])
            ):
                raise BadPayload("block_actions without a user or actions")
            return payload
        if not form:
            raise BadPayload("empty body")
        return form
    except json.JSONDecodeError as exc:
        raise BadPayload(f"malformed JSON: {exc.msg}") from exc


class SlackHttpServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(
        self,
        app: App,
        signing_secret: str,
        host: str = "127.0.0.1",
        port: int = 0,
        now: Callable[[], float] = time.time,
    ) -> None:
        if not signing_secret:
            raise ValueError("HTTP mode needs the app's signing secret")
        self.bolt = app
        self.verifier = SignatureVerifier(signing_secret, clock=_Clock(now))
        self._thread: threading.Thread | None = None
        super().__init__((host, port), _Handler)

    def verified(self, body: str, headers: dict[str, str]) -> bool:
        timestamp, signature = headers.get("x-slack-request-timestamp"), headers.get("x-slack-signature")
        if not timestamp or not signature or not timestamp.isdigit():
            return False
        return self.verifier.is_valid(body, timestamp, signature)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> None:
        """Serves in a background thread (tests, benchmarks); `serve_forever()` blocks instead."""
        self._thread = threading.Thread(
            target=self.serve_forever, kwargs={"poll_interval": 0.05}, name="slack-http", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: SlackHttpServer

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        log.debug("%s " + format, self.address_string(), *args)

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        if urlsplit(self.path).path == HEALTH_PATH:
            self._send(200, "ok", {"Content-Type": ["text/plain"]})
        else:
            self._send(404, "not found")

    def do_POST(self) -> None:  # noqa: N802
        url = urlsplit(self.path)
        if url.path != EVENTS_PATH:
            self._send(404, "not found")
            return
        try:
            length = int(self.headers.get("Content-Length", ""))
        except ValueError:
            self._send(411, "Content-Length required", close=True)
            return
        if length < 0 or length > MAX_BODY:
            self._send(413, "payload too large", close=True)
            return
        try:
            body = self.rfile.read(length).decode("utf-8")
        except UnicodeDecodeError:
            self._send(400, "body is not UTF-8")
            return
        headers = {k.lower(): v for k, v in self.headers.items()}
        if not self.server.verified(body, headers):
            # Bad or missing signature, or a timestamp more than five minutes off: nothing is parsed.
            self._send(401, '{"error":"invalid request"}', {"Content-Type": ["application/json"]})
            return
        try:
            parse_payload(body, headers.get("content-type", ""))
        except BadPayload as exc:
            log.warning("refused a signed but malformed request: %s", exc)
            self._send(400, json.dumps({"error": str(exc)}), {"Content-Type": ["application/json"]})
            return
        bolt_headers: dict[str, str | Sequence[str]] = dict(headers)
        response = self.server.bolt.dispatch(BoltRequest(body=body, query=url.query, headers=bolt_headers))
        self._reply(response)

    def _reply(self, response: BoltResponse) -> None:
        body = response.body if isinstance(response.body, str) else json.dumps(response.body)
        self._send(response.status, body, {k: list(v) for k, v in response.headers.items()})

    def _send(
        self, status: int, body: str, headers: dict[str, list[str]] | None = None, *, close: bool = False
    ) -> None:
        data = body.encode("utf-8")
        self.send_response(status)
        for name, values in (headers or {}).items():
            if name.lower() in ("content-length", "connection"):
                continue
            for value in values:
                self.send_header(name, value)
        if not headers or not any(k.lower() == "content-type" for k in headers):
            self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(data)
