"""Who the terminal acts as: anyone in the sandbox (`--as`), the OS user against a real account."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from bot.main import cli


def invoke(tmp_path: Path, *args: str, mode: str = "real", stdin: str | None = None) -> Result:
    env = {
        "CLOUDPILOT_DATA_DIR": str(tmp_path),
        # Nothing answers here: these commands must decide who you are before touching a cloud.
        "CLOUDPILOT_AWS__ENDPOINT_URL": "http://127.0.0.1:9",
        "CLOUDPILOT_AWS__MODE": mode,
        "CLOUDPILOT_IDENTITIES": json.dumps({"bob": ["bsmith", "U024BE7LH"], "carol": []}),
    }
    return CliRunner().invoke(cli, list(args), env=env, input=stdin, catch_exceptions=False)


@pytest.fixture
def os_user(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], None]:
    def _set(name: str) -> None:
        monkeypatch.setattr("getpass.getuser", lambda: name)

    return _set


def test_real_mode_acts_as_the_mapped_os_user(tmp_path: Path, os_user: Callable[[str], None]) -> None:
    os_user("bsmith")
    result = invoke(tmp_path, "chat", stdin="exit\n")
    assert result.exit_code == 0, result.output
    assert "talking as bob" in result.output
    decided = invoke(tmp_path, "approvals", "approve", "ap-nope")
    assert decided.exit_code == 3 and "no approval request" in decided.output  # got past identity (not found)


def test_real_mode_refuses_an_os_user_outside_the_table(
    tmp_path: Path, os_user: Callable[[str], None]
) -> None:
    os_user("mallory")
    for args in (["ask", "hi"], ["chat"], ["approvals", "approve", "ap-1"], ["approvals", "reject", "ap-1"]):
        result = invoke(tmp_path, *args)
        assert result.exit_code == 2, result.output
        assert "'mallory' is not in the identity table" in result.output


@pytest.mark.parametrize(
    "args",
    [
        ["ask", "--as", "carol", "hi"],
        ["chat", "--as", "carol"],
        ["approvals", "approve", "ap-1", "--as", "carol"],
        ["approvals", "reject", "ap-1", "--as", "alice"],
    ],
)
def test_real_mode_refuses_as_someone_else(
    tmp_path: Path, os_user: Callable[[str], None], args: list[str]
) -> None:
    os_user("bsmith")
    result = invoke(tmp_path, *args)
    assert result.exit_code == 2, result.output
    assert "refused" in result.output and "you act as yourself, bob" in result.output


def test_real_mode_as_may_name_yourself(tmp_path: Path, os_user: Callable[[str], None]) -> None:
    os_user("bsmith")
    result = invoke(tmp_path, "approvals", "approve", "ap-nope", "--as", "U024BE7LH")
    assert result.exit_code == 3 and "no approval request" in result.output  # not found


def test_real_mode_without_an_os_user(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def nobody() -> str:
        raise OSError("No username set in the environment")

    monkeypatch.setattr("getpass.getuser", nobody)
    result = invoke(tmp_path, "approvals", "approve", "ap-1")
    assert result.exit_code == 2 and "cannot tell who you are" in result.output


def test_sandbox_takes_as(tmp_path: Path, os_user: Callable[[str], None]) -> None:
    os_user("mallory")  # ignored in the sandbox
    result = invoke(tmp_path, "approvals", "approve", "ap-nope", "--as", "carol", mode="sandbox")
    assert result.exit_code == 3 and "no approval request" in result.output  # not found
    missing = invoke(tmp_path, "approvals", "approve", "ap-1", mode="sandbox")
    assert missing.exit_code == 2 and "Missing option '--as'" in missing.output
    look_alike = invoke(tmp_path, "approvals", "approve", "ap-1", "--as", "b\u043eb", mode="sandbox")
    assert look_alike.exit_code == 2 and "invalid user" in look_alike.output


def test_demo_plays_several_people_only_in_the_sandbox(
    tmp_path: Path, os_user: Callable[[str], None]
) -> None:
    os_user("bsmith")
    result = invoke(tmp_path, "demo", "--no-reset")
    assert result.exit_code == 2 and 'only with aws.mode = "sandbox"' in result.output
