"""Chat models for every provider, built without the network; a misconfigured one is one clear line."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from langchain_anthropic import ChatAnthropic
from langchain_ollama import ChatOllama
from langchain_openai import ChatOpenAI
from pydantic import SecretStr

from agent.planner.base import PlannerConfigError
from agent.runtime import Runtime
from bot.core.cli_state import CliState, open_agent
from config import load_settings
from tools.chat_model import ChatModelConfigError, build_chat_model

DEAD_URL = "http://127.0.0.1:9"  # nothing listens on the discard port


def test_anthropic_provider_builds_chat_anthropic() -> None:
    settings = load_settings(
        llm={
            "provider": "anthropic",
            "model": "claude-sonnet-4-5",
            "api_key": "sk-ant-test",
            "base_url": DEAD_URL,
            "timeout_s": 20,
        }
    )
    model = build_chat_model(settings.llm)
    assert isinstance(model, ChatAnthropic)
    assert model.model == "claude-sonnet-4-5"
    assert model.anthropic_api_url == DEAD_URL
    assert model.anthropic_api_key.get_secret_value() == "sk-ant-test"
    assert model.default_request_timeout == 20
    assert model.max_retries == 0


def test_anthropic_needs_a_key() -> None:
    with pytest.raises(ChatModelConfigError, match="CLOUDPILOT_LLM__API_KEY"):
        build_chat_model(load_settings(llm={"provider": "anthropic", "model": "claude"}).llm)


def test_requests_never_outlive_the_turn_and_are_not_retried() -> None:
    settings = load_settings(
        llm={"provider": "openai", "base_url": DEAD_URL + "/v1", "timeout_s": 120, "turn_deadline_s": 30}
    )
    model = build_chat_model(settings.llm)
    assert isinstance(model, ChatOpenAI)
    assert model.request_timeout == 30 and model.max_retries == 0
    ollama = build_chat_model(
        load_settings(llm={"provider": "ollama", "model": "llama3.1", "turn_deadline_s": 15}).llm
    )
    assert isinstance(ollama, ChatOllama) and ollama.client_kwargs == {"timeout": 15}


@pytest.mark.parametrize("url", ["localhost:11434", "ftp://llm.internal", "http://", "not a url"])
def test_a_bad_url_is_a_clear_error(url: str) -> None:
    with pytest.raises(ChatModelConfigError, match="CLOUDPILOT_LLM__BASE_URL must be an http"):
        build_chat_model(load_settings(llm={"provider": "ollama", "base_url": url}).llm)


def test_runtime_reports_a_misconfigured_provider(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path, llm={"provider": "openai"})
    with pytest.raises(PlannerConfigError, match="CLOUDPILOT_LLM__API_KEY"):
        Runtime.build(settings)


def test_the_cli_shows_one_line_not_a_traceback(tmp_path: Path) -> None:
    state = CliState(config=None, now=None, data_dir=tmp_path)
    state._settings = load_settings(
        data_dir=tmp_path,
        aws={"endpoint_url": DEAD_URL},
        llm={"provider": "anthropic", "api_key": SecretStr("k"), "base_url": "llm.internal"},
    )
    with pytest.raises(click.ClickException) as caught, open_agent(state):
        pass
    message = caught.value.format_message()
    assert message.startswith("LLM settings: CLOUDPILOT_LLM__BASE_URL must be an http(s) URL")
    assert "\n" not in message
