"""`serve teams` and Teams on `serve slack`'s server: what the commands say before serving."""

from __future__ import annotations

from click.testing import CliRunner

from bot.main import serve


def test_serve_teams_says_what_to_set() -> None:
    result = CliRunner().invoke(serve, ["teams", "--port", "0"], env={"CLOUDPILOT_TEAMS__APP_ID": ""})
    assert result.exit_code == 2
    assert "teams.app_id" in result.output and "teams.app_password" in result.output


def test_both_fronts_share_the_work_options() -> None:
    for command in ("slack", "teams"):
        result = CliRunner().invoke(serve, [command, "--help"])
        assert result.exit_code == 0
        for option in ("--worker", "--workers", "--read-timeout-s", "--json-logs"):
            assert option in result.output, (command, option)
    assert "/api/messages" in CliRunner().invoke(serve, ["slack", "--help"]).output
