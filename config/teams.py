"""Settings of the Microsoft Teams front-end (`[teams]`, docs/TEAMS.md).

The bot is an Azure Bot resource backed by an Entra ID app registration: `app_id` is the
registration's application (client) id, `app_password` one of its client secrets, `tenant_id`
its tenant for a single-tenant bot. Requests from Teams carry a JWT that is checked against the
published OpenID metadata (`openid_metadata_url`, plus the tenant's Entra metadata for a
single-tenant bot); outgoing calls to the Bot Connector use a client-credentials token from
`token_url`. Every URL is a setting so that tests can point them at a local issuer.

Approver groups: `approvals.rules[].groups` name groups ("oncall"); `groups` maps each name to
where Teams finds its members, an Entra ID security group (`"entra:<object id>"`, checked with
Microsoft Graph) or a team (`"team:<team id>"`, checked with the Bot Connector's member lookup).

Digests and alerts: `channels` maps the channel named in `[[digests]]` / `[[alerts]]` (a Slack id
or any name) to a Teams channel's conversation id (`19:…@thread.tacv2`), where they are posted
too.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

BOT_FRAMEWORK_METADATA = "https://login.botframework.com/v1/.well-known/openidconfiguration"
BOT_FRAMEWORK_ISSUER = "https://api.botframework.com"
BOT_FRAMEWORK_SCOPE = "https://api.botframework.com/.default"
# Where the Bot Connector service of the public cloud lives; activities name their own serviceUrl
# and a reply goes there only when it is under one of these.
DEFAULT_SERVICE_URLS = ["https://smba.trafficmanager.net/"]
_GROUP = re.compile(r"^(entra:[0-9a-fA-F-]{36}|team:\S{1,200})$")


class TeamsSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    app_id: str | None = Field(default=None, description="The bot's Entra ID application (client) id")
    app_password: SecretStr | None = Field(default=None, description="A client secret of that app")
    tenant_id: str | None = Field(default=None, description="The tenant of a single-tenant bot")
    openid_metadata_url: str = BOT_FRAMEWORK_METADATA
    issuer: str = BOT_FRAMEWORK_ISSUER
    # The tenant's Entra ID metadata (single-tenant bots); default from tenant_id.
    entra_openid_metadata_url: str | None = None
    token_url: str | None = Field(
        default=None, description="Client-credentials endpoint; default from tenant_id"
    )
    token_scope: str = BOT_FRAMEWORK_SCOPE
    graph_url: str = "https://graph.microsoft.com/v1.0"
    allowed_service_urls: list[str] = Field(default_factory=lambda: list(DEFAULT_SERVICE_URLS))
    # Where proactive posts (digests, alerts) go: the Bot Connector of the tenant's region.
    service_url: str = "https://smba.trafficmanager.net/teams/"
    # Clock skew tolerated on a token's exp / nbf (Microsoft's guidance: five minutes).
    leeway_s: int = Field(default=300, ge=0, le=600)
    groups: dict[str, str] = Field(default_factory=dict)
    channels: dict[str, str] = Field(default_factory=dict)
    host: str = "0.0.0.0"
    port: int = Field(default=3978, ge=0, le=65535)
    rate_limit_per_minute: int = Field(default=20, ge=1)
    # Keys the approval cards' data (HMAC), so an altered invoke is refused; default: app_password.
    card_secret: SecretStr | None = None

    @field_validator("groups")
    @classmethod
    def _group_targets(cls, value: dict[str, str]) -> dict[str, str]:
        bad = sorted(name for name, target in value.items() if not _GROUP.match(target))
        if bad:
            raise ValueError(
                f"teams.groups {', '.join(bad)}: a target is 'entra:<group object id>' or 'team:<team id>'"
            )
        return value

    @field_validator("allowed_service_urls")
    @classmethod
    def _https_prefixes(cls, value: list[str]) -> list[str]:
        for url in value:
            if not url.startswith(("https://", "http://127.0.0.1:", "http://localhost:")):
                raise ValueError(f"teams.allowed_service_urls: {url!r} is not an https URL")
        return value

    @property
    def configured(self) -> bool:
        return bool(self.app_id and self.app_password and self.app_password.get_secret_value())

    @property
    def effective_token_url(self) -> str:
        tenant = self.tenant_id or "botframework.com"
        return self.token_url or f"https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token"

    @property
    def effective_entra_metadata_url(self) -> str | None:
        if self.entra_openid_metadata_url:
            return self.entra_openid_metadata_url
        if self.tenant_id:
            return f"https://login.microsoftonline.com/{self.tenant_id}/v2.0/.well-known/openid-configuration"
        return None

    def card_key(self) -> bytes:
        secret = self.card_secret or self.app_password
        return (secret.get_secret_value() if secret else "").encode("utf-8")
