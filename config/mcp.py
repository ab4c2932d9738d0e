"""Settings of `cloudpilot serve mcp` (the Model Context Protocol server, docs/MCP.md).

Over HTTP every request carries a bearer token, one per person. The settings keep only the
SHA-256 of each token (hex), never the token itself, so a leaked settings file or `config show`
gives nobody a usable token:

    [mcp.tokens]
    "3f0a…64 hex digits…" = "alice"      # sha256 of alice's token -> who she is

The name is mapped through `[identities]` like every other name, so the approvals compare the
same person whichever front-end they came from. `cloudpilot serve mcp --new-token alice` prints a
fresh token and the line to add.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from pydantic import BaseModel, ConfigDict, Field, field_validator

from config.identity import IdentityName

_HEX = re.compile(r"(?:sha256:)?([0-9a-f]{64})")


def token_hash(token: str) -> str:
    """What the settings store for `token`: its SHA-256 as lowercase hex."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    """A fresh bearer token (256 random bits, URL-safe)."""
    return "cpm_" + secrets.token_urlsafe(32)


class McpSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # HTTP transport: where to listen. 127.0.0.1 by default: put a TLS proxy in front to go further.
    host: str = "127.0.0.1"
    port: int = Field(default=8765, ge=0, le=65535)
    path: str = Field(default="/mcp", pattern=r"^/[A-Za-z0-9/_-]*$")
    # sha256(token) hex -> the person the token stands for (a name or alias of [identities]).
    tokens: dict[str, IdentityName] = Field(default_factory=dict)
    # Extra Host / Origin values the HTTP transport accepts besides localhost (DNS-rebinding guard),
    # e.g. ["mcp.example.com"] and ["https://mcp.example.com"] behind a proxy.
    allowed_hosts: list[str] = Field(default_factory=list)
    allowed_origins: list[str] = Field(default_factory=list)

    @field_validator("tokens")
    @classmethod
    def _hashes_only(cls, value: dict[str, str]) -> dict[str, str]:
        out: dict[str, str] = {}
        for key, user in value.items():
            found = _HEX.fullmatch(key.strip().lower())
            if found is None:
                raise ValueError(
                    "mcp.tokens keys are the SHA-256 of each token as 64 hex digits (never the token "
                    "itself); `cloudpilot serve mcp --new-token USER` prints one"
                )
            out[found[1]] = user
        return out

    def user_for(self, token: str) -> str | None:
        """The configured name for a presented bearer token, or None. Every entry is compared in
        constant time, so the answer's timing says nothing about which hash came close."""
        presented = token_hash(token)
        found: str | None = None
        for digest, user in self.tokens.items():
            if hmac.compare_digest(digest, presented):
                found = user
        return found
