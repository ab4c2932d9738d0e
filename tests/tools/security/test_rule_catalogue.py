"""`cloudpilot security rules [--json]` lists the whole catalogue through agent/api.py."""

from __future__ import annotations

import json

from click.testing import CliRunner

from bot.terminal.security_commands import security_group
from tools.security.catalogue import rule_catalogue
from tools.security.rules import all_rules


def test_catalogue_lists_every_rule() -> None:
    infos = rule_catalogue()
    assert len(infos) == len(all_rules()) >= 150
    assert len({i.service for i in infos}) >= 20
    assert all(i.prowler_checks and i.remediation and i.severity for i in infos)
    trail = next(i for i in infos if i.id == "cloudtrail-multi-region")
    assert trail.compliance["CIS AWS Foundations Benchmark v3.0.0"] == ["3.1"]
    assert "cloudtrail_multi_region_enabled_logging_management_events" in trail.prowler_checks


def test_security_rules_command() -> None:
    runner = CliRunner()
    out = runner.invoke(security_group, ["rules", "--json"])
    assert out.exit_code == 0, out.output
    listed = json.loads(out.output)
    assert len(listed) == len(all_rules())
    assert set(listed[0]) >= {
        "id",
        "service",
        "severity",
        "compliance",
        "prowler_checks",
        "remediation_action",
    }
    table = runner.invoke(security_group, ["rules", "--service", "ecr"])
    assert table.exit_code == 0 and "4 security rules over 1 services" in table.output
