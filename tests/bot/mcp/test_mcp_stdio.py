"""A real MCP client session (the SDK's client over stdio) against `cloudpilot serve mcp` run as a
subprocess on a temporary data dir and the sandbox account: tools, resources and prompts, and a
change that only an approval by someone else, from the CLI, applies (once)."""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal
from typing import Any

import anyio
import jsonschema
import pytest
from mcp import Client, MCPError, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.types import ResourceLink

from tests.bot.mcp.conftest import ROOT, audit, cloudpilot, ssh_open

pytestmark = pytest.mark.slow


@asynccontextmanager
async def stdio_session(env: dict[str, str], *args: str) -> AsyncIterator[Client]:
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "bot.main", "serve", "mcp", *args], env=env, cwd=str(ROOT)
    )
    # The server's stderr (its log) goes to a real file: the pipe needs a file descriptor.
    with tempfile.TemporaryFile("w+") as errlog:
        try:
            async with Client(stdio_client(params, errlog=errlog), read_timeout_seconds=240) as client:
                yield client
        except BaseException:
            errlog.seek(0)
            sys.stderr.write("server log:\n" + errlog.read()[-5000:])
            raise


def structured(result: Any) -> dict[str, Any]:
    assert isinstance(result.structured_content, dict), result
    return result.structured_content


def text(result: Any) -> str:
    return "\n".join(getattr(block, "text", "") for block in result.content)


def test_stdio_session_reads_requests_and_never_applies(
    env: dict[str, str], open_ssh_group: str, fresh_moto: str
) -> None:
    group = open_ssh_group
    found: dict[str, Any] = {}

    async def session() -> None:
        async with stdio_session(env, "--as", "alice") as client:
            # -- the tools, with valid, strict input schemas ---------------------------------------
            tools = {t.name: t for t in (await client.list_tools()).tools}
            for name in (
                "cost_query",
                "security_scan",
                "search_knowledge",
                "list_findings",
                "approval_status",
            ):
                assert name in tools
            assert {"request_remediate", "request_suppress_finding"} <= set(tools)
            assert "remediate" not in tools and "suppress_finding" not in tools  # only requests
            for tool in tools.values():
                jsonschema.Draft202012Validator.check_schema(tool.input_schema)
                assert tool.input_schema["type"] == "object"
                assert tool.input_schema.get("additionalProperties") is False, tool.name
            forged = {"action": "revoke_ingress", "resource_id": group, "approved": True}
            assert not jsonschema.Draft202012Validator(tools["request_remediate"].input_schema).is_valid(
                forged
            )
            assert tools["cost_query"].annotations is not None
            assert tools["cost_query"].annotations.read_only_hint is True

            # -- read-only tools: structured data and readable text --------------------------------
            cost = await client.call_tool("cost_query", {"service": "EC2", "period": "last_month"})
            assert not cost.is_error, text(cost)
            assert Decimal(str(structured(cost)["data"]["total"])) == Decimal("16.04")
            assert "16.04" in text(cost)

            scan = await client.call_tool("security_scan", {"services": ["ec2"]})
            assert not scan.is_error, text(scan)
            assert group in json.dumps(structured(scan)["data"]), "the planted open SSH is found"

            kb = await client.call_tool("search_knowledge", {"query": "database host disk is full"})
            assert not kb.is_error, text(kb)
            passages = structured(kb)["data"]["passages"]
            assert passages and passages[0]["source"].startswith("bundled/")
            assert structured(kb)["citations"] and "Sources:" in text(kb)
            links = [b for b in kb.content if isinstance(b, ResourceLink)]
            assert links and str(links[0].uri).startswith("cloudpilot://kb/bundled/")

            # -- a change is only requested: dry run + pending approval, nothing applied -------------
            asked = await client.call_tool(
                "request_remediate",
                {
                    "action": "revoke_ingress",
                    "resource_id": group,
                    "params": {"port": 22, "cidr": "0.0.0.0/0"},
                },
            )
            assert not asked.is_error, text(asked)
            approval = structured(asked)["approval"]
            assert approval["status"] == "pending" and approval["resource_id"] == group
            assert approval["requester"] == "alice" and approval["approvers"] == ["bob"]
            assert approval["plan"]["changes"] and structured(asked)["executed"] is False
            found["approval"] = approval["id"]
            assert ssh_open(fresh_moto, group), "nothing changes before an approval"

            # -- forged approval, the apply path, made-up tools: refused ----------------------------
            refused = await client.call_tool("request_remediate", forged)
            assert refused.is_error and "approved" in text(refused) and "Extra inputs" in text(refused)
            with pytest.raises(MCPError, match="Unknown tool"):
                await client.call_tool("remediate", {"action": "revoke_ingress", "resource_id": group})
            with pytest.raises(MCPError, match="Unknown tool"):
                await client.call_tool("apply", {"approval_id": approval["id"]})
            status = await client.call_tool(
                "approval_status", {"approval_id": approval["id"], "approved": True}
            )
            assert status.is_error
            status = await client.call_tool("approval_status", {"approval_id": approval["id"]})
            assert structured(status)["approval"]["status"] == "pending"
            assert ssh_open(fresh_moto, group)

            # -- knowledge documents as resources, with citations; prompts -------------------------
            resources = {str(r.uri): r for r in (await client.list_resources()).resources}
            uri = "cloudpilot://kb/bundled/database-disk-full.md"
            assert uri in resources and resources[uri].title
            read = await client.read_resource(uri)
            content = read.contents[0]
            citation = (content.meta or {})["citation"]
            assert citation["source"] == "bundled/database-disk-full.md" and citation["sections"]
            first = citation["sections"][0]["lines"]
            lines = getattr(content, "text", "").splitlines()
            assert lines[first[0] - 1].strip(), "section line ranges point into the text"
            with pytest.raises(MCPError):
                await client.read_resource("cloudpilot://kb/../../etc/passwd")
            prompts = {p.name for p in (await client.list_prompts()).prompts}
            assert {"weekly_cost_review", "triage_critical_findings"} <= prompts
            review = await client.get_prompt("weekly_cost_review", {"service": "EC2"})
            prompt_text = getattr(review.messages[0].content, "text", "")
            assert "cost_query" in prompt_text and "request_" in prompt_text

    anyio.run(session)
    approval_id = found["approval"]

    # Nothing an MCP client sent executed it: an approver other than the requester does, once.
    own = cloudpilot(env, "approvals", "approve", approval_id, "--as", "alice")
    assert own.returncode == 1 and "four eyes" in own.stdout
    assert ssh_open(fresh_moto, group)
    ok = cloudpilot(env, "approvals", "approve", approval_id, "--as", "bob")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert not ssh_open(fresh_moto, group)
    again = cloudpilot(env, "approvals", "approve", approval_id, "--as", "bob")
    assert again.returncode == 1 and "already executed" in again.stdout

    kinds = [r["kind"] for r in audit(env, "--approval", approval_id)]
    assert kinds.count("execution") == 1 and kinds.count("executing") == 1
    assert kinds[0] == "request" and "verification" in kinds

    async def status_after() -> None:
        async with stdio_session(env, "--as", "carol") as client:
            status = await client.call_tool("approval_status", {"approval_id": approval_id})
            approval = structured(status)["approval"]
            assert approval["status"] == "executed" and approval["decided_by"] == "bob"

    anyio.run(status_after)

    # Every call is on the audit log: the questions, the refusals, the request.
    records = audit(env, "--actor", "alice")
    questions = [r["subject"] for r in records if r["kind"] == "question"]
    assert any(q.startswith("[mcp] cost_query") for q in questions)
    assert any(q.startswith("[mcp] resources/read") for q in questions)
    refusals = [r for r in records if r["kind"] == "refused"]
    reasons = " | ".join(json.dumps(r["detail"]) for r in refusals)
    assert "Extra inputs are not permitted" in reasons  # the forged "approved"
    assert "may only request it" in reasons  # the apply path (remediate)
    assert any(r["subject"] == "apply" for r in refusals)
    verify = cloudpilot(env, "audit", "verify")
    assert verify.returncode == 0, verify.stdout + verify.stderr
