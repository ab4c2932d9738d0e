"""The real PostgreSQL and Redis servers some tests need, and whether they answer.

`./dev.sh test` starts both and sets CLOUDPILOT_TEST_SERVICES=required, so there a missing server
fails its tests; a plain `pytest` on a laptop without them skips those tests with the reason.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from urllib.parse import urlsplit

import pytest


def postgres_url() -> str:
    return os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def redis_url() -> str:
    return os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def required() -> bool:
    return os.environ.get("CLOUDPILOT_TEST_SERVICES", "") == "required"


@cache
def reachable(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 0), timeout=1.0):
            return True
    except OSError:
        return False


def need(kind: str) -> None:
    """Inside a test or fixture: skip (or, under ./dev.sh test, fail) when the server is down —
    for tests that choose their server at run time, where a marker cannot say it up front."""
    label, url = {"postgres": ("PostgreSQL", postgres_url()), "redis": ("Redis", redis_url())}[kind]
    if reachable(url):
        return
    message = f"{label} is not reachable at {url} (./dev.sh test starts it)"
    if required():
        pytest.fail(message)
    pytest.skip(message)


@contextmanager
def pg_schema(prefix: str = "cp_test") -> Iterator[str]:
    """A PostgreSQL URL whose tables all land in a fresh schema, dropped afterwards (skips, or
    fails under `./dev.sh test`, when the server does not answer)."""
    import psycopg

    need("postgres")
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    base = postgres_url()
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def sqlalchemy_url(url: str) -> str:
    """The same database for SQLAlchemy, through psycopg 3."""
    return url.replace("postgresql://", "postgresql+psycopg://", 1)
