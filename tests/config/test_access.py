"""The access policy: who may use which tools and accounts, and what it defaults to."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from config import AccessPolicy, AccessRule, load_settings

TEAMS = AccessPolicy(
    rules=[
        AccessRule(channels=["#team-data"], tools=["cost_query", "list_findings"], accounts=["111122223333"]),
        AccessRule(channels=["ops"], users=["bob"], tools=["*"]),
        AccessRule(channels=["ops"], tools=["cost_query"]),
    ]
)


def decide(policy: AccessPolicy, channel: str, user: str, tool: str, mode: str = "real") -> tuple[bool, str]:
    d = policy.decide(channel=channel, user=user, tool=tool, aws_mode=mode)
    return d.allowed, d.reason


def test_a_channel_sees_only_its_tools_and_accounts() -> None:
    allowed = TEAMS.decide(channel="team-data", user="alice", tool="cost_query", aws_mode="real")
    assert allowed.allowed and allowed.accounts == frozenset({"111122223333"})
    assert decide(TEAMS, "team-data", "alice", "security_scan") == (
        False,
        "#team-data may not use security_scan (access policy)",
    )


def test_channel_names_match_with_or_without_hash_and_in_any_case() -> None:
    for channel in ("team-data", "#team-data", "TEAM-DATA"):
        assert decide(TEAMS, channel, "alice", "cost_query")[0]


def test_a_user_rule_allows_one_user_more_than_the_channel() -> None:
    bob = TEAMS.decide(channel="ops", user="bob", tool="security_scan", aws_mode="real")
    assert bob.allowed and bob.accounts is None
    assert decide(TEAMS, "ops", "alice", "security_scan") == (
        False,
        "alice in #ops may not use security_scan (access policy)",
    )
    assert decide(TEAMS, "ops", "alice", "cost_query")[0]


def test_accounts_are_the_union_of_the_rules_that_allow_the_tool() -> None:
    policy = AccessPolicy(
        rules=[
            AccessRule(channels=["c"], tools=["security_scan"], accounts=["111111111111"]),
            AccessRule(channels=["c"], tools=["security_scan"], accounts=["222222222222"]),
            AccessRule(channels=["c"], tools=["cost_query"], accounts=["*"]),
        ]
    )
    scan = policy.decide(channel="c", user="u", tool="security_scan", aws_mode="real")
    assert scan.accounts == frozenset({"111111111111", "222222222222"})
    assert policy.decide(channel="c", user="u", tool="cost_query", aws_mode="real").accounts is None


def test_default_is_open_in_the_sandbox_and_deny_for_real_aws() -> None:
    empty = AccessPolicy()
    assert empty.effective_default("sandbox") == "open"
    assert empty.effective_default("real") == "deny"
    assert decide(empty, "anywhere", "alice", "security_scan", mode="sandbox") == (True, "")
    allowed, reason = decide(empty, "anywhere", "alice", "security_scan", mode="real")
    assert not allowed and "no access rule covers #anywhere" in reason and "access.rules" in reason


def test_configured_rules_decide_and_the_rest_falls_to_the_default() -> None:
    # In real mode, rules open what they name and nothing else ...
    assert decide(TEAMS, "team-data", "alice", "cost_query")[0]
    assert not decide(TEAMS, "random", "alice", "cost_query")[0]
    # ... in the sandbox, a channel no rule names stays open ...
    assert decide(TEAMS, "random", "alice", "security_scan", mode="sandbox")[0]
    # ... while a channel a rule does name is limited there too.
    assert not decide(TEAMS, "team-data", "alice", "security_scan", mode="sandbox")[0]
    # An explicit default wins over the mode.
    assert decide(AccessPolicy(default="open"), "x", "y", "remediate", mode="real")[0]
    assert not decide(AccessPolicy(default="deny"), "x", "y", "cost_query", mode="sandbox")[0]


def test_settings_carry_the_policy(tmp_path: Path) -> None:
    settings = load_settings(
        data_dir=tmp_path,
        aws={"mode": "real"},
        access={"default": "deny", "rules": [{"channels": ["C0123"], "tools": ["cost_query"]}]},
    )
    assert settings.access.rules[0].channels == ["C0123"]
    assert settings.access.rules[0].accounts == ["*"]
    assert settings.masked()["access"]["default"] == "deny"


def test_settings_from_toml(tmp_path: Path) -> None:
    config = tmp_path / "cloudpilot.toml"
    config.write_text(
        '[aws]\nmode = "real"\n'
        '[[access.rules]]\nchannels = ["#team-data"]\ntools = ["cost_query"]\naccounts = ["111122223333"]\n'
    )
    settings = load_settings(config, data_dir=tmp_path)
    d = settings.access.decide(channel="team-data", user="x", tool="cost_query", aws_mode=settings.aws.mode)
    assert d.allowed and d.accounts == frozenset({"111122223333"})


def test_rules_refuse_unknown_fields_and_blank_entries() -> None:
    with pytest.raises(ValidationError):
        AccessRule.model_validate({"channel": ["x"]})
    with pytest.raises(ValidationError):
        AccessRule(tools=[" "])
    with pytest.raises(ValidationError):
        AccessPolicy.model_validate({"default": "maybe"})
