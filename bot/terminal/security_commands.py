"""`cloudpilot security rules [--json]`: the security rule catalogue (agent/api.py `security_rules`)."""

from __future__ import annotations

import json
from collections import Counter

import click
from rich.console import Console
from rich.table import Table

from agent.api import security_rules

SHORT = {
    "CIS AWS Foundations Benchmark v3.0.0": "CIS",
    "AWS Foundational Security Best Practices": "FSBP",
    "PCI DSS v4.0": "PCI",
    "SOC 2 (TSC 2017)": "SOC2",
}


@click.group("security")
def security_group() -> None:
    """Security rules and what they map to."""


@security_group.command("rules")
@click.option("--json", "as_json", is_flag=True, help="Print the catalogue as JSON.")
@click.option("--service", "services", multiple=True, help="Only these services (repeatable).")
def rules_command(as_json: bool, services: tuple[str, ...]) -> None:
    """List every rule: id, service, severity, framework controls, Prowler checks, remediation action."""
    rules = [r for r in security_rules() if not services or r.service in services]
    if as_json:
        click.echo(json.dumps([r.model_dump() for r in rules], indent=2))
        return
    table = Table(title=f"{len(rules)} security rules over {len({r.service for r in rules})} services")
    for column in ("Rule", "Service", "Severity", "Controls", "Prowler", "Action"):
        table.add_column(column, overflow="fold")
    for r in rules:
        controls = "; ".join(f"{SHORT.get(f, f)} {', '.join(ids)}" for f, ids in r.compliance.items()) or "-"
        table.add_row(
            r.id, r.service, r.severity, controls, "\n".join(r.prowler_checks), r.remediation_action or "-"
        )
    console = Console()
    console.print(table)
    counts = Counter(r.severity for r in rules)
    console.print(", ".join(f"{counts[s]} {s}" for s in ("critical", "high", "medium", "low") if counts[s]))
