"""remove_nacl_entry: delete inbound network ACL entries that admit the internet on every port or
on SSH/RDP.

Safe: it refuses when the removal would leave an ACL that subnets use with no inbound allow entry
at all (a default ACL's allow-all entry, typically), which would cut the subnets off, replies
included. Reversible: the plan records every entry it removes (number, protocol, ports, source),
so each can be created again with `aws ec2 create-network-acl-entry`.
"""

from __future__ import annotations

from typing import Any, ClassVar

from botocore.exceptions import ClientError
from pydantic import Field

from tools.base import ToolContext
from tools.inventory.exposure import WORLD_CIDRS
from tools.inventory.resources import AnyResourceType, Resource
from tools.remediation.base import ActionParams, SettingAction
from tools.security.rule import Rule
from tools.security.rules.ec2.nacl_open_admin_ports import NaclOpenAdminPorts
from tools.security.rules.ec2.nacl_open_all_ports import NaclOpenAllPorts, world_allowed

# The ports the rules flag (None: every port).
_FLAGGED_PORTS: tuple[int | None, ...] = (None, 22, 3389)


class NaclEntryParams(ActionParams):
    rule_number: int | None = Field(
        default=None,
        ge=1,
        le=32766,
        description="The inbound entry to remove; when omitted, every entry that makes the ACL fail "
        "the open-ports rules.",
    )


def entry_label(entry: dict[str, Any]) -> str:
    protocol = str(entry.get("protocol", "")).lower()
    low, high = entry.get("from_port"), entry.get("to_port")
    if protocol in ("-1", "all"):
        what = "all traffic"
    else:
        name = {"6": "tcp", "17": "udp", "1": "icmp"}.get(protocol, protocol)
        what = name if low is None else f"{name} {low}" if low == high else f"{name} {low}-{high}"
    return f"{what} from {entry.get('cidr')}"


def flagged_entries(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The inbound entries to remove so that neither NACL rule fails: the entries the rules flag,
    then those that removing them would bring forward, until none is left (lowest number first)."""
    left = list(entries)
    removed: dict[int, dict[str, Any]] = {}
    while True:
        hits = {e["rule_number"]: e for port in _FLAGGED_PORTS for e in world_allowed(left, port)}
        if not hits:
            return [removed[n] for n in sorted(removed)]
        removed.update(hits)
        left = [e for e in left if e["rule_number"] not in hits]


class RemoveNaclEntry(SettingAction):
    name: ClassVar[str] = "remove_nacl_entry"
    description: ClassVar[str] = (
        "Remove inbound network ACL entries that allow the internet (0.0.0.0/0, ::/0) on every port or "
        "on SSH/RDP; one entry with rule_number. The plan records each entry so it can be re-created."
    )
    resource_type: ClassVar[AnyResourceType] = "network_acl"
    params_model: ClassVar[type[ActionParams]] = NaclEntryParams
    permissions: ClassVar[tuple[str, ...]] = ("ec2:DescribeNetworkAcls", "ec2:DeleteNetworkAclEntry")
    rule: ClassVar[type[Rule] | None] = NaclOpenAllPorts

    def _targets(self, resource: Resource, params: ActionParams) -> list[dict[str, Any]]:
        assert isinstance(params, NaclEntryParams)
        entries = list(resource.attributes.get("ingress") or [])
        if params.rule_number is None:
            return flagged_entries(entries)
        return [e for e in entries if e["rule_number"] == params.rule_number]

    def _change_text(self, resource: Resource, entry: dict[str, Any]) -> str:
        return (
            f"remove inbound entry {entry['rule_number']} ({entry_label(entry)}) "
            f"from network ACL {resource.id}"
        )

    def describe(self, resource: Resource) -> dict[str, Any]:
        return {
            "ingress": resource.attributes.get("ingress"),
            "subnets": resource.attributes.get("subnets"),
            "is_default": resource.attributes.get("is_default"),
        }

    def blocked(self, resource: Resource, params: ActionParams) -> str | None:
        assert isinstance(params, NaclEntryParams)
        for entry in self._targets(resource, params):
            if entry.get("action") != "allow" or entry.get("cidr") not in WORLD_CIDRS:
                return (
                    f"Entry {entry['rule_number']} of network ACL {resource.id} "
                    f"({entry.get('action')} {entry_label(entry)}) does not admit the internet; "
                    "this action only removes entries that do."
                )
        removing = {e["rule_number"] for e in self._targets(resource, params)}
        kept = [
            e
            for e in resource.attributes.get("ingress") or []
            if e["rule_number"] not in removing and e.get("action") == "allow"
        ]
        subnets = resource.attributes.get("subnets") or []
        if removing and subnets and not kept:
            return (
                f"Removing entr{'ies' if len(removing) > 1 else 'y'} {', '.join(map(str, sorted(removing)))} "
                f"would leave network ACL {resource.id} with no inbound allow entry, so subnets "
                f"{', '.join(subnets)} would receive nothing, replies included. Add entries for the traffic "
                "they need (and the ephemeral ports for replies) first."
            )
        return None

    def pending(self, resource: Resource, params: ActionParams) -> list[str]:
        return [self._change_text(resource, e) for e in self._targets(resource, params)]

    def summary(self, resource: Resource, params: ActionParams) -> str:
        numbers = ", ".join(str(e["rule_number"]) for e in self._targets(resource, params))
        subnets = resource.attributes.get("subnets") or []
        where = (
            f"subnets {', '.join(subnets)} then no longer accept"
            if subnets
            else "no subnet is associated with it, so nothing loses"
        )
        return (
            f"Remove inbound entr{'ies' if ',' in numbers else 'y'} {numbers} from network ACL {resource.id} "
            f"({resource.region}): {where} the traffic these entries allowed from the internet. Network ACLs "
            "are stateless: replies to connections the subnets open need their own inbound entry for "
            "ephemeral ports. The plan records each entry so it can be re-created."
        )

    def change(self, ctx: ToolContext, resource: Resource, params: ActionParams, todo: list[str]) -> None:
        ec2 = ctx.aws.client("ec2", resource.region)
        for entry in self._targets(resource, params):
            if self._change_text(resource, entry) not in todo:
                continue
            try:
                ec2.delete_network_acl_entry(
                    NetworkAclId=resource.id, RuleNumber=entry["rule_number"], Egress=False
                )
            except ClientError as exc:
                # Removed by someone else between our read and our call: the goal holds.
                if exc.response["Error"]["Code"] != "InvalidNetworkAclEntry.NotFound":
                    raise

    def rule_check(self, resource: Resource) -> str:
        parts = []
        for rule in (NaclOpenAllPorts, NaclOpenAdminPorts):
            violation = rule().evaluate(resource)
            outcome = "now passes." if violation is None else f"still fails: {violation.detail}"
            parts.append(f"{rule.id} {outcome}")
        return " ".join(parts)
