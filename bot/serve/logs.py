"""Structured JSON logs, one object per line, with the request / turn id they belong to.

The ingress sets `request_id` for each request; it travels inside the job to the worker, which
sets it again (and `turn_id`, the job's key) while the job runs, so every line logged on the
way — ingress, worker, agent, tool — carries the same id. Secrets are masked by
`config.redact.RedactingFilter` before formatting.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from config.redact import RedactingFilter, mask_url

request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
turn_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("turn_id", default=None)

_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
_STD = frozenset(vars(logging.makeLogRecord({})).keys()) | {"message", "asctime"}


def new_request_id() -> str:
    return "req-" + uuid.uuid4().hex[:16]


def clean_id(value: str | None) -> str | None:
    """A caller-supplied id (X-Request-Id) if it is short and plain, else None."""
    return value if value and _ID.match(value) else None


@contextmanager
def bound(request: str | None = None, turn: str | None = None) -> Iterator[None]:
    """Sets the ids for the code inside the block (this thread / task)."""
    tokens = []
    if request is not None:
        tokens.append((request_id, request_id.set(request)))
    if turn is not None:
        tokens.append((turn_id, turn_id.set(turn)))
    try:
        yield
    finally:
        for var, token in reversed(tokens):
            var.reset(token)


class JsonFormatter(logging.Formatter):
    """`{"ts", "level", "logger", "msg", "request_id", "turn_id", ...extra, "exc"}`."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        rid, tid = request_id.get(), turn_id.get()
        if rid:
            out["request_id"] = rid
        if tid:
            out["turn_id"] = tid
        for key, value in vars(record).items():
            if key not in _STD and not key.startswith("_") and key not in out:
                out[key] = (
                    value if isinstance(value, (int, float, bool, type(None))) else mask_url(str(value))
                )
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            out["exc"] = record.exc_text
        return json.dumps(out, ensure_ascii=False, default=str)


def setup_json_logging(level: str = "INFO", stream: Any = None) -> logging.Handler:
    """Replaces the root logger's handlers with one JSON handler (with redaction)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RedactingFilter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    return handler
