"""`POST /api/messages`: the bot's messaging endpoint, a route on the shared server.

Each request is checked in this order; what fails gets its status and goes no further:

1. size and read time (the server's limits: 413, 408);
2. the bearer JWT (`bot/teams/auth.py`): signature against the issuer's published keys, issuer,
   audience = our app id, expiry (401) — before the body is even parsed;
3. the body: UTF-8 JSON, bounded depth and size, a valid activity with what Teams always sends
   (400);
4. the token's `serviceUrl` claim equals the activity's, the URL is an allowed Bot Connector, and
   the signing key is endorsed for the activity's channel (401);
5. the gate (`bot/teams/gate.py`): dedup, rate limit, queue (503 when the queue or Redis is down,
   so the Bot Connector retries).

A message is answered 200 at once; the answer is posted by the job. A card action's invoke is
answered with its invoke response (the card the clicker sees until the job updates it for all).
"""

from __future__ import annotations

import logging
import time

import anyio
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from bot.chat.ingress import read_or_refuse
from bot.serve.server import Limits, error_response
from bot.teams.activity import BadActivity, CardAction, Ignored, Message, loads, parse
from bot.teams.auth import Claims, TokenValidator, Unauthorized
from bot.teams.gate import TeamsGate
from config.metrics import ACK_SECONDS, REFUSED

log = logging.getLogger("cloudpilot.teams.http")

MESSAGES_PATH = "/api/messages"
MAX_BODY = 256 * 1024  # activities are a few KiB; a card action's data is small


class TeamsEndpoint:
    def __init__(self, validator: TokenValidator, gate: TeamsGate, limits: Limits | None = None) -> None:
        self.validator = validator
        self.gate = gate
        self.limits = limits or Limits(max_body=MAX_BODY)

    def routes(self) -> list[BaseRoute]:
        return [Route(MESSAGES_PATH, self.handle, methods=["POST"])]

    async def handle(self, request: Request) -> Response:
        started = time.perf_counter()
        raw = await read_or_refuse(request, self.limits)
        if isinstance(raw, Response):
            return raw
        authorization = request.headers.get("authorization")
        try:
            claims: Claims = await anyio.to_thread.run_sync(self.validator.validate, authorization)
        except Unauthorized as exc:
            REFUSED.labels("teams_token").inc()
            log.warning("refused a Teams request: %s", exc)
            return error_response(401, "unauthorized")
        try:
            parsed = parse(loads(raw))
        except BadActivity as exc:
            REFUSED.labels("payload").inc()
            log.warning("refused an authenticated but malformed activity: %s", exc)
            return error_response(400, str(exc))
        channel_id = parsed.channel_id if isinstance(parsed, Ignored) else parsed.envelope.channel_id
        service_url = parsed.service_url if isinstance(parsed, Ignored) else parsed.envelope.service_url
        try:
            self.validator.check_activity(claims, channel_id, service_url)
        except Unauthorized as exc:
            REFUSED.labels("teams_token").inc()
            log.warning("refused a Teams activity: %s", exc)
            return error_response(401, "unauthorized")
        if channel_id != "msteams":
            return error_response(400, "this bot serves Microsoft Teams only")
        try:
            if isinstance(parsed, Message):
                await anyio.to_thread.run_sync(self.gate.on_message, parsed)
                response: Response = JSONResponse({}, status_code=200)
            elif isinstance(parsed, CardAction):
                result = await anyio.to_thread.run_sync(self.gate.on_card_action, parsed)
                response = JSONResponse(result.body, status_code=result.status)
            else:
                response = JSONResponse({}, status_code=200)
        except Exception:
            log.exception("the Teams gate failed (queue or key store down?)")
            return error_response(503, "temporarily unavailable, try again")
        ACK_SECONDS.labels("teams").observe(time.perf_counter() - started)
        return response
