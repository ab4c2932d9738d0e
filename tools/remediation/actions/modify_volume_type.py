"""modify_volume_type: change an EBS volume's type in place (gp2 -> gp3 is the usual saving)."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import Field

from tools.base import ChangePlan, ToolContext, Verification
from tools.inventory.resources import AnyResourceType, Resource
from tools.remediation.base import ActionParams, SettingAction, find_optional

# Elastic Volumes keeps changing the volume after it reports the new type; these states mean
# the change has been accepted.
_ACCEPTED = ("modifying", "optimizing", "completed")


class ModifyVolumeTypeParams(ActionParams):
    volume_type: Literal["gp3", "gp2"] = Field(default="gp3", description="The new volume type.")


class ModifyVolumeType(SettingAction):
    name: ClassVar[str] = "modify_volume_type"
    description: ClassVar[str] = (
        "Change an EBS volume's type in place with Elastic Volumes (default gp3), without detaching it. "
        "A volume can be modified again only after 6 hours."
    )
    resource_type: ClassVar[AnyResourceType] = "ebs_volume"
    params_model: ClassVar[type[ActionParams]] = ModifyVolumeTypeParams
    permissions: ClassVar[tuple[str, ...]] = (
        "ec2:DescribeVolumes",
        "ec2:DescribeVolumesModifications",
        "ec2:ModifyVolume",
    )

    def describe(self, resource: Resource) -> dict[str, Any]:
        return {k: resource.attributes.get(k) for k in ("volume_type", "size_gb", "state", "attached_to")}

    def blocked(self, resource: Resource, params: ActionParams) -> str | None:
        state = resource.attributes.get("state")
        if state not in (None, "available", "in-use"):
            return f"Volume {resource.id} is {state}; only available or in-use volumes can be modified."
        return None

    def pending(self, resource: Resource, params: ActionParams) -> list[str]:
        assert isinstance(params, ModifyVolumeTypeParams)
        current = resource.attributes.get("volume_type")
        if current == params.volume_type:
            return []
        return [f"change volume {resource.id} from {current} to {params.volume_type}"]

    def summary(self, resource: Resource, params: ActionParams) -> str:
        assert isinstance(params, ModifyVolumeTypeParams)
        return (
            f"Change volume {resource.id} ({resource.name}, {resource.region}) from "
            f"{resource.attributes.get('volume_type')} to {params.volume_type} in place; it stays attached."
        )

    def change(self, ctx: ToolContext, resource: Resource, params: ActionParams, todo: list[str]) -> None:
        assert isinstance(params, ModifyVolumeTypeParams)
        ctx.aws.client("ec2", resource.region).modify_volume(
            VolumeId=resource.id, VolumeType=params.volume_type
        )

    def verify(self, ctx: ToolContext, plan: ChangePlan) -> Verification:
        params = self.planned_params(plan)
        assert isinstance(params, ModifyVolumeTypeParams)
        resource = find_optional(ctx, self.resource_type, plan.resource_id, plan.region)
        if resource is None:
            return Verification(ok=False, message=f"Volume {plan.resource_id} no longer exists.")
        if resource.attributes.get("volume_type") == params.volume_type:
            return Verification(ok=True, message=f"Volume {plan.resource_id} is now {params.volume_type}.")
        mods = ctx.aws.client("ec2", plan.region).describe_volumes_modifications(VolumeIds=[plan.resource_id])
        for m in mods.get("VolumesModifications", []):
            if m.get("TargetVolumeType") == params.volume_type and m.get("ModificationState") in _ACCEPTED:
                return Verification(
                    ok=True,
                    message=f"Volume {plan.resource_id} is changing to {params.volume_type} "
                    f"({m['ModificationState']}).",
                )
        return Verification(
            ok=False, message=f"Volume {plan.resource_id} is still {resource.attributes.get('volume_type')}."
        )
