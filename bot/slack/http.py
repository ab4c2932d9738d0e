"""HTTP mode: Events API, slash commands and interactivity on one route (POST /slack/events).

The route lives on the shared server (`bot/serve/server.py`: uvicorn, limits, /health, /ready,
/metrics). Before anything reaches Bolt, each request is checked in this order, and whatever
fails gets a 4xx:

1. size and read time (the server's limits: 413, 408);
2. the body is UTF-8 (400);
3. `X-Slack-Request-Timestamp` is 1–12 ASCII digits and `X-Slack-Signature` is `v0=` and 64
   lowercase hex digits (401), then the signature and the five-minute window (401);
4. the payload parses — JSON nested at most `MAX_DEPTH` deep, at most `MAX_NODES` values, no
   unpaired surrogates — and the fields Bolt and the gate read have the types Slack sends (400).

Bolt then runs the listeners (in a worker thread: they make a Redis and a queue round trip),
which only queue work, so the response (the ack) goes back in milliseconds.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

import anyio
from slack_bolt import App
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from slack_sdk.signature import Clock, SignatureVerifier
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bot.chat.ingress import check_tree, load_json, read_or_refuse
from bot.serve.server import HttpServer, Limits, ReadyCheck, Service, build_asgi, error_response
from config.metrics import ACK_SECONDS, REFUSED

log = logging.getLogger("cloudpilot.slack.http")

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/health"
MAX_BODY = 1 << 20  # Slack's payloads are a few KiB
MAX_DEPTH = 48  # Block Kit nests a dozen levels at most
MAX_NODES = 50_000

_TIMESTAMP = re.compile(r"^[0-9]{1,12}$")
_SIGNATURE = re.compile(r"^v0=[0-9a-f]{64}$")


class BadPayload(ValueError):
    pass


class _Clock(Clock):
    def __init__(self, now: Callable[[], float]) -> None:
        self._now_fn = now

    def now(self) -> float:
        return self._now_fn()


# -- payload checks -----------------------------------------------------------------------------
_STR_KEYS = (
    "type",
    "token",
    "team_id",
    "enterprise_id",
    "api_app_id",
    "event_id",
    "user_id",
    "channel_id",
    "trigger_id",
    "response_url",
    "context_team_id",
    "context_enterprise_id",
    "thread_ts",
    "ts",
    "event_ts",
    "text",
    "subtype",
    "bot_id",
    "channel_type",
    "user_team",
    "function_execution_id",
    "bot_access_token",
    "command",
    "challenge",
    "app_installed_team_id",
    "action_id",
    "block_id",
    "value",
    "action_ts",
    "message_ts",
    "id",
)
_DICT_KEYS = (
    "event",
    "view",
    "message",
    "previous_message",
    "item",
    "assistant_thread",
    "function_data",
    "container",
    "state",
    "inputs",
)
_ID_KEYS = ("team", "enterprise", "user", "channel")


def _walk(data: Any) -> None:
    check_tree(data, max_depth=MAX_DEPTH, max_nodes=MAX_NODES, error=BadPayload, what="payload")


def _fields(obj: dict[str, Any], where: str) -> None:
    """The fields Bolt's context extraction, its matchers and the gate read, typed as Slack sends them."""
    for key in _STR_KEYS:
        value = obj.get(key)
        if value is not None and not isinstance(value, str):
            raise BadPayload(f"{where}.{key} must be a string")
    for key in _DICT_KEYS:
        value = obj.get(key)
        if value is not None and not isinstance(value, dict):
            raise BadPayload(f"{where}.{key} must be an object")
    for key in _ID_KEYS:
        value = obj.get(key)
        if value is None or isinstance(value, str):
            continue
        if not isinstance(value, dict):
            raise BadPayload(f"{where}.{key} must be a string or an object")
        for sub in ("id", "team_id", "enterprise_id"):
            if value.get(sub) is not None and not isinstance(value[sub], str):
                raise BadPayload(f"{where}.{key}.{sub} must be a string")
    for key in ("is_enterprise_install", "is_ext_shared_channel"):
        if obj.get(key) is not None and not isinstance(obj[key], (bool, str)):
            raise BadPayload(f"{where}.{key} must be a boolean")
    auths = obj.get("authorizations")
    if auths is not None:
        if not isinstance(auths, list) or not all(isinstance(a, dict) for a in auths):
            raise BadPayload(f"{where}.authorizations must be a list of objects")
        for i, auth in enumerate(auths[:5]):
            _fields(auth, f"{where}.authorizations[{i}]")
    urls = obj.get("response_urls")
    if urls is not None and not (
        isinstance(urls, list)
        and all(isinstance(u, dict) and isinstance(u.get("response_url"), str) for u in urls)
    ):
        raise BadPayload(f"{where}.response_urls must be a list of objects with a response_url")
    for key in ("event", "view", "message", "previous_message", "item", "assistant_thread", "container"):
        nested = obj.get(key)
        if isinstance(nested, dict) and where.count(".") < 3:
            _fields(nested, f"{where}.{key}")


def _check_object(data: Any, what: str) -> dict[str, Any]:
    if not isinstance(data, dict) or not isinstance(data.get("type"), str):
        raise BadPayload(f"{what} is a JSON object with a type")
    _walk(data)
    _fields(data, "payload")
    return data


def _loads(text: str) -> Any:
    return load_json(text, BadPayload, "payload")


def parse_payload(body: str, content_type: str) -> dict[str, Any]:
    """The request as Bolt will parse it (same branches as `slack_bolt.request.internals.parse_body`),
    checked; BadPayload when it is not something Slack sends."""
    media = content_type.split(";")[0].strip().lower()
    if media == "application/json" or body.startswith("{"):
        data = _check_object(_loads(body), "an Events API body")
        if data["type"] == "event_callback":
            event = data.get("event")
            if not isinstance(event, dict) or not isinstance(event.get("type"), str):
                raise BadPayload("event_callback without an event")
        return data
    form = dict(parse_qsl(body, keep_blank_values=True))
    if "payload" in body:
        if "payload" not in form:
            raise BadPayload("an interactivity body carries a payload field")
        payload = _check_object(_loads(form["payload"]), "an interactivity payload")
        if payload["type"] == "block_actions":
            user, actions = payload.get("user"), payload.get("actions")
            if not (
                isinstance(user, dict)
                and isinstance(user.get("id"), str)
                and isinstance(actions, list)
                and actions
                and all(isinstance(a, dict) and isinstance(a.get("action_id"), str) for a in actions)
                and all(
                    isinstance(payload.get(k), (dict, type(None)))
                    for k in ("channel", "message", "container")
                )
            ):
                raise BadPayload("block_actions without a user or actions")
            for i, action in enumerate(actions[:5]):
                _fields(action, f"payload.actions[{i}]")
        return payload
    if not form:
        raise BadPayload("empty body")
    return form


# -- the route ----------------------------------------------------------------------------------
class SlackEndpoint:
    """`POST /slack/events`: the checks above, then Bolt."""

    def __init__(
        self,
        app: App,
        signing_secret: str,
        now: Callable[[], float] = time.time,
        limits: Limits | None = None,
    ) -> None:
        if not signing_secret:
            raise ValueError("HTTP mode needs the app's signing secret")
        self.bolt = app
        self.verifier = SignatureVerifier(signing_secret, clock=_Clock(now))
        self.limits = limits or Limits(max_body=MAX_BODY)

    def verified(self, body: str, timestamp: str | None, signature: str | None) -> bool:
        if not timestamp or not signature:
            return False
        if not _TIMESTAMP.match(timestamp) or not _SIGNATURE.match(signature):
            return False
        return self.verifier.is_valid(body, timestamp, signature)

    def routes(self) -> list[BaseRoute]:
        return [Route(EVENTS_PATH, self.handle, methods=["POST"])]

    async def handle(self, request: Request) -> Response:
        started = time.perf_counter()
        raw = await read_or_refuse(request, self.limits)
        if isinstance(raw, Response):
            return raw
        try:
            body = raw.decode("utf-8")
        except UnicodeDecodeError:
            REFUSED.labels("encoding").inc()
            return error_response(400, "body is not UTF-8")
        headers = request.headers
        if not self.verified(
            body, headers.get("x-slack-request-timestamp"), headers.get("x-slack-signature")
        ):
            # Bad or missing signature, or a timestamp more than five minutes off: nothing is parsed.
            REFUSED.labels("signature").inc()
            return error_response(401, "invalid request")
        try:
            parse_payload(body, headers.get("content-type", ""))
        except BadPayload as exc:
            REFUSED.labels("payload").inc()
            log.warning("refused a signed but malformed request: %s", exc)
            return error_response(400, str(exc))
        try:
            bolt_request = to_bolt_request(request, raw)
        except Exception as exc:  # whatever the checks above missed: still the client's payload
            REFUSED.labels("payload").inc()
            log.warning("Bolt could not read a signed request: %s", exc)
            return error_response(400, "unreadable payload")
        response = await anyio.to_thread.run_sync(self.bolt.dispatch, bolt_request)
        ACK_SECONDS.labels("slack").observe(time.perf_counter() - started)
        if response.status >= 500:
            # A listener failed: the queue or Redis is unreachable. Slack retries a 5xx later.
            return error_response(503, "temporarily unavailable, try again")
        return to_starlette_response(response)


class SlackHttpServer(HttpServer):
    """The shared server hosting the Slack route (tests, benchmarks and `serve slack`)."""

    def __init__(
        self,
        app: App,
        signing_secret: str,
        host: str = "127.0.0.1",
        port: int = 0,
        now: Callable[[], float] = time.time,
        *,
        limits: Limits | None = None,
        ready_checks: dict[str, ReadyCheck] | None = None,
        on_scrape: list[Callable[[], None]] | None = None,
        routes: list[BaseRoute] | None = None,
    ) -> None:
        limits = limits or Limits(max_body=MAX_BODY)
        self.endpoint = SlackEndpoint(app, signing_secret, now, limits)
        service = Service(
            routes=[*self.endpoint.routes(), *(routes or [])],
            ready_checks=dict(ready_checks or {}),
            on_scrape=list(on_scrape or []),
            limits=limits,
        )
        super().__init__(build_asgi(service), host, port, limits)
