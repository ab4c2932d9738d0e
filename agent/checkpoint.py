"""Durable checkpointer: SQLite file by default, Postgres when a postgres URL is configured."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver


def open_checkpointer(target: str) -> tuple[BaseCheckpointSaver[Any], Callable[[], None]]:
    if target.startswith(("postgres://", "postgresql://")):
        from langgraph.checkpoint.postgres import PostgresSaver
        from psycopg import Connection
        from psycopg.rows import dict_row

        conn = Connection.connect(
            target.replace("postgresql+psycopg://", "postgresql://"),
            autocommit=True,
            prepare_threshold=0,
            row_factory=dict_row,
        )
        pg = PostgresSaver(conn)
        pg.setup()
        return pg, conn.close

    from langgraph.checkpoint.sqlite import SqliteSaver

    Path(target).parent.mkdir(parents=True, exist_ok=True)
    sconn = sqlite3.connect(target, check_same_thread=False, timeout=30)
    # WAL lets a separate `cloudpilot approvals approve` process resume while another reads.
    sconn.execute("PRAGMA journal_mode=WAL")
    saver = SqliteSaver(sconn)
    saver.setup()
    return saver, sconn.close
