"""Durable checkpointer: SQLite file by default, Postgres when a postgres URL is configured."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver

# How long a turn waits for a checkpoint connection while the database is away before it fails
# with "database unavailable" (psycopg_pool.PoolTimeout, an OperationalError).
POOL_TIMEOUT_S = 10.0


def open_checkpointer(target: str) -> tuple[BaseCheckpointSaver[Any], Callable[[], None]]:
    if target.startswith(("postgres://", "postgresql://")):
        from langgraph.checkpoint.postgres import PostgresSaver
        from psycopg import Connection
        from psycopg.rows import DictRow, dict_row
        from psycopg_pool import ConnectionPool

        # A pool, not one connection: a connection the server dropped (restart, failover, a
        # killed backend) fails the check on checkout and is replaced, so the app recovers
        # by itself. The saver serialises its own use, so two connections are plenty.
        pool: ConnectionPool[Connection[DictRow]] = ConnectionPool(
            target.replace("postgresql+psycopg://", "postgresql://"),
            min_size=1,
            max_size=2,
            kwargs={"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row},
            check=ConnectionPool.check_connection,
            timeout=POOL_TIMEOUT_S,
            name="cloudpilot-checkpoints",
            open=False,
        )
        pool.open()
        try:
            pg = PostgresSaver(pool)
            pg.setup()
        except BaseException:
            pool.close()
            raise
        return pg, pool.close

    from langgraph.checkpoint.sqlite import SqliteSaver

    Path(target).parent.mkdir(parents=True, exist_ok=True)
    sconn = sqlite3.connect(target, check_same_thread=False, timeout=30)
    # WAL lets a separate `cloudpilot approvals approve` process resume while another reads.
    sconn.execute("PRAGMA journal_mode=WAL")
    saver = SqliteSaver(sconn)
    saver.setup()
    return saver, sconn.close
