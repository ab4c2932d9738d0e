"""The one place a chat model is built from the LLM settings (planner and IaC generation share it).

Constructing never touches the network: an unreachable server shows up on the first call. The
client's own timeout bounds one request (and no retries are made); the agent's per-turn deadline
(`llm.turn_deadline_s`, agent/planner/llm.py) bounds every model call of a turn whatever the client does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from config.settings import LlmSettings

# OpenAI-compatible servers (vLLM, llama.cpp, LM Studio ...) often need no key, but the client
# refuses to start without one.
NO_KEY = "not-needed"


class ChatModelConfigError(ValueError):
    """The LLM settings name a provider but not enough to reach it."""


def _checked_url(url: str | None) -> str | None:
    if url is None:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ChatModelConfigError(
            f"CLOUDPILOT_LLM__BASE_URL must be an http(s) URL such as http://127.0.0.1:11434, not {url!r}"
        )
    return url


def _request_timeout(llm: LlmSettings) -> float:
    # A request never needs to outlive the turn it belongs to.
    return min(llm.timeout_s, llm.turn_deadline_s)


def build_chat_model(llm: LlmSettings) -> BaseChatModel | None:
    """The configured chat model; None when no LLM is configured (provider "none")."""
    if llm.provider == "none":
        return None
    base_url = _checked_url(llm.base_url)
    key = llm.api_key.get_secret_value() if llm.api_key else None
    if llm.provider == "openai":
        if not key and not base_url:
            raise ChatModelConfigError(
                "the openai provider needs an API key: set CLOUDPILOT_LLM__API_KEY "
                "(or CLOUDPILOT_LLM__BASE_URL for a local OpenAI-compatible server)"
            )
        from langchain_openai import ChatOpenAI

        return ChatOpenAI(
            model=llm.model,
            base_url=base_url,
            api_key=key or NO_KEY,
            temperature=llm.temperature,
            timeout=_request_timeout(llm),
            max_retries=0,
        )
    if llm.provider == "ollama":
        from langchain_ollama import ChatOllama

        return ChatOllama(
            model=llm.model,
            base_url=base_url,
            temperature=llm.temperature,
            client_kwargs={"timeout": _request_timeout(llm)},
        )
    if llm.provider == "anthropic":
        if not key:
            raise ChatModelConfigError("the anthropic provider needs an API key: set CLOUDPILOT_LLM__API_KEY")
        from langchain_anthropic import ChatAnthropic

        return ChatAnthropic(  # type: ignore[call-arg]
            model_name=llm.model,
            base_url=base_url,
            api_key=key,
            temperature=llm.temperature,
            timeout=_request_timeout(llm),
            max_retries=0,
        )
    raise ChatModelConfigError(f"unknown LLM provider {llm.provider!r}")
