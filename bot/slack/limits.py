"""The per-user rate limit lives in `bot/chat/limits.py` (shared by every platform)."""

from __future__ import annotations

from bot.chat.limits import WINDOW_S, RateDecision, RateLimiter

__all__ = ["WINDOW_S", "RateDecision", "RateLimiter"]
