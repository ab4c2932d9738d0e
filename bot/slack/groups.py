"""Which of the policy's Slack user groups a user belongs to, cached with a TTL.

A policy group is either a user group id ("S0123ABCD", used as is) or a handle ("oncall" or
"@oncall", mapped to its id through usergroups.list). Members come from usergroups.users.list.
Lookup failures count as "not a member": an approval is never granted on a guess.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Iterable

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

log = logging.getLogger("cloudpilot.slack")

_GROUP_ID = re.compile(r"^S[A-Z0-9]{2,}$")


def is_group_id(name: str) -> bool:
    return bool(_GROUP_ID.match(name))


class GroupResolver:
    def __init__(
        self, client: WebClient, ttl_s: float = 300.0, now: Callable[[], float] = time.monotonic
    ) -> None:
        self._client = client
        self._ttl = ttl_s
        self._now = now
        self._lock = threading.Lock()
        self._members: dict[str, tuple[float, frozenset[str]]] = {}
        self._handles: tuple[float, dict[str, str]] | None = None

    def groups_of(self, user: str, candidates: Iterable[str]) -> set[str]:
        """The candidates (policy group names, as written) that `user` is a member of."""
        return {name for name in candidates if user in self.members(name)}

    def members(self, name: str) -> frozenset[str]:
        group_id = name if is_group_id(name) else self._handle_to_id(name.lstrip("@"))
        if group_id is None:
            return frozenset()
        now = self._now()
        with self._lock:
            cached = self._members.get(group_id)
        if cached and cached[0] > now:
            return cached[1]
        try:
            resp = self._client.usergroups_users_list(usergroup=group_id)
            users = frozenset(str(u) for u in resp.get("users") or [])
        except (SlackApiError, SlackClientError) as exc:
            log.warning("cannot list members of user group %s: %s", group_id, exc)
            return frozenset()
        with self._lock:
            self._members[group_id] = (now + self._ttl, users)
        return users

    def _handle_to_id(self, handle: str) -> str | None:
        now = self._now()
        with self._lock:
            cached = self._handles
        if cached is None or cached[0] <= now:
            try:
                resp = self._client.usergroups_list(include_disabled=False)
            except (SlackApiError, SlackClientError) as exc:
                log.warning("cannot list user groups to resolve @%s: %s", handle, exc)
                return None
            mapping = {str(g.get("handle")): str(g.get("id")) for g in resp.get("usergroups") or []}
            cached = (now + self._ttl, mapping)
            with self._lock:
                self._handles = cached
        group_id = cached[1].get(handle)
        if group_id is None:
            log.warning("no Slack user group with handle @%s (check the approval policy)", handle)
        return group_id
