"""A fake Slack Web API on 127.0.0.1 that records every call and answers plausible JSON.

It stands in for slack.com at the edge (as moto does for AWS): the app's real WebClient talks
HTTP to it. files_upload_v2's upload URL points back here; response_url posts land here too.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit


@dataclass
class Call:
    method: str  # Web API method ("chat.postMessage"), or "upload" / "respond"
    args: dict[str, Any]
    token: str | None = None
    raw: bytes = b""


@dataclass
class FakeSlack:
    """State the tests can shape: group members, channels the bot may not post in."""

    team_id: str = "T0001"
    bot_user_id: str = "UBOT"
    bot_id: str = "BBOT"
    usergroups: dict[str, tuple[str, list[str]]] = field(default_factory=dict)  # id -> (handle, members)
    not_in_channel: set[str] = field(default_factory=set)
    failures: dict[str, str] = field(default_factory=dict)  # method -> Slack error code
    calls: list[Call] = field(default_factory=list)
    # Messages as conversations.history / replies return them (ts -> message, with metadata).
    messages: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _ts: Any = field(default_factory=lambda: itertools.count(1))
    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> FakeSlack:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

            def do_GET(self) -> None:  # noqa: N802 - counts per method, for the benchmark
                data = json.dumps(fake.counts()).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:  # noqa: N802
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status, body = fake._handle(self.path, dict(self.headers.items()), raw)
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def api_url(self) -> str:
        return self.url + "/api/"

    # -- queries -----------------------------------------------------------------------------
    def of(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def methods(self) -> list[str]:
        with self._lock:
            return [c.method for c in self.calls]

    def counts(self) -> dict[str, int]:
        with self._lock:
            out: dict[str, int] = {}
            for c in self.calls:
                out[c.method] = out.get(c.method, 0) + 1
            return out

    def clear(self) -> None:
        with self._lock:
            self.calls.clear()

    def where(self, method: str, pred: Callable[[dict[str, Any]], bool]) -> list[Call]:
        return [c for c in self.of(method) if pred(c.args)]

    # -- the API -----------------------------------------------------------------------------
    def _next_ts(self) -> str:
        return f"1700000000.{next(self._ts):06d}"

    def _handle(self, path: str, headers: dict[str, str], raw: bytes) -> tuple[int, str]:
        url = urlsplit(path)
        if url.path.startswith("/upload/"):
            self._record(Call("upload", {"file_id": url.path.rsplit("/", 1)[-1]}, raw=raw))
            return 200, "OK"
        if url.path.startswith("/respond/"):
            self._record(Call("respond", json.loads(raw or b"{}"), raw=raw))
            return 200, "ok"
        method = url.path.removeprefix("/api/")
        args = _args(headers, raw, url.query)
        token = (headers.get("Authorization") or headers.get("authorization") or "").removeprefix("Bearer ")
        self._record(Call(method, args, token=token or args.get("token"), raw=raw))
        return 200, json.dumps(self._answer(method, args))

    def _record(self, call: Call) -> None:
        with self._lock:
            self.calls.append(call)

    def _answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        if method in self.failures:
            return {"ok": False, "error": self.failures[method]}
        if method == "auth.test":
            return {
                "ok": True,
                "url": "https://example.slack.com/",
                "team": "Example",
                "user": "cloudpilot",
                "team_id": self.team_id,
                "user_id": self.bot_user_id,
                "bot_id": self.bot_id,
            }
        if method == "chat.postMessage":
            channel = str(args.get("channel"))
            if channel in self.not_in_channel:
                return {"ok": False, "error": "not_in_channel"}
            ts = self._next_ts()
            message = {"type": "message", "text": args.get("text"), "ts": ts, "bot_id": self.bot_id}
            if args.get("thread_ts"):
                message["thread_ts"] = args["thread_ts"]
            metadata = args.get("metadata")
            if isinstance(metadata, str):
                with contextlib.suppress(json.JSONDecodeError):
                    metadata = json.loads(metadata)
            if isinstance(metadata, dict):
                message["metadata"] = metadata
            with self._lock:
                self.messages[(channel, ts)] = message
            return {"ok": True, "channel": channel, "ts": ts, "message": message}
        if method in ("conversations.replies", "conversations.history"):
            channel, root = str(args.get("channel")), args.get("ts")
            with self._lock:
                history = method == "conversations.history"
                found = [
                    m
                    for (c, _), m in sorted(self.messages.items())
                    if c == channel and (history or root in (m["ts"], m.get("thread_ts")))
                ]
            return {"ok": True, "messages": found, "has_more": False}
        if method == "chat.update":
            return {
                "ok": True,
                "channel": args.get("channel"),
                "ts": args.get("ts"),
                "text": args.get("text"),
            }
        if method == "conversations.open":
            # The DM with a user is one channel, the same on every call.
            return {"ok": True, "channel": {"id": "D" + str(args.get("users") or "").split(",")[0]}}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": self._next_ts()}
        if method == "usergroups.list":
            with_users = str(args.get("include_users")).lower() in ("1", "true")
            return {
                "ok": True,
                "usergroups": [
                    {"id": gid, "handle": handle, **({"users": list(users)} if with_users else {})}
                    for gid, (handle, users) in self.usergroups.items()
                ],
            }
        if method == "usergroups.users.list":
            group = self.usergroups.get(str(args.get("usergroup")))
            if group is None:
                return {"ok": False, "error": "no_such_subteam"}
            return {"ok": True, "users": group[1]}
        if method == "files.getUploadURLExternal":
            file_id = f"F{next(self._ts):06d}"
            return {"ok": True, "upload_url": f"{self.url}/upload/{file_id}", "file_id": file_id}
        if method == "files.completeUploadExternal":
            files = args.get("files")
            items = json.loads(files) if isinstance(files, str) else files or []
            return {"ok": True, "files": [{"id": f.get("id"), "title": f.get("title")} for f in items]}
        return {"ok": True}


def _args(headers: dict[str, str], raw: bytes, query: str) -> dict[str, Any]:
    content_type = (headers.get("Content-Type") or headers.get("content-type") or "").lower()
    args: dict[str, Any] = dict(parse_qsl(query))
    if "json" in content_type:
        args.update(json.loads(raw or b"{}"))
    elif raw:
        args.update(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))
    for key in ("blocks", "files"):
        if isinstance(args.get(key), str):
            with contextlib.suppress(json.JSONDecodeError):
                args[key] = json.loads(args[key])
    return args
