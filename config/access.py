"""Read access: which tools and AWS accounts a chat channel (and user) may use.

Several teams can share one deployment: a rule names channels, users, tools and accounts, and a
request is allowed when some rule covering its channel and user allows the tool. The accounts it
may reach are the union of those rules' accounts. A request no rule covers falls to `default`.

Left unset, `default` depends on where CloudPilot points: open for the sandbox (nothing real to
protect, and the demo must work as installed), deny for real AWS, so a production deployment says
explicitly who sees what (`default = "open"` restores the old behaviour knowingly).

The agent enforces this in code (agent/guard.py and the tool context), never through prompts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

ANY = "*"

Default = Literal["open", "deny"]


def _channel_key(channel: str) -> str:
    # "#team-data", "team-data" and "TEAM-DATA" are the same channel to whoever writes the config.
    return channel.strip().lstrip("#").lower()


def _user_key(user: str) -> str:
    return user.strip().casefold()


class AccessRule(BaseModel):
    """Channels and users ("*" any) that may use these tools and AWS accounts ("*" all)."""

    model_config = ConfigDict(extra="forbid")

    channels: list[str] = Field(
        default_factory=lambda: [ANY], description="Chat channel ids or names (Slack sends ids, C…)"
    )
    users: list[str] = Field(default_factory=lambda: [ANY], description="Terminal names or Slack user ids")
    tools: list[str] = Field(default_factory=lambda: [ANY])
    accounts: list[str] = Field(default_factory=lambda: [ANY], description="AWS account ids")

    @field_validator("channels", "users", "tools", "accounts")
    @classmethod
    def _no_blanks(cls, value: list[str]) -> list[str]:
        cleaned = [v.strip() for v in value]
        if any(not v for v in cleaned):
            raise ValueError("entries must not be empty (use '*' for any)")
        return cleaned

    def covers_channel(self, channel: str) -> bool:
        channels = {_channel_key(c) for c in self.channels}
        return ANY in channels or _channel_key(channel) in channels

    def covers(self, channel: str, user: str) -> bool:
        users = {_user_key(u) for u in self.users}
        return self.covers_channel(channel) and (ANY in users or _user_key(user) in users)

    def allows_tool(self, tool: str) -> bool:
        return ANY in self.tools or tool in self.tools


@dataclass(frozen=True)
class AccessDecision:
    allowed: bool
    # The AWS accounts the call may reach; None means every configured account.
    accounts: frozenset[str] | None = None
    reason: str = ""


class AccessPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rules: list[AccessRule] = Field(default_factory=list)
    # None: "open" when aws.mode is "sandbox", "deny" when it is "real" (see the module doc).
    default: Default | None = None

    def effective_default(self, aws_mode: str) -> Default:
        if self.default is not None:
            return self.default
        return "open" if aws_mode == "sandbox" else "deny"

    def decide(self, *, channel: str, user: str, tool: str, aws_mode: str) -> AccessDecision:
        covering = [r for r in self.rules if r.covers(channel, user)]
        if not covering:
            if self.effective_default(aws_mode) == "open":
                return AccessDecision(True)
            return AccessDecision(
                False,
                frozenset(),
                f"no access rule covers {self._who(channel, user)}, so it may not use {tool} "
                "(access policy; see access.rules)",
            )
        allowing = [r for r in covering if r.allows_tool(tool)]
        if not allowing:
            return AccessDecision(
                False, frozenset(), f"{self._who(channel, user)} may not use {tool} (access policy)"
            )
        accounts = {a for r in allowing for a in r.accounts}
        return AccessDecision(True, None if ANY in accounts else frozenset(accounts))

    def _who(self, channel: str, user: str) -> str:
        if not channel:
            return user
        where = f"#{channel.strip().lstrip('#')}"
        # Name the user only where a rule for this channel singles out users, so the refusal
        # does not suggest that the whole channel is refused when only this user is.
        personal = any(ANY not in r.users and r.covers_channel(channel) for r in self.rules)
        return f"{user} in {where}" if personal else where
