"""Outgoing calls to the Bot Connector REST API (v3), the way Teams bots send and edit messages.

- `send` — `POST {serviceUrl}/v3/conversations/{id}/activities`: a new message in a chat, or in a
  channel thread when the conversation id carries `;messageid=<root>`;
- `reply` — `POST …/activities/{activityId}`: a reply to one activity (its thread in a channel);
- `update` — `PUT …/activities/{activityId}`: replace a message (an approval card after the
  decision);
- `create_conversation` — `POST {serviceUrl}/v3/conversations`: a 1:1 chat with a user, for
  proactive messages (notices to approvers, digests to a person);
- `is_member` — `GET …/v3/conversations/{teamId}/members/{userId}`: team membership.

Every call carries a bearer token from the client-credentials grant (`token_url`, the bot's app id
and secret, scope `https://api.botframework.com/.default`), cached until shortly before it
expires. The token goes only to a serviceUrl under `allowed_service_urls`: an activity names the
URL to answer, and a forged one must never receive our credentials.

Microsoft Graph (`graph_url`) answers Entra ID group membership (`checkMemberGroups`), with a
token for the Graph scope from the same endpoint.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import httpx

from bot.teams.auth import allowed_service_url
from config.teams import TeamsSettings

log = logging.getLogger("cloudpilot.teams.connector")

GRAPH_SCOPE = "https://graph.microsoft.com/.default"
_EARLY_S = 300.0  # renew a token this long before it expires
# Conversation ids hold ':', ';', '@', '=' (`19:x@thread.tacv2;messageid=1`); anything that could
# change the path or the query ('/', '?', '#', spaces) is escaped.
_SAFE = ":;@=,.-_!~*'()+$"


class ConnectorError(Exception):
    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class TokenSource:
    """Client-credentials tokens per scope, cached."""

    def __init__(
        self, settings: TeamsSettings, http: httpx.Client, now: Callable[[], float] = time.monotonic
    ) -> None:
        self.settings = settings
        self._http = http
        self._now = now
        self._lock = threading.Lock()
        self._tokens: dict[str, tuple[str, float]] = {}

    def token(self, scope: str) -> str:
        with self._lock:
            cached = self._tokens.get(scope)
            if cached and cached[1] > self._now():
                return cached[0]
            secret = self.settings.app_password.get_secret_value() if self.settings.app_password else ""
            response = self._http.post(
                self.settings.effective_token_url,
                data={
                    "grant_type": "client_credentials",
                    "client_id": self.settings.app_id or "",
                    "client_secret": secret,
                    "scope": scope,
                },
            )
            if response.status_code != 200:
                raise ConnectorError(f"token endpoint answered {response.status_code}", response.status_code)
            data = response.json()
            token = data.get("access_token") if isinstance(data, dict) else None
            if not isinstance(token, str) or not token:
                raise ConnectorError("the token endpoint returned no access_token")
            lifetime = float(data.get("expires_in") or 3600)
            self._tokens[scope] = (token, self._now() + max(30.0, lifetime - _EARLY_S))
            return token


class BotConnector:
    def __init__(self, settings: TeamsSettings, http: httpx.Client | None = None) -> None:
        self.settings = settings
        self._owns_http = http is None
        self.http = http or httpx.Client(timeout=httpx.Timeout(15.0, connect=5.0), follow_redirects=False)
        self.tokens = TokenSource(settings, self.http)

    # -- the Bot Connector -------------------------------------------------------------------
    def send(self, service_url: str, conversation_id: str, activity: dict[str, Any]) -> str:
        path = f"/v3/conversations/{_path(conversation_id)}/activities"
        return self._id(self._call("POST", service_url, path, activity))

    def reply(self, service_url: str, conversation_id: str, reply_to: str, activity: dict[str, Any]) -> str:
        path = f"/v3/conversations/{_path(conversation_id)}/activities/{_path(reply_to)}"
        return self._id(self._call("POST", service_url, path, {**activity, "replyToId": reply_to}))

    def update(
        self, service_url: str, conversation_id: str, activity_id: str, activity: dict[str, Any]
    ) -> None:
        path = f"/v3/conversations/{_path(conversation_id)}/activities/{_path(activity_id)}"
        self._call("PUT", service_url, path, {**activity, "id": activity_id})

    def create_conversation(self, service_url: str, user_id: str, tenant_id: str | None) -> str:
        """A 1:1 chat between the bot and `user_id` (a Teams user id or an AAD object id)."""
        body: dict[str, Any] = {
            "isGroup": False,
            "bot": {"id": f"28:{self.settings.app_id}"},
            "members": [{"id": user_id}],
        }
        if tenant_id:
            body["tenantId"] = tenant_id
            body["channelData"] = {"tenant": {"id": tenant_id}}
        return self._id(self._call("POST", service_url, "/v3/conversations", body))

    def is_member(self, service_url: str, team_id: str, user_id: str) -> bool:
        path = f"/v3/conversations/{_path(team_id)}/members/{_path(user_id)}"
        try:
            self._call("GET", service_url, path, None)
        except ConnectorError as exc:
            if exc.status in (403, 404):
                return False
            raise
        return True

    # -- Microsoft Graph -----------------------------------------------------------------------
    def member_groups(self, user_object_id: str, group_ids: list[str]) -> set[str]:
        """Which of `group_ids` (Entra ID object ids) the user is a member of, transitively."""
        if not group_ids:
            return set()
        url = f"{self.settings.graph_url.rstrip('/')}/users/{_path(user_object_id)}/checkMemberGroups"
        response = self.http.post(
            url,
            json={"groupIds": group_ids},
            headers={"Authorization": f"Bearer {self.tokens.token(GRAPH_SCOPE)}"},
        )
        if response.status_code != 200:
            raise ConnectorError(f"Graph answered {response.status_code}", response.status_code)
        data = response.json()
        return {str(g) for g in data.get("value") or [] if isinstance(g, str)} & set(group_ids)

    # -- plumbing ------------------------------------------------------------------------------
    def _call(self, method: str, service_url: str, path: str, body: dict[str, Any] | None) -> dict[str, Any]:
        if not allowed_service_url(self.settings, service_url):
            raise ConnectorError(f"refusing to call serviceUrl {service_url[:100]!r}: not allowed")
        url = service_url.rstrip("/") + path
        headers = {"Authorization": f"Bearer {self.tokens.token(self.settings.token_scope)}"}
        response = self.http.request(method, url, json=body, headers=headers)
        if response.status_code >= 300:
            raise ConnectorError(
                f"{method} {path[:120]} answered {response.status_code}: {response.text[:200]}",
                response.status_code,
            )
        if not response.content:
            return {}
        try:
            data = response.json()
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}

    @staticmethod
    def _id(data: dict[str, Any]) -> str:
        value = data.get("id")
        return str(value) if value is not None else ""

    def close(self) -> None:
        if self._owns_http:
            self.http.close()


def _path(part: str) -> str:
    return quote(part, safe=_SAFE)
