"""A runtime factory that fails, kept free of heavy imports so a worker process fails fast."""

from __future__ import annotations

from typing import NoReturn


def broken_runtime(settings: object) -> NoReturn:
    raise RuntimeError("the database is unreachable")
