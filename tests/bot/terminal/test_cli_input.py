"""Malformed input to every CLI command: a clear message and a non-zero exit, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.main import cli


@pytest.fixture
def run(tmp_path: Path):  # type: ignore[no-untyped-def]
    runner = CliRunner()

    def _run(*args: str, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
        base = {"CLOUDPILOT_DATA_DIR": str(tmp_path), "CLOUDPILOT_AWS__ENDPOINT_URL": "http://127.0.0.1:9"}
        return runner.invoke(cli, list(args), env={**base, **(env or {})}, catch_exceptions=False)

    return _run


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["ask"], "Missing argument"),
        (["ask", "   "], "TEXT is empty"),
        (["ask", "--as", "", "hi"], "invalid user"),
        (["ask", "--bogus", "hi"], "No such option"),
        (["--now", "yesterday-ish", "ask", "hi"], "is not a date"),
        (["--now", "2024-13-45", "config", "show"], "is not a date"),
        (["approvals", "approve"], "Missing argument"),
        (["approvals", "approve", "ap-1"], "Missing option '--as'"),
        (["approvals", "reject", "ap-1"], "Missing option '--as'"),
        (["approvals", "list", "--status", "sideways"], "Invalid value"),
        (["approvals", "frobnicate"], "No such command"),
        (["sandbox", "explode"], "No such command"),
        (["config", "show", "--extra"], "No such option"),
        (["--config", "/nonexistent/cloudpilot.toml", "config", "show"], "config file not found"),
        (["audit", "--approval"], "requires an argument"),
        (["nonsense"], "No such command"),
        (["sandbox", "status", "extra"], "unexpected extra argument"),
        (["sandbox", "stop", "--force"], "No such option"),
        (["sandbox", "reset", "now"], "unexpected extra argument"),
        (["chat", "--as"], "requires an argument"),
        (["chat", "--as", ""], "invalid user"),
        (["demo", "--bogus"], "No such option"),
    ],
)
def test_malformed_arguments(run, args: list[str], needle: str) -> None:  # type: ignore[no-untyped-def]
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert needle in result.output


def test_invalid_settings_from_env(run) -> None:  # type: ignore[no-untyped-def]
    result = run("config", "show", env={"CLOUDPILOT_LLM__PROVIDER": "skynet"})
    assert result.exit_code == 2 and "invalid settings" in result.output and "llm.provider" in result.output


def test_invalid_config_file(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.toml"
    bad.write_text("this is = = not toml")
    result = run("--config", str(bad), "config", "show")
    assert result.exit_code == 2, result.output


def test_config_show_masks_secrets(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cfg = tmp_path / "c.toml"
    cfg.write_text(
        '[llm]\nprovider = "openai"\napi_key = "sk-very-secret"\n[slack]\nbot_token = "xoxb-secret"\n'
    )
    result = run("--config", str(cfg), "config", "show", env={"CLOUDPILOT_LLM__MODEL": "from-env"})
    assert result.exit_code == 0, result.output
    shown = json.loads(result.output)
    assert "sk-very-secret" not in result.output and "xoxb-secret" not in result.output
    assert shown["llm"]["api_key"] == "**********" and shown["llm"]["model"] == "from-env"
    assert shown["llm"]["provider"] == "openai"


def test_unknown_approval_id(run) -> None:  # type: ignore[no-untyped-def]
    result = run("approvals", "approve", "ap-nope", "--as", "bob")
    assert result.exit_code == 3 and "no approval request" in result.output  # not found


def test_now_pins_last_month(run) -> None:  # type: ignore[no-untyped-def]
    result = run("--now", "2024-10-15", "config", "show")
    assert json.loads(result.output)["now"].startswith("2024-10-15")


def test_chat_session(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(
        cli,
        ["chat", "--as", "alice"],
        input="hello\n\nexit\n",
        env={"CLOUDPILOT_AWS__ENDPOINT_URL": "http://127.0.0.1:9", "CLOUDPILOT_DATA_DIR": str(tmp_path)},
    )
    assert result.exit_code == 0, result.output
    assert "talking as alice" in result.output and "CloudPilot" in result.output
