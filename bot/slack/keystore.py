"""Slack's key store: the shared one (`bot/chat/keystore.py`) under Slack's namespace."""

from __future__ import annotations

from bot.chat.keystore import KeyStore, MemoryKeyStore, RedisKeyStore, redis_client
from bot.chat.keystore import open_keystore as _open_keystore

__all__ = [
    "DEFAULT_NAMESPACE",
    "KeyStore",
    "MemoryKeyStore",
    "RedisKeyStore",
    "open_keystore",
    "redis_client",
]

DEFAULT_NAMESPACE = "cloudpilot:slack"


def open_keystore(redis_url: str | None, namespace: str = DEFAULT_NAMESPACE) -> KeyStore:
    """Redis at `redis_url` (checked now), else in-process; keys under `namespace`."""
    return _open_keystore(redis_url, namespace)
