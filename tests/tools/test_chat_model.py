"""One chat model built from the LLM settings (planner and IaC share it), without touching the network."""

from __future__ import annotations

import pytest
from langchain_ollama import ChatOllama
from langchain_openai import ChatOpenAI
from pydantic import SecretStr

from agent.planner import LlmPlanner, OfflinePlanner, build_planner
from config import load_settings
from tools.chat_model import ChatModelConfigError, build_chat_model

# Nothing listens on port 9 (discard): construction would fail loudly if it connected.
DEAD_URL = "http://127.0.0.1:9/v1"


def test_no_provider_means_no_model_and_the_offline_planner() -> None:
    assert build_chat_model(load_settings().llm) is None
    assert isinstance(build_planner(None), OfflinePlanner)


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
    model = build_chat_model(settings.llm)
    assert isinstance(model, ChatOpenAI)
    planner = build_planner(model)
    assert isinstance(planner, LlmPlanner) and planner.chat_model is model
    assert model.model_name == "gpt-4o-mini"
    assert model.openai_api_base == DEAD_URL
    key = model.openai_api_key
    assert isinstance(key, SecretStr) and key.get_secret_value() == "sk-test"
    assert model.temperature == 0.2
    assert model.request_timeout == 12


def test_openai_compatible_server_needs_no_key() -> None:
    model = build_chat_model(
        load_settings(llm={"provider": "openai", "model": "qwen2.5", "base_url": DEAD_URL}).llm
    )
    assert isinstance(model, ChatOpenAI)


def test_openai_without_key_or_server_is_a_clear_error() -> None:
    with pytest.raises(ChatModelConfigError, match="CLOUDPILOT_LLM__API_KEY"):
        build_chat_model(load_settings(llm={"provider": "openai"}).llm)


def test_ollama_provider_builds_chat_ollama() -> None:
    settings = load_settings(
        llm={"provider": "ollama", "model": "llama3.1", "base_url": "http://127.0.0.1:9", "temperature": 0.0}
    )
    model = build_chat_model(settings.llm)
    assert isinstance(model, ChatOllama)
    assert model.model == "llama3.1"
    assert model.base_url == "http://127.0.0.1:9"
    assert model.temperature == 0.0
