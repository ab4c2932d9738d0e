"""The SDK's client over streamable HTTP against `cloudpilot serve mcp --transport http` on
127.0.0.1: bearer tokens per person (stored hashed, mapped through [identities]), the access
policy per MCP user, refusals of bad tokens, and a change applied only by another person's
approval from the CLI."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from config.mcp import token_hash
from tests.bot.mcp.conftest import ROOT, audit, cloudpilot, ssh_open

pytestmark = pytest.mark.slow

ALICE_TOKEN = "cpm_test-alice-token"
DAVE_TOKEN = "cpm_test-dave-token"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture
def server(env: dict[str, str]) -> Iterator[tuple[str, dict[str, str]]]:
    port = free_port()
    run_env = {
        **env,
        # Alice's token names her by an alias: approvals must still see "alice".
        "CLOUDPILOT_IDENTITIES": json.dumps({"alice": ["alice@example.com"]}),
        "CLOUDPILOT_MCP__TOKENS": json.dumps(
            {token_hash(ALICE_TOKEN): "alice@example.com", token_hash(DAVE_TOKEN): "dave"}
        ),
        # Dave's MCP channel may ask about costs and nothing else.
        "CLOUDPILOT_ACCESS__RULES": json.dumps([{"channels": ["mcp-dave"], "tools": ["cost_query"]}]),
    }
    url = f"http://127.0.0.1:{port}/mcp"
    with tempfile.TemporaryFile("w+") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot.main", "serve", "mcp", "--transport", "http", "--port", str(port)],
            env=run_env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    if httpx2.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                        break
                except httpx2.TransportError:
                    pass
                if proc.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    raise AssertionError(f"the MCP server did not start:\n{log.read()[-5000:]}")
                time.sleep(0.3)
            yield url, run_env
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@asynccontextmanager
async def http_session(url: str, token: str) -> AsyncIterator[Client]:
    headers = {"Authorization": f"Bearer {token}"}
    async with (
        httpx2.AsyncClient(headers=headers, timeout=httpx2.Timeout(30, read=240)) as http,
        Client(streamable_http_client(url, http_client=http), read_timeout_seconds=240) as client,
    ):
        yield client


def structured(result: Any) -> dict[str, Any]:
    assert isinstance(result.structured_content, dict), result
    return result.structured_content


def text(result: Any) -> str:
    return "\n".join(getattr(block, "text", "") for block in result.content)


def test_bad_or_missing_token_is_refused(server: tuple[str, dict[str, str]]) -> None:
    url, _ = server
    hello = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {
            "protocolVersion": "2025-06-18",
            "capabilities": {},
            "clientInfo": {"name": "probe", "version": "0"},
        },
    }
    accept = {"Accept": "application/json, text/event-stream"}
    for headers in ({}, {"Authorization": "Bearer not-a-token"}, {"Authorization": f"Bearer {ALICE_TOKEN}x"}):
        response = httpx2.post(url, json=hello, headers={**accept, **headers}, timeout=10)
        assert response.status_code == 401, (headers, response.text)
        assert response.headers["www-authenticate"].startswith("Bearer")
    # The plaintext of a token is no key: only its hash is configured.
    response = httpx2.post(
        url, json=hello, headers={**accept, "Authorization": f"Bearer {token_hash(ALICE_TOKEN)}"}, timeout=10
    )
    assert response.status_code == 401

    async def client_with_a_bad_token() -> None:
        with pytest.raises(BaseException):  # noqa: B017  (the SDK raises its transport's error)
            async with http_session(url, "wrong"):
                pass

    anyio.run(client_with_a_bad_token)


def test_http_tokens_identities_access_and_approvals(
    server: tuple[str, dict[str, str]], open_ssh_group: str, fresh_moto: str
) -> None:
    url, env = server
    group = open_ssh_group
    found: dict[str, str] = {}

    async def sessions() -> None:
        async with http_session(url, ALICE_TOKEN) as alice:
            tools = {t.name for t in (await alice.list_tools()).tools}
            assert {"cost_query", "security_scan", "search_knowledge", "request_remediate"} <= tools
            cost = await alice.call_tool("cost_query", {"service": "EC2", "period": "last_month"})
            assert not cost.is_error and "16.04" in text(cost)
            asked = await alice.call_tool(
                "request_remediate",
                {"action": "revoke_ingress", "resource_id": group, "params": {"port": 22}},
            )
            assert not asked.is_error, text(asked)
            approval = structured(asked)["approval"]
            # The token's alias is mapped to the canonical person the approvals compare.
            assert approval["status"] == "pending" and approval["requester"] == "alice"
            found["approval"] = approval["id"]
            forged = await alice.call_tool(
                "request_remediate",
                {"action": "revoke_ingress", "resource_id": group, "approval_status": "approved"},
            )
            assert forged.is_error
        assert ssh_open(fresh_moto, group)

        async with http_session(url, DAVE_TOKEN) as dave:
            # The access policy for channel mcp-dave: costs only (and the status of requests).
            tools = {t.name for t in (await dave.list_tools()).tools}
            assert tools == {"cost_query", "approval_status"}
            assert not (await dave.call_tool("cost_query", {"period": "last_month"})).is_error
            scan = await dave.call_tool("security_scan", {})
            assert scan.is_error and "access policy" in text(scan)
            change = await dave.call_tool(
                "request_remediate", {"action": "revoke_ingress", "resource_id": group}
            )
            assert change.is_error and "access policy" in text(change)
            assert (await dave.list_resources()).resources == []

    anyio.run(sessions)
    approval_id = found["approval"]
    assert ssh_open(fresh_moto, group)

    own = cloudpilot(env, "approvals", "approve", approval_id, "--as", "alice@example.com")
    assert own.returncode == 1 and "four eyes" in own.stdout
    ok = cloudpilot(env, "approvals", "approve", approval_id, "--as", "bob")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert not ssh_open(fresh_moto, group)

    async def status() -> None:
        async with http_session(url, DAVE_TOKEN) as dave:
            result = await dave.call_tool("approval_status", {"approval_id": approval_id})
            assert structured(result)["approval"]["status"] == "executed"

    anyio.run(status)

    refused = audit(env, "--kind", "access_refused", "--actor", "dave")
    assert {r["subject"] for r in refused} >= {"security_scan", "remediate"}
    assert all(r["detail"]["channel"] == "mcp-dave" for r in refused)
    kinds = [r["kind"] for r in audit(env, "--approval", approval_id)]
    assert kinds.count("execution") == 1
