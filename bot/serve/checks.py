"""Readiness checks for `GET /ready`: is each dependency this process needs answering now?

Each check is quick (a round trip with a 2 s timeout) and raises when the dependency is not
usable. Which checks a process runs depends on what it uses: a front-end in queue mode needs
Redis and the queue; a worker (or a front-end running turns itself) also needs the database
and the knowledge base.
"""

from __future__ import annotations

import urllib.request
from collections.abc import Callable
from pathlib import Path

from bot.serve.server import ReadyCheck
from config import Settings

TIMEOUT_S = 2.0


def database_check(url: str) -> ReadyCheck:
    """`SELECT 1` on the settings' database (SQLite file or PostgreSQL)."""
    from sqlalchemy import create_engine, text

    connect_args = {"connect_timeout": int(TIMEOUT_S)} if url.startswith("postgresql") else {}
    engine = create_engine(url, pool_pre_ping=True, pool_size=1, connect_args=connect_args)

    def check() -> None:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    return check


def redis_check(url: str) -> ReadyCheck:
    import redis

    client = redis.Redis.from_url(url, socket_timeout=TIMEOUT_S, socket_connect_timeout=TIMEOUT_S)

    def check() -> None:
        client.ping()

    return check


def knowledge_check(settings: Settings) -> ReadyCheck:
    """A Qdrant server answers `/readyz`; the embedded index's directory is there and writable."""
    if settings.qdrant_url:
        url = settings.qdrant_url.rstrip("/") + "/readyz"

        def check_server() -> None:
            with urllib.request.urlopen(url, timeout=TIMEOUT_S) as resp:  # noqa: S310 - the configured URL
                if resp.status != 200:
                    raise RuntimeError(f"Qdrant answered {resp.status}")

        return check_server
    data_dir = Path(settings.data_dir)

    def check_embedded() -> None:
        target = data_dir if data_dir.exists() else data_dir.parent
        probe = target / ".ready-probe"
        probe.write_text("ok")
        probe.unlink()

    return check_embedded


def standard_checks(settings: Settings, *, database: bool, knowledge: bool) -> dict[str, ReadyCheck]:
    checks: dict[str, ReadyCheck] = {}
    if database:
        checks["database"] = database_check(settings.sqlalchemy_url)
    if settings.redis_url:
        checks["redis"] = redis_check(settings.redis_url)
    if knowledge:
        checks["knowledge"] = knowledge_check(settings)
    return checks


Check = Callable[[], object]
