"""Who an MCP call comes from.

- stdio: the server runs as a local process of one person, so it acts as the terminal does
  (`CliState.identity`): `--as` in the sandbox, the OS user mapped through `[identities]`
  against a real account.
- HTTP: every request carries `Authorization: Bearer <token>`; the settings map the token's
  SHA-256 to a person (`[mcp.tokens]`, config/mcp.py), and the name is made canonical through
  `[identities]`. A request without a known token never reaches the server (401).

Either way the caller's channel is `mcp-<user>`, so `access.rules` can name MCP users as they
name chat channels, and approvals compare the same person as in Slack or the terminal.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Literal

from mcp.server.auth.middleware.bearer_auth import AuthenticatedUser
from mcp.server.auth.provider import AccessToken

from agent.messages import ChatMessage
from config.identity import Identities, IdentityError
from config.mcp import McpSettings, token_hash

log = logging.getLogger("cloudpilot.mcp")

# The one scope a CloudPilot token carries; the HTTP endpoint requires it.
SCOPE = "cloudpilot"

Transport = Literal["stdio", "http"]


@dataclass(frozen=True)
class Caller:
    """A canonical user and how they reached the server."""

    user: str
    transport: Transport
    thread: str

    @property
    def channel(self) -> str:
        """The access policy's channel for this user's MCP calls."""
        return f"mcp-{self.user}"

    @property
    def conversation_id(self) -> str:
        return self.message("").conversation_id

    def message(self, text: str) -> ChatMessage:
        return ChatMessage(
            user=self.user, channel=self.channel, thread=self.thread, text=text[:8000], platform="mcp"
        )


class TokenTable:
    """The SDK's `TokenVerifier` over the settings' hashed tokens."""

    def __init__(self, settings: McpSettings, identities: Identities) -> None:
        self._settings = settings
        self._identities = identities

    async def verify_token(self, token: str) -> AccessToken | None:
        name = self._settings.user_for(token)
        if name is None:
            # Logged, not audited: unauthenticated requests must not be able to grow the audit chain.
            log.warning(
                "MCP request with an unknown bearer token (sha256 %s…) refused", token_hash(token)[:8]
            )
            return None
        try:
            user = self._identities.canonical(name)
        except IdentityError as exc:  # settings validate names; an edited table could still break one
            log.warning("MCP token maps to an unusable name: %s", exc)
            return None
        # The SDK keeps the token with the session; only its hash is kept here.
        return AccessToken(token=token_hash(token), client_id=user, scopes=[SCOPE], subject=user)


def http_user(request: Any) -> str | None:
    """The canonical user the bearer middleware authenticated for this HTTP request."""
    scope = getattr(request, "scope", None)
    user = scope.get("user") if isinstance(scope, dict) else None
    if isinstance(user, AuthenticatedUser):
        return user.access_token.client_id
    return None
