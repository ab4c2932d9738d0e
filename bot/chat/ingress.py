"""What every platform's route checks first, before its own verification: the body's size and
read time, and a parsed JSON payload's shape (bounded depth and size, plain strings).

Each platform raises its own error type (Slack's `BadPayload`, Teams' `BadActivity`), so its
route answers 400 with the reason; `what` names the payload in that reason.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from bot.serve.server import BodyError, Limits, error_response, read_body
from config.metrics import REFUSED


async def read_or_refuse(request: Request, limits: Limits) -> bytes | Response:
    """The body, or the response refusing it (413 too large, 408 too slow: the connection is
    closed; 400 when the client went away or lied about its length)."""
    try:
        return await read_body(request, limits)
    except BodyError as exc:
        REFUSED.labels(f"body_{exc.status}").inc()
        return error_response(exc.status, exc.reason, close=exc.status != 400)


def check_tree(data: Any, *, max_depth: int, max_nodes: int, error: type[ValueError], what: str) -> None:
    """Depth, size and string checks over a whole parsed payload, keys included, without
    recursion (a deep payload cannot exhaust the stack)."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    nodes = 0
    while stack:
        value, depth = stack.pop()
        nodes += 1
        if nodes > max_nodes:
            raise error(f"{what} has too many values")
        if isinstance(value, str):
            _plain(value, error, what)
        elif isinstance(value, dict):
            if depth > max_depth:
                raise error(f"{what} is nested too deeply")
            for k, v in value.items():
                _plain(k, error, what)
                stack.append((v, depth + 1))
        elif isinstance(value, list):
            if depth > max_depth:
                raise error(f"{what} is nested too deeply")
            stack.extend((v, depth + 1) for v in value)


def _plain(text: str, error: type[ValueError], what: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise error(f"{what} has an unpaired surrogate") from None


def load_json(text: str, error: type[ValueError], what: str) -> Any:
    """`json.loads`, with what goes wrong (bad JSON, nesting past the parser's recursion limit, an
    integer too long to convert) as `error`."""
    try:
        return json.loads(text)
    except RecursionError:
        raise error(f"{what} is nested too deeply") from None
    except ValueError as exc:  # JSONDecodeError, or an integer too long to convert
        raise error(f"malformed JSON: {getattr(exc, 'msg', exc)}") from None
