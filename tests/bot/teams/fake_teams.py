"""Microsoft's side of a Teams bot, on 127.0.0.1: a token issuer and a Bot Connector service.

- the issuer: OpenID metadata (`/issuer/openidconfiguration`), its JWKS (`/issuer/keys`, RSA keys
  endorsed for `msteams`), a client-credentials token endpoint (`/issuer/token`), and `mint()`
  to sign the tokens the Bot Connector would send to the bot;
- the Bot Connector (serviceUrl `<url>/connector/`): `POST /v3/conversations`, `POST` / `PUT`
  `/v3/conversations/{id}/activities[/{activityId}]`, `GET /v3/conversations/{team}/members/{user}`;
- Microsoft Graph (`<url>/graph`): `POST /users/{id}/checkMemberGroups`.

Every request is recorded (`calls`), with the bearer token it carried, so tests can see what the
bot sent where, and that it authenticated.
"""

from __future__ import annotations

import base64
import itertools
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

BOT_FRAMEWORK_ISSUER = "https://api.botframework.com"


def _b64(n: int) -> str:
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@dataclass
class Call:
    method: str
    path: str
    body: Any
    token: str | None


@dataclass
class FakeTeams:
    """`members`: team id -> the object ids in it; `entra`: group id -> object ids."""

    app_id: str = "00000000-0000-0000-0000-00000000b07a"
    app_password: str = "test-secret"
    members: dict[str, set[str]] = field(default_factory=dict)
    entra: dict[str, set[str]] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    failures: dict[str, int] = field(default_factory=dict)  # method -> status to answer with
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _ids: Any = field(default_factory=lambda: itertools.count(1))
    _server: ThreadingHTTPServer | None = None

    def __post_init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = "test-key-1"
        self.other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.issued: list[str] = []
        self.key_fetches = 0
        self.entra_issuer = "https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/v2.0"

    # -- lifecycle -------------------------------------------------------------------------------
    def start(self) -> FakeTeams:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

            def _go(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status, body = fake._handle(self.command, self.path, dict(self.headers.items()), raw)
                data = json.dumps(body).encode() if body is not None else b""
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = _go  # noqa: N815

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
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
    def service_url(self) -> str:
        return f"{self.url}/connector/"

    @property
    def metadata_url(self) -> str:
        return f"{self.url}/issuer/openidconfiguration"

    def settings(self, **extra: Any) -> dict[str, Any]:
        """The `[teams]` settings that point the bot here."""
        return {
            "app_id": self.app_id,
            "app_password": self.app_password,
            "openid_metadata_url": self.metadata_url,
            "token_url": f"{self.url}/issuer/token",
            "graph_url": f"{self.url}/graph",
            "allowed_service_urls": [self.service_url],
            **extra,
        }

    # -- tokens ----------------------------------------------------------------------------------
    def mint(
        self,
        *,
        audience: str | None = None,
        issuer: str = BOT_FRAMEWORK_ISSUER,
        service_url: str | None = None,
        expires_in: int = 3600,
        not_before: int | None = None,
        kid: str | None = None,
        key: Any = None,
        algorithm: str = "RS256",
        drop: tuple[str, ...] = (),
    ) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": issuer,
            "aud": audience or self.app_id,
            "exp": now + expires_in,
            "nbf": not_before if not_before is not None else now - 10,
            "serviceurl": service_url or self.service_url,
        }
        for name in drop:
            claims.pop(name, None)
        signing = key or self.key
        if algorithm == "HS256":
            return jwt.encode(
                claims,
                "not-a-key-anyone-trusts-0123456789ab",
                algorithm="HS256",
                headers={"kid": kid or self.kid},
            )
        return jwt.encode(claims, signing, algorithm=algorithm, headers={"kid": kid or self.kid})

    def _jwks(self) -> dict[str, Any]:
        numbers = self.key.public_key().public_numbers()
        return {
            "keys": [
                {
                    "kty": "RSA",
                    "use": "sig",
                    "kid": self.kid,
                    "n": _b64(numbers.n),
                    "e": _b64(numbers.e),
                    "endorsements": ["msteams", "skype"],
                }
            ]
        }

    # -- requests --------------------------------------------------------------------------------
    def _handle(self, method: str, path: str, headers: dict[str, str], raw: bytes) -> tuple[int, Any]:
        route = urlsplit(path).path
        auth = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
        token = auth.split(" ", 1)[1] if auth.lower().startswith("bearer ") else None
        if route == "/issuer/openidconfiguration":
            return 200, {
                "issuer": BOT_FRAMEWORK_ISSUER,
                "jwks_uri": f"{self.url}/issuer/keys",
                "id_token_signing_alg_values_supported": ["RS256"],
            }
        if route == "/issuer/keys":
            self.key_fetches += 1
            return 200, self._jwks()
        if route == "/entra/openid-configuration":  # a tenant's Entra ID metadata (single-tenant bots)
            return 200, {"issuer": self.entra_issuer, "jwks_uri": f"{self.url}/entra/keys"}
        if route == "/entra/keys":
            keys = self._jwks()
            for key in keys["keys"]:
                key.pop("endorsements")
            return 200, keys
        if route == "/issuer/token":
            form = dict(parse_qsl(raw.decode()))
            self._record(Call(method, route, form, None))
            if form.get("client_id") != self.app_id or form.get("client_secret") != self.app_password:
                return 401, {"error": "invalid_client"}
            issued = f"access-{uuid.uuid4().hex}"
            self.issued.append(issued)
            return 200, {"access_token": issued, "expires_in": 3600, "token_type": "Bearer"}
        body = json.loads(raw) if raw else None
        self._record(Call(method, unquote(route), body, token))
        if token not in self.issued:
            return 401, {"error": {"code": "Unauthorized"}}
        failing = self.failures.get(method)
        if failing:
            return failing, {"error": {"code": "Failure"}}
        if route.startswith("/graph/users/") and route.endswith("/checkMemberGroups"):
            user = unquote(route.split("/")[3])
            wanted = (body or {}).get("groupIds") or []
            return 200, {"value": [g for g in wanted if user in self.entra.get(g, set())]}
        if not route.startswith("/connector/v3/conversations"):
            return 404, {"error": {"code": "NotFound"}}
        rest = unquote(route[len("/connector/v3/conversations") :]).strip("/")
        if method == "POST" and not rest:
            return 201, {"id": f"a:dm-{next(self._ids)}"}
        parts = rest.split("/")
        if method == "GET" and len(parts) == 3 and parts[1] == "members":
            team, user = parts[0], parts[2]
            if user in self.members.get(team, set()):
                return 200, {"id": f"29:{user}", "aadObjectId": user}
            return 404, {"error": {"code": "MemberNotFoundInConversation"}}
        if method in ("POST", "PUT") and len(parts) >= 2 and parts[1] == "activities":
            activity_id = parts[2] if len(parts) > 2 and method == "PUT" else f"1{next(self._ids):012d}"
            return 200, {"id": activity_id}
        return 404, {"error": {"code": "NotFound"}}

    def _record(self, call: Call) -> None:
        with self._lock:
            self.calls.append(call)

    # -- for assertions --------------------------------------------------------------------------
    def sent(self, method: str = "POST") -> list[Call]:
        with self._lock:
            return [
                c
                for c in self.calls
                if c.method == method and "/activities" in c.path and (c.body or {}).get("type") == "message"
            ]

    def texts(self, method: str = "POST") -> list[str]:
        """Every TextBlock of every card sent, one string per message."""
        return [json.dumps(c.body) for c in self.sent(method)]

    def to_connector(self) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.path.startswith("/connector/")]
