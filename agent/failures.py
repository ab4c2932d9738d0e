"""What a user is told when a turn or a decision fails: a reason they can act on, or a reference."""

from __future__ import annotations

import sqlite3
import sys

from sqlalchemy import exc as sa_exc

# Connection-level failures of the store (SQLAlchemy), the PostgreSQL checkpointer (psycopg,
# psycopg_pool.PoolTimeout included) and the SQLite checkpointer ("database is locked").
_UNAVAILABLE: tuple[type[BaseException], ...] = (sa_exc.OperationalError, sqlite3.OperationalError)


def _unavailable_types() -> tuple[type[BaseException], ...]:
    # psycopg is imported only with a PostgreSQL URL; without it no psycopg error can occur.
    psycopg = sys.modules.get("psycopg")
    return _UNAVAILABLE if psycopg is None else (*_UNAVAILABLE, psycopg.OperationalError)


def database_unavailable(exc: BaseException) -> bool:
    """True when `exc`, or an error it was raised from, says the database cannot be reached."""
    seen: set[int] = set()
    current: BaseException | None = exc
    unavailable = _unavailable_types()
    while current is not None and id(current) not in seen:
        if isinstance(current, unavailable):
            return True
        if isinstance(current, sa_exc.DBAPIError) and current.connection_invalidated:
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


def failure_text(exc: BaseException, ref: str) -> str:
    """The sentence for an unexpected failure; the details are in the log under `ref`."""
    if database_unavailable(exc):
        # Retrying is safe: decisions and executions are conditional updates, so nothing runs twice.
        return f"Sorry, the database is unavailable, try again in a moment (reference {ref})."
    return f"Sorry, something went wrong (reference {ref})."
