"""Requests written as full sentences (held-out round 5 of issue #15): values mid-sentence,
names between a kind and its settings, what a resource is for, insecure asks phrased as who may
reach it. Each test is a class of phrasing, not one of the round's sentences."""

from __future__ import annotations

import re

from tools.base import ToolContext
from tools.iac.blocks.k8s_common import namespace_of
from tools.iac.compose import compose
from tools.iac.features import read_features
from tools.iac.generate_iac import GenerateIac, GenerateIacResult
from tools.iac.insecure_asks import changed_from_request


def _ask(ctx: ToolContext, request: str) -> GenerateIacResult:
    tool = GenerateIac()
    return tool.run(ctx, tool.parse({"request": request}))


def _code(result: GenerateIacResult) -> str:
    assert result.passed, result.message
    return result.code[0].code


def test_the_namespace_written_after_the_word_namespace() -> None:
    assert namespace_of(read_features("a job on every node in the namespace ops")) == "ops"
    assert namespace_of(read_features("a job in the ops namespace")) == "ops"
    assert namespace_of(read_features("a job in the namespace called ops")) == "ops"


def test_a_plain_name_between_the_kind_and_with() -> None:
    comp = compose("a kinesis stream orders with 2 shards", "aws")
    assert comp.units[0].params.name == "orders"
    # A participle there describes the resource: it is no name.
    comp = compose("an s3 bucket encrypted with a kms key", "aws")
    assert comp.units[0].params.name != "encrypted"


def test_queue_retention_said_of_them(iac_ctx: ToolContext) -> None:
    code = _code(_ask(iac_ctx, "terraform: queue named audit-jobs, dlq after 2 tries, keep them 10 days"))
    assert "= 864000" in code and re.search(r"maxReceiveCount\s+= 2\b", code)


def test_the_service_port_after_its_name(iac_ctx: ToolContext) -> None:
    code = _code(_ask(iac_ctx, "k8s ingress for docs.acme.io to the service docs on port 9090"))
    assert "number: 9090" in code


def test_what_a_resource_is_for_is_not_built(iac_ctx: ToolContext) -> None:
    result = _ask(iac_ctx, "security group for the bastion with SSH on 22 from 10.9.0.0/16, terraform")
    code = _code(result)
    assert 'resource "aws_instance"' not in code and "10.9.0.0/16" in code
    assert not result.not_applied


def test_a_database_port_to_the_internet_is_changed_and_said(iac_ctx: ToolContext) -> None:
    result = _ask(iac_ctx, "tf security group with 3306 open to anywhere")
    code = _code(result)
    assert "from_port   = 3306" in code and "0.0.0.0/0" not in code.split("egress")[0]
    assert "Changed from your request" in result.message


def test_insecure_asks_phrased_as_who_may_reach_it() -> None:
    assert changed_from_request("a bucket for exports that everyone can download from")
    assert changed_from_request("a pod using host networking")
    assert changed_from_request("a daemonset that mounts the host filesystem")
    assert not changed_from_request("a bucket nobody outside the account can read")
