"""An OpenAI-compatible chat-completions server on 127.0.0.1 that answers from a script.

It speaks the real wire protocol (POST /v1/chat/completions, JSON in and out), so the client the
runtime builds (`langchain_openai.ChatOpenAI` via `tools/chat_model.py`) is exercised as it is.
Every request body is kept, so a test can read what the model was sent.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class FakeOpenAI:
    def __init__(self, *replies: str) -> None:
        self.replies = list(replies)
        self.requests: list[dict[str, Any]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or b"{}")
                if not self.path.endswith("/chat/completions") or not outer.replies:
                    self._send(404 if outer.replies else 500, {"error": {"message": "no reply scripted"}})
                    return
                outer.requests.append(body)
                text = outer.replies.pop(0)
                self._send(
                    200,
                    {
                        "id": f"chatcmpl-{len(outer.requests)}",
                        "object": "chat.completion",
                        "created": 1_700_000_000,
                        "model": body.get("model", "fake"),
                        "choices": [
                            {
                                "index": 0,
                                "message": {"role": "assistant", "content": text},
                                "finish_reason": "stop",
                            }
                        ],
                        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                    },
                )

            def _send(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def messages(self, i: int) -> list[dict[str, Any]]:
        """The chat messages of the i-th request."""
        return list(self.requests[i]["messages"])

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
