"""build_planner picks the planner from settings, without touching the network."""

from __future__ import annotations

import pytest
from langchain_ollama import ChatOllama
from langchain_openai import ChatOpenAI
from pydantic import SecretStr

from agent.planner import LlmPlanner, OfflinePlanner, PlannerConfigError, build_planner
from config import load_settings

# Nothing listens on port 9 (discard): construction would fail loudly if it connected.
DEAD_URL = "http://127.0.0.1:9/v1"


def test_no_provider_means_the_offline_planner() -> None:
    assert isinstance(build_planner(load_settings()), OfflinePlanner)


def test_openai_provider_builds_chat_openai_from_settings() -> None:
    settings = load_settings(
        llm={
            "provider": "openai",
            "model": "gpt-4o-mini",
            "api_key": "sk-test",
            "base_url": DEAD_URL,
            "temperature": 0.2,
            "timeout_s": 12,
        }
    )
    planner = build_planner(settings)
    assert isinstance(planner, LlmPlanner)
    model = planner.chat_model
    assert isinstance(model, ChatOpenAI)
    assert model.model_name == "gpt-4o-mini"
    assert model.openai_api_base == DEAD_URL
    key = model.openai_api_key
    assert isinstance(key, SecretStr) and key.get_secret_value() == "sk-test"
    assert model.temperature == 0.2
    assert model.request_timeout == 12


def test_openai_compatible_server_needs_no_key() -> None:
    planner = build_planner(
        load_settings(llm={"provider": "openai", "model": "qwen2.5", "base_url": DEAD_URL})
    )
    assert isinstance(planner, LlmPlanner) and isinstance(planner.chat_model, ChatOpenAI)


def test_openai_without_key_or_server_is_a_clear_error() -> None:
    with pytest.raises(PlannerConfigError, match="CLOUDPILOT_LLM__API_KEY"):
        build_planner(load_settings(llm={"provider": "openai"}))


def test_ollama_provider_builds_chat_ollama() -> None:
    settings = load_settings(
        llm={"provider": "ollama", "model": "llama3.1", "base_url": "http://127.0.0.1:9", "temperature": 0.0}
    )
    planner = build_planner(settings)
    assert isinstance(planner, LlmPlanner)
    model = planner.chat_model
    assert isinstance(model, ChatOllama)
    assert model.model == "llama3.1"
    assert model.base_url == "http://127.0.0.1:9"
    assert model.temperature == 0.0
