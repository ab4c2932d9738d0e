"""One job's idempotency record: which of its side effects already happened.

A job (an answer, a click, a notice) has a key, the identity of what the platform sent, and a
record under it in the ledger (`bot/serve/ledger.py`: PostgreSQL beside the durable queue, or
memory). A job run again — retried, or its worker killed at any point — skips every step the
record lists. Three kinds of step:

- `posted`: a post the platform can look up later. Recorded as an intent before the call and
  with the message's id after it; the post carries `marker(step)`, so an intent without an id
  (killed between the call and the record) is looked up by the caller's `find` instead of being
  posted again.
- `once`: a call whose result cannot be looked up (an ephemeral notice, an upload): an intent
  without a result is not repeated, so it happens at most once.
- `mark` / `value`: anything else worth keeping (the agent's reply, a decision), e.g. so that a
  rerun does not ask the agent again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from bot.serve.ledger import INTENT, Ledger

log = logging.getLogger("cloudpilot.chat")

DONE = "done"  # the whole job finished: a rerun does nothing


class JobRecord:
    """`key` None: a record kept nowhere (every step runs; e.g. digests posting outside a job)."""

    def __init__(self, ledger: Ledger, key: str | None) -> None:
        self.ledger = ledger
        self.key = key or None
        self.record: dict[str, str] = ledger.get(key) if key else {}

    def value(self, step: str) -> str | None:
        value = self.record.get(step)
        return None if value is None or value == INTENT else value

    def mark(self, step: str, value: str = "1") -> None:
        if self.key:
            self.ledger.put(self.key, step, value)
        self.record[step] = value

    def marker(self, step: str) -> str:
        """What a post carries so that `find` can recognise it after a crash."""
        return f"{self.key}#{step}"

    def posted(self, step: str, post: Callable[[str | None], str], find: Callable[[str], str | None]) -> str:
        """`post(marker)` once; returns the posted message's id (the earlier one on a rerun).
        Without a key, `post(None)` runs every time."""
        if not self.key:
            return post(None)
        done = self.value(step)
        if done:
            return done
        marker = self.marker(step)
        if self.record.get(step) == INTENT:
            found = find(marker)
            if found:
                self.mark(step, found)
                return found
        self.mark(step, INTENT)
        message_id = post(marker)
        self.mark(step, message_id)
        return message_id

    def once(self, step: str, action: Callable[[], object]) -> None:
        """At most once, for calls whose result cannot be looked up (ephemeral notices, uploads)."""
        if step in self.record:
            if self.record[step] == INTENT:
                log.warning("job %s: step %s may have run before a crash; not repeated", self.key, step)
            return
        self.mark(step, INTENT)
        action()
        self.mark(step)
