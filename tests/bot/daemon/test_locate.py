"""Which command lines go to the agent process, and where it is, without loading the settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.daemon.locate import fingerprint, forwarded


@pytest.fixture(autouse=True)
def _here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def test_turn_commands_in_a_terminal_go_to_the_data_dirs_agent(tmp_path: Path) -> None:
    where = forwarded(["--now", "2024-10-15", "ask", "hi"], stdout_is_tty=True)
    assert where is not None
    assert where.socket == tmp_path / ".cloudpilot" / "agent.sock"
    assert where.root_args == ("--data-dir", str(tmp_path / ".cloudpilot"))
    chat = forwarded(["--data-dir=d", "--debug", "chat", "--as", "bob"], stdout_is_tty=True)
    assert chat is not None and chat.data_dir == tmp_path / "d"


@pytest.mark.parametrize(
    "argv",
    [
        ["approvals", "list"],  # not a turn
        ["--no-daemon", "ask", "hi"],
        ["ask", "--help"],
        ["--version"],
        ["--unknown", "ask", "hi"],  # click says what is wrong
        ["--now"],
        [],
    ],
)
def test_everything_else_runs_in_its_own_process(argv: list[str]) -> None:
    assert forwarded(argv, stdout_is_tty=True) is None


def test_the_setting_decides_and_auto_means_a_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert forwarded(["ask", "hi"], stdout_is_tty=False) is None  # "auto": a script's pipe
    monkeypatch.setenv("CLOUDPILOT_CLI__DAEMON", "on")
    assert forwarded(["ask", "hi"], stdout_is_tty=False) is not None
    monkeypatch.setenv("cloudpilot_cli__daemon", "off")  # the settings read names in any case
    monkeypatch.delenv("CLOUDPILOT_CLI__DAEMON")
    assert forwarded(["ask", "hi"], stdout_is_tty=True) is None
    monkeypatch.delenv("cloudpilot_cli__daemon")
    config = tmp_path / "c.toml"
    config.write_text('data_dir = "state"\n[cli]\ndaemon = "off"\n')
    assert forwarded(["--config", str(config), "ask", "hi"], stdout_is_tty=True) is None
    config.write_text('data_dir = "state"\n[cli]\ndaemon = "on"\n')
    where = forwarded(["--config", str(config), "ask", "hi"], stdout_is_tty=False)
    assert where is not None and where.data_dir == tmp_path / "state" and where.config == config


def test_the_fingerprint_follows_the_environment_and_the_settings_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "c.toml"
    config.write_text("[approvals]\nexpiry_minutes = 30\n")
    first = fingerprint(config)
    assert fingerprint(config) == first
    monkeypatch.setenv("COLUMNS", "123")  # the terminal's width changes no answer
    assert fingerprint(config) == first
    config.write_text("[approvals]\nexpiry_minutes = 20\n")
    assert fingerprint(config) != first
    second = fingerprint(config)
    monkeypatch.setenv("AWS_PROFILE", "other")  # credentials come from the environment
    assert fingerprint(config) != second
