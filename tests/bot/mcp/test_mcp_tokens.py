"""Bearer tokens for the MCP server's HTTP transport: only their SHA-256 is configured, each maps
to a person through [identities], and `serve mcp --new-token` prints one with its settings line."""

from __future__ import annotations

import json
import re

import anyio
import pytest
from click.testing import CliRunner
from pydantic import ValidationError

from bot.main import cli
from bot.mcp.identity import SCOPE, TokenTable
from config import load_settings
from config.identity import Identities
from config.mcp import McpSettings, new_token, token_hash


def test_only_hashes_are_accepted_as_keys() -> None:
    token = new_token()
    digest = token_hash(token)
    assert re.fullmatch(r"[0-9a-f]{64}", digest) and token not in digest
    settings = McpSettings(tokens={f"sha256:{digest.upper()}": "alice"})
    assert settings.tokens == {digest: "alice"}
    with pytest.raises(ValidationError, match="SHA-256"):
        McpSettings(tokens={token: "alice"})  # a plaintext token is refused outright
    with pytest.raises(ValidationError):
        McpSettings(tokens={digest: "b\u200bob"})  # names are identities: no invisible characters


def test_a_token_maps_to_the_canonical_person() -> None:
    token = new_token()
    settings = load_settings(
        identities={"alice": ["alice@example.com"]}, mcp={"tokens": {token_hash(token): "Alice@Example.com"}}
    )
    table = TokenTable(settings.mcp, Identities(settings))

    async def verify(presented: str) -> str | None:
        found = await table.verify_token(presented)
        if found is not None:
            assert found.scopes == [SCOPE] and found.token != presented  # the plaintext is not kept
        return found.client_id if found else None

    assert anyio.run(verify, token) == "alice"
    assert anyio.run(verify, token + "x") is None
    assert anyio.run(verify, token_hash(token)) is None
    assert anyio.run(verify, "") is None


def test_new_token_prints_the_settings_entry(monkeypatch: pytest.MonkeyPatch) -> None:
    result = CliRunner().invoke(cli, ["serve", "mcp", "--new-token", "carol"])
    assert result.exit_code == 0, result.output
    token = re.search(r"cpm_[A-Za-z0-9_-]+", result.output)
    assert token is not None
    env_line = re.search(r"CLOUDPILOT_MCP__TOKENS='(.+)'", result.output)
    assert env_line is not None
    assert json.loads(env_line[1]) == {token_hash(token[0]): "carol"}
    monkeypatch.setenv("CLOUDPILOT_MCP__TOKENS", env_line[1])
    assert load_settings().mcp.user_for(token[0]) == "carol"

    bad = CliRunner().invoke(cli, ["serve", "mcp", "--new-token", "b\u200bob"])
    assert bad.exit_code != 0 and "invalid user" in bad.output


def test_http_needs_tokens(tmp_path: pytest.TempPathFactory) -> None:
    result = CliRunner().invoke(cli, ["--data-dir", str(tmp_path), "serve", "mcp", "--transport", "http"])
    assert result.exit_code != 0 and "bearer token" in result.output
