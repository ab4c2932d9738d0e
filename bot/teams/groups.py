"""Which approver groups a Teams user belongs to.

The approval policy names groups (`approvals.rules[].groups`, e.g. "oncall"); `teams.groups`
says where each one lives: an Entra ID group (`entra:<object id>`, asked with Microsoft Graph's
`checkMemberGroups`, which counts nested groups) or a team (`team:<team id>`, asked with the Bot
Connector's member lookup). A name with no mapping has no Teams members. A lookup that fails
counts as "not a member": an approval is never granted on a guess. Answers are cached briefly
(`ttl_s`), so a burst of clicks makes one lookup.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from bot.teams.connector import BotConnector
from config.teams import TeamsSettings

log = logging.getLogger("cloudpilot.teams")


class GroupResolver:
    def __init__(
        self,
        settings: TeamsSettings,
        connector: BotConnector,
        ttl_s: float = 60.0,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        self.targets = dict(settings.groups)
        self.connector = connector
        self.ttl_s = ttl_s
        self._now = now
        self._lock = threading.Lock()
        self._cache: dict[tuple[str, str], tuple[bool, float]] = {}

    def groups_of(self, user: str, names: list[str], service_url: str) -> set[str]:
        found: set[str] = set()
        entra: dict[str, str] = {}
        for name in names:
            target = self.targets.get(name)
            if target is None:
                continue
            cached = self._cached(user, name)
            if cached is not None:
                if cached:
                    found.add(name)
                continue
            kind, _, ident = target.partition(":")
            if kind == "entra":
                entra[ident.lower()] = name
            else:
                member = self._member(service_url, ident, user)
                self._store(user, name, member)
                if member:
                    found.add(name)
        if entra:
            ids: set[str] | None = None
            try:
                ids = {g.lower() for g in self.connector.member_groups(user, sorted(entra))}
            except Exception:
                log.warning("could not read the Entra groups of %s: counted as none", user, exc_info=True)
            for ident, name in entra.items():
                member = ids is not None and ident in ids
                if ids is not None:
                    self._store(user, name, member)
                if member:
                    found.add(name)
        return found

    def _member(self, service_url: str, team: str, user: str) -> bool:
        try:
            return self.connector.is_member(service_url, team, user)
        except Exception:
            log.warning("a team membership lookup failed: counted as not a member", exc_info=True)
            return False

    def _cached(self, user: str, name: str) -> bool | None:
        with self._lock:
            hit = self._cache.get((user, name))
            if hit is None or hit[1] < self._now():
                return None
            return hit[0]

    def _store(self, user: str, name: str, member: bool) -> None:
        with self._lock:
            if len(self._cache) > 10_000:
                self._cache.clear()
            self._cache[(user, name)] = (member, self._now() + self.ttl_s)
