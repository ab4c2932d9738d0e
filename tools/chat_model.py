"""The one place a chat model is built from the LLM settings (planner and IaC generation share it).

Constructing never touches the network: an unreachable server shows up on the first call.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from config.settings import LlmSettings

# OpenAI-compatible servers (vLLM, llama.cpp, LM Studio ...) often need no key, but the client
# refuses to start without one.
NO_KEY = "not-needed"


class ChatModelConfigError(ValueError):
    """The LLM settings name a provider but not enough to reach it."""


def build_chat_model(llm: LlmSettings) -> BaseChatModel | None:
    """The configured chat model; None when no LLM is configured (provider "none")."""
    if llm.provider == "none":
        return None
    if llm.provider == "openai":
        key = llm.api_key.get_secret_value() if llm.api_key else None
        if not key and not llm.base_url:
            raise ChatModelConfigError(
                "the openai provider needs an API key: set CLOUDPILOT_LLM__API_KEY "
                "(or CLOUDPILOT_LLM__BASE_URL for a local OpenAI-compatible server)"
            )
        from langchain_openai import ChatOpenAI

        return ChatOpenAI(
            model=llm.model,
            base_url=llm.base_url,
            api_key=key or NO_KEY,
            temperature=llm.temperature,
            timeout=llm.timeout_s,
        )
    if llm.provider == "ollama":
        from langchain_ollama import ChatOllama

        return ChatOllama(model=llm.model, base_url=llm.base_url, temperature=llm.temperature)
    raise ChatModelConfigError(f"unknown LLM provider {llm.provider!r}")
