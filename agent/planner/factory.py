"""Building the configured planner. Constructing never touches the network."""

from __future__ import annotations

from agent.planner.base import Planner, PlannerConfigError
from agent.planner.llm import LlmPlanner
from agent.planner.offline import OfflinePlanner
from config import Settings

# OpenAI-compatible servers (vLLM, llama.cpp, LM Studio ...) often need no key, but the client
# refuses to start without one.
NO_KEY = "not-needed"


def build_planner(settings: Settings) -> Planner:
    llm = settings.llm
    if llm.provider == "none":
        return OfflinePlanner()
    if llm.provider == "openai":
        from langchain_openai import ChatOpenAI

        key = llm.api_key.get_secret_value() if llm.api_key else None
        if not key and not llm.base_url:
            raise PlannerConfigError(
                "the openai provider needs an API key: set CLOUDPILOT_LLM__API_KEY "
                "(or CLOUDPILOT_LLM__BASE_URL for a local OpenAI-compatible server)"
            )
        return LlmPlanner(
            ChatOpenAI(
                model=llm.model,
                base_url=llm.base_url,
                api_key=key or NO_KEY,
                temperature=llm.temperature,
                timeout=llm.timeout_s,
            )
        )
    if llm.provider == "ollama":
        from langchain_ollama import ChatOllama

        return LlmPlanner(ChatOllama(model=llm.model, base_url=llm.base_url, temperature=llm.temperature))
    raise PlannerConfigError(f"unknown LLM provider {llm.provider!r}")
