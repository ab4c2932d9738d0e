"""revoke_ingress: remove security group ingress rules that admit the whole internet."""

from __future__ import annotations

import ipaddress
from typing import Any, ClassVar

from botocore.exceptions import ClientError
from pydantic import Field, field_validator

from tools.base import ChangePlan, ToolContext, Verification
from tools.inventory.exposure import WORLD_CIDRS
from tools.inventory.resources import Resource, ResourceType
from tools.remediation.base import ActionParams, ApplyOutcome, RemediationAction, new_plan, reload
from tools.security.rule import Rule
from tools.security.rules.ec2.open_admin_ports import ADMIN_PORTS, OpenAdminPorts, covers_port
from tools.security.rules.ec2.open_database_ports import DATABASE_PORTS, OpenDatabasePorts


class RevokeIngressParams(ActionParams):
    port: int | None = Field(
        default=None, ge=0, le=65535, description="Only this port; 22 and 3389 when omitted."
    )
    ports: list[int] | None = Field(
        default=None, min_length=1, description="Several ports at once (instead of port)."
    )
    cidr: str | None = Field(default=None, description="Only this source; 0.0.0.0/0 and ::/0 when omitted.")

    @field_validator("cidr")
    @classmethod
    def _valid_cidr(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            return str(ipaddress.ip_network(value.strip(), strict=False))
        except ValueError:
            raise ValueError(f"'{value}' is not a CIDR block such as 0.0.0.0/0 or ::/0") from None

    @field_validator("ports")
    @classmethod
    def _valid_ports(cls, value: list[int] | None) -> list[int] | None:
        if value is not None and any(not 0 <= p <= 65535 for p in value):
            raise ValueError("ports must be between 0 and 65535")
        return value

    def wanted_ports(self) -> tuple[int, ...]:
        if self.port is not None:
            return (self.port,)
        if self.ports:
            return tuple(dict.fromkeys(self.ports))
        return tuple(ADMIN_PORTS)


def _key(entry: dict[str, Any]) -> tuple[str, Any, Any, str]:
    return (str(entry["protocol"]), entry.get("from_port"), entry.get("to_port"), str(entry["cidr"]))


def _describe(entry: dict[str, Any]) -> str:
    protocol, low, high = entry["protocol"], entry.get("from_port"), entry.get("to_port")
    if protocol in ("-1", "all"):
        what = "all traffic"
    else:
        what = f"{protocol} {low}" if low == high else f"{protocol} {low}-{high}"
    return f"{what} from {entry['cidr']}"


def _ip_permission(entry: dict[str, Any]) -> dict[str, Any]:
    perm: dict[str, Any] = {"IpProtocol": entry["protocol"]}
    if entry["protocol"] not in ("-1", "all"):
        perm["FromPort"] = entry["from_port"]
        perm["ToPort"] = entry["to_port"]
    else:
        perm["IpProtocol"] = "-1"
    cidr = str(entry["cidr"])
    if ":" in cidr:
        perm["Ipv6Ranges"] = [{"CidrIpv6": cidr}]
    else:
        perm["IpRanges"] = [{"CidrIp": cidr}]
    return perm


def _present(resource: Resource) -> set[tuple[str, Any, Any, str]]:
    return {_key(e) for e in resource.attributes.get("ingress", []) if e.get("cidr")}


class RevokeIngress(RemediationAction):
    name: ClassVar[str] = "revoke_ingress"
    description: ClassVar[str] = (
        "Revoke security group ingress rules open to the internet on a port (default: SSH 22 and RDP 3389; "
        "database ports with port/ports)."
    )
    resource_type: ClassVar[ResourceType] = "security_group"
    params_model: ClassVar[type[ActionParams]] = RevokeIngressParams
    permissions: ClassVar[tuple[str, ...]] = ("ec2:DescribeSecurityGroups", "ec2:RevokeSecurityGroupIngress")
    rule: ClassVar[type[Rule] | None] = OpenAdminPorts

    def _rule_for(self, plan: ChangePlan) -> type[Rule]:
        ports = plan.details.get("ports") or []
        return OpenDatabasePorts if ports and all(p in DATABASE_PORTS for p in ports) else OpenAdminPorts

    def _check(self, plan: ChangePlan, resource: Resource) -> str:
        rule = self._rule_for(plan)
        violation = rule().evaluate(resource)
        return f"{rule.id} now passes." if violation is None else f"{rule.id} still fails: {violation.detail}"

    def plan(self, ctx: ToolContext, resource: Resource, params: ActionParams) -> ChangePlan:
        assert isinstance(params, RevokeIngressParams)
        ports = params.wanted_ports()
        cidrs = (params.cidr,) if params.cidr else WORLD_CIDRS
        entries: dict[tuple[str, Any, Any, str], dict[str, Any]] = {}
        for entry in resource.attributes.get("ingress", []):
            if entry.get("cidr") in cidrs and any(covers_port(entry, p) for p in ports):
                entries.setdefault(_key(entry), entry)
        where = f"{resource.id} ({resource.region})"
        wanted = f"port {' or '.join(str(p) for p in ports)} from {' or '.join(cidrs)}"
        label = f"{resource.id} ({resource.name}, {resource.region})"
        perms = [
            {k: e.get(k) for k in ("protocol", "from_port", "to_port", "cidr")} for e in entries.values()
        ]
        details = {
            "group_id": resource.id,
            "group_name": resource.name,
            "permissions": perms,
            "ports": list(ports),
            "cidrs": list(cidrs),
        }
        if not perms:
            return new_plan(
                ctx,
                self.name,
                resource,
                applicable=False,
                details=details,
                summary=f"Nothing to revoke: {label} has no ingress rule allowing {wanted}.",
            )
        return new_plan(
            ctx,
            self.name,
            resource,
            details=details,
            summary=f"Revoke {len(perms)} ingress rule{'s' if len(perms) > 1 else ''} allowing {wanted} "
            f"on {label}.",
            changes=[f"revoke ingress {_describe(p)} on {where}" for p in perms],
        )

    def apply(self, ctx: ToolContext, plan: ChangePlan) -> ApplyOutcome:
        current = _present(reload(ctx, plan, self.resource_type))
        ec2 = ctx.aws.client("ec2", plan.region)
        outcome = ApplyOutcome()
        for perm in plan.details.get("permissions", []):
            text = f"revoke ingress {_describe(perm)} on {plan.resource_id} ({plan.region})"
            if _key(perm) not in current:
                outcome.unchanged.append(text + ": already revoked")
                continue
            try:
                ec2.revoke_security_group_ingress(
                    GroupId=plan.resource_id, IpPermissions=[_ip_permission(perm)]
                )
            except ClientError as exc:
                # Someone revoked it between our read and our call: the goal holds.
                if exc.response["Error"]["Code"] != "InvalidPermission.NotFound":
                    raise
                outcome.unchanged.append(text + ": already revoked")
                continue
            outcome.changed.append(text)
        return outcome

    def verify(self, ctx: ToolContext, plan: ChangePlan) -> Verification:
        resource = reload(ctx, plan, self.resource_type)
        if not plan.details.get("permissions"):
            return Verification(
                ok=True, message=f"Nothing was planned for {plan.resource_id}. " + self._check(plan, resource)
            )
        still = [p for p in plan.details.get("permissions", []) if _key(p) in _present(resource)]
        if still:
            return Verification(
                ok=False,
                message=f"{plan.resource_id} still allows "
                + ", ".join(_describe(p) for p in still)
                + ". "
                + self._check(plan, resource),
            )
        return Verification(
            ok=True,
            message=f"{plan.resource_id} no longer allows the revoked rules. {self._check(plan, resource)}",
        )
