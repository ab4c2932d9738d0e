"""The LLM writer with a scripted chat model (never a live one): repair rounds fed by the checks,
the best attempt kept when every round fails, and the catalogue as fallback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import BaseMessage
from langchain_core.outputs import ChatResult
from pydantic import Field

from config import load_settings
from store import Store
from tools.base import ToolContext, ToolStatus, UserFacingError
from tools.iac.checks import IacEnv
from tools.iac.generate_iac import GenerateIac
from tools.iac.llm import chat_model, extract_code
from tools.inventory.aws import AwsClients
from tools.services import Services

PROVIDERS = """terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "~> 6.0" }
  }
}
"""
OPEN_SSH = (
    PROVIDERS
    + """
resource "aws_security_group" "bastion" {
  name = "bastion"
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
"""
)
OFFICE_SSH = OPEN_SSH.replace("0.0.0.0/0", "203.0.113.0/24")
BROKEN = 'resource "aws_security_group" "bastion" {\n  name = \n'


def fenced(code: str, lang: str = "hcl") -> str:
    return f"Here you go:\n```{lang}\n{code}```\nDone."


class ScriptedChatModel(GenericFakeChatModel):
    """Replies from a script and remembers every conversation it was sent."""

    seen: list[list[BaseMessage]] = Field(default_factory=list)

    def _generate(
        self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **kwargs: Any
    ) -> ChatResult:
        self.seen.append(list(messages))
        return super()._generate(messages, stop=stop, run_manager=run_manager, **kwargs)


class DownChatModel(GenericFakeChatModel):
    def _generate(
        self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **kwargs: Any
    ) -> ChatResult:
        raise ConnectionError("connection refused")


def scripted(*replies: str) -> ScriptedChatModel:
    return ScriptedChatModel(messages=iter(list(replies)))


@pytest.fixture
def llm_ctx(tmp_path: Path, iac_env: IacEnv) -> Iterator[ToolContext]:
    settings = load_settings(data_dir=tmp_path / "data", now="2024-10-15", llm={"max_repair_rounds": 2})
    store = Store(settings.sqlalchemy_url)
    yield ToolContext(
        settings, settings.clock(), AwsClients(settings.aws), store, services=Services(iac_env=iac_env)
    )
    store.close()


def ask(ctx: ToolContext, request: str, **more: Any) -> Any:
    tool = GenerateIac()
    return tool.run(ctx, tool.parse({"request": request, **more}))


def test_errors_are_fed_back_until_the_code_passes(llm_ctx: ToolContext) -> None:
    model = scripted(fenced(OPEN_SSH), fenced(OFFICE_SSH))
    llm_ctx.services.chat_model = model
    result = ask(llm_ctx, "terraform for a bastion security group that allows ssh")
    assert result.status == ToolStatus.OK and result.source == "llm" and result.attempts == 2
    assert "203.0.113.0/24" in result.code[0].code
    repair_prompt = model.seen[1][-1].content
    assert "ec2-sg-open-admin-ports" in str(repair_prompt) and "0.0.0.0/0" in str(repair_prompt)
    assert "Written by the language model in 2 rounds" in result.message


def test_closest_template_is_given_as_a_reviewed_example(llm_ctx: ToolContext) -> None:
    model = scripted(fenced(OFFICE_SSH))
    llm_ctx.services.chat_model = model
    ask(llm_ctx, "write Terraform for a private S3 bucket with versioning")
    first_prompt = str(model.seen[0][-1].content)
    assert "aws_s3_bucket_public_access_block" in first_prompt
    system = str(model.seen[0][0].content)
    assert "required_providers" in system and "{{" not in system


def test_still_failing_after_the_rounds_shows_the_best_attempt_marked_failing(llm_ctx: ToolContext) -> None:
    model = scripted(fenced(BROKEN), fenced(OPEN_SSH), "I cannot do better.")
    llm_ctx.services.chat_model = model
    result = ask(llm_ctx, "terraform for a bastion with ssh from anywhere")
    assert len(model.seen) == 3  # one draft + max_repair_rounds (2)
    assert result.status == ToolStatus.ERROR and not result.passed
    assert result.code and "aws_security_group" in result.code[0].code  # the parseable, insecure one
    assert "FAILS its checks" in result.message and "do not apply it" in result.message
    assert any("ec2-sg-open-admin-ports" in e for e in result.errors)
    assert any(t.title == "Issues" for t in result.tables)


def test_repair_rounds_are_bounded_by_settings(tmp_path: Path, iac_env: IacEnv) -> None:
    settings = load_settings(data_dir=tmp_path / "d", llm={"max_repair_rounds": 0})
    ctx = ToolContext(
        settings,
        settings.clock(),
        AwsClients(settings.aws),
        Store(settings.sqlalchemy_url),
        services=Services(iac_env=iac_env),
    )
    model = scripted(fenced(OPEN_SSH), fenced(OFFICE_SSH))
    ctx.services.chat_model = model
    result = ask(ctx, "terraform bastion security group")
    assert len(model.seen) == 1 and result.status == ToolStatus.ERROR
    ctx.store.close()


def test_unreachable_model_falls_back_to_the_catalogue(llm_ctx: ToolContext) -> None:
    llm_ctx.services.chat_model = DownChatModel(messages=iter([]))
    result = ask(llm_ctx, "CloudFormation for an SQS queue with a dead-letter queue")
    assert result.status == ToolStatus.OK and result.source == "catalogue"
    assert "language model failed" in result.message
    with pytest.raises(UserFacingError, match="language model failed"):
        ask(llm_ctx, "an AppSync GraphQL API")


def test_an_explicit_template_never_asks_the_model(llm_ctx: ToolContext) -> None:
    model = scripted()
    llm_ctx.services.chat_model = model
    result = ask(llm_ctx, "an hpa", template="k8s_hpa")
    assert result.source == "catalogue" and model.seen == []


def test_kubernetes_written_by_the_model(llm_ctx: ToolContext) -> None:
    manifest = """apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  LOG_LEVEL: info
"""
    llm_ctx.services.chat_model = scripted(fenced(manifest, "yaml"))
    result = ask(llm_ctx, "a kubernetes configmap named settings with LOG_LEVEL=info")
    assert result.status == ToolStatus.OK and result.format == "kubernetes" and result.source == "llm"


def test_code_extraction() -> None:
    assert (
        extract_code('```yaml\na: 1\n```\n```hcl\nresource "x" "y" {}\n```', "terraform")
        == 'resource "x" "y" {}\n'
    )
    assert extract_code("apiVersion: v1\nkind: ConfigMap", "kubernetes") == "apiVersion: v1\nkind: ConfigMap"
    assert extract_code("Sorry, I can't.", "cloudformation") is None


def test_no_model_without_configuration(tmp_path: Path) -> None:
    def ctx_for(**llm: Any) -> ToolContext:
        settings = load_settings(data_dir=tmp_path / "x", llm=llm)
        return ToolContext(settings, settings.clock(), AwsClients(settings.aws), None)  # type: ignore[arg-type]

    assert chat_model(ctx_for()) is None
    assert chat_model(ctx_for(provider="openai")) is None  # no key, no base URL
    ctx = ctx_for(provider="openai", api_key="sk-test")
    injected = scripted()
    ctx.services.chat_model = injected  # the runtime's (or a test's) model is used as it is
    assert chat_model(ctx) is injected
