"""The LLM path against an OpenAI-compatible server on 127.0.0.1: the chat model is the one the
runtime builds from the settings, and the checks' errors travel back over the real protocol."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from config import load_settings
from store import Store
from tests.tools.iac.fake_openai import FakeOpenAI
from tests.tools.iac.test_llm import BROKEN, BUDGET, BUDGET_ASK, BUDGET_AT_90, ask, fenced
from tools.base import ToolContext, ToolStatus
from tools.iac.checks import IacEnv, check_code
from tools.iac.llm import extract_code
from tools.inventory.aws import AwsClients
from tools.services import Services


@pytest.fixture
def server() -> Iterator[FakeOpenAI]:
    fake = FakeOpenAI()
    yield fake
    fake.close()


@pytest.fixture
def ctx(tmp_path: Path, iac_env: IacEnv, server: FakeOpenAI) -> Iterator[ToolContext]:
    settings = load_settings(
        data_dir=tmp_path / "data",
        now="2024-10-15",
        llm={"provider": "openai", "model": "gpt-test", "base_url": server.url, "max_repair_rounds": 2},
    )
    store = Store(settings.sqlalchemy_url)
    # No chat model injected: the pipeline builds ChatOpenAI from the settings.
    yield ToolContext(
        settings, settings.clock(), AwsClients(settings.aws), store, services=Services(iac_env=iac_env)
    )
    store.close()


def test_good_code_first_time_over_http(ctx: ToolContext, server: FakeOpenAI) -> None:
    server.replies = [fenced(BUDGET)]
    result = ask(ctx, BUDGET_ASK)
    assert result.status == ToolStatus.OK and result.source == "llm" and result.attempts == 1
    assert len(server.requests) == 1 and server.requests[0]["model"] == "gpt-test"
    system, user = server.messages(0)
    assert system["role"] == "system" and "Secure by default" in system["content"]
    assert user["role"] == "user" and "aws_budgets_budget" in user["content"]
    assert '"80%"' in user["content"]


def test_invalid_code_then_fixed_over_http(ctx: ToolContext, server: FakeOpenAI, iac_env: IacEnv) -> None:
    server.replies = [fenced(BROKEN), fenced(BUDGET)]
    result = ask(ctx, BUDGET_ASK)
    assert result.status == ToolStatus.OK and result.source == "llm" and result.attempts == 2
    sent_back = extract_code(fenced(BROKEN), "terraform")
    assert sent_back is not None
    error = check_code(iac_env, sent_back, "terraform").errors()[0]
    conversation = server.messages(1)
    # The model's own answer, then the repair message carrying the validator's error.
    assert [m["role"] for m in conversation] == ["system", "user", "assistant", "user"]
    assert error.message in conversation[-1]["content"] and "[syntax]" in conversation[-1]["content"]


def test_a_value_dropped_every_round_is_not_a_pass_over_http(ctx: ToolContext, server: FakeOpenAI) -> None:
    server.replies = [fenced(BUDGET_AT_90)] * 3
    result = ask(ctx, BUDGET_ASK)
    assert len(server.requests) == 3 and result.status == ToolStatus.ERROR and not result.passed
    assert "I did not apply: 80%." in result.message
