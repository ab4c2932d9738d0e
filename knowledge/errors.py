"""The error the knowledge base raises for problems a user can act on.

Kept apart from the knowledge base itself so that ingestion, retrieval and the callers
(the `kb` commands, the search tool) can all name it without importing each other.
"""

from __future__ import annotations


class KnowledgeError(Exception):
    """A problem the user can act on (bad source filter, store in use, model missing ...)."""


class StoreUnavailable(KnowledgeError):
    """The store cannot be opened or written (damaged, disk full, server unreachable ...): not
    an answer to the question, so it is never reported as "no source found"."""
