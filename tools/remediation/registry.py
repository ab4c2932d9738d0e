"""The explicit list of remediation actions, by name."""

from __future__ import annotations

from tools.base import UserFacingError
from tools.inventory.kinds import kind
from tools.remediation.actions.block_public_access import BlockPublicAccess
from tools.remediation.actions.deactivate_access_key import DeactivateAccessKey
from tools.remediation.actions.delete_snapshot import DeleteSnapshot
from tools.remediation.actions.delete_volume import DeleteVolume
from tools.remediation.actions.disable_auto_public_ip import DisableAutoPublicIp
from tools.remediation.actions.disable_public_access import DisableRdsPublicAccess
from tools.remediation.actions.enable_bucket_encryption import EnableBucketEncryption
from tools.remediation.actions.enable_bucket_versioning import EnableBucketVersioning
from tools.remediation.actions.enable_ebs_default_encryption import EnableEbsDefaultEncryption
from tools.remediation.actions.enable_guardduty import EnableGuardDuty
from tools.remediation.actions.enable_key_rotation import EnableKeyRotation
from tools.remediation.actions.enable_log_file_validation import EnableLogFileValidation
from tools.remediation.actions.enable_pitr import EnablePitr
from tools.remediation.actions.enable_scan_on_push import EnableScanOnPush
from tools.remediation.actions.make_snapshot_private import MakeSnapshotPrivate
from tools.remediation.actions.modify_volume_type import ModifyVolumeType
from tools.remediation.actions.redirect_http_to_https import RedirectHttpToHttps
from tools.remediation.actions.release_address import ReleaseAddress
from tools.remediation.actions.remove_nacl_entry import RemoveNaclEntry
from tools.remediation.actions.require_imdsv2 import RequireImdsv2
from tools.remediation.actions.revoke_ingress import RevokeIngress
from tools.remediation.actions.stop_instance import StopInstance
from tools.remediation.base import RemediationAction

ACTION_CLASSES: tuple[type[RemediationAction], ...] = (
    RevokeIngress,
    BlockPublicAccess,
    EnableBucketEncryption,
    EnableBucketVersioning,
    EnableKeyRotation,
    DisableRdsPublicAccess,
    StopInstance,
    DeleteVolume,
    DeactivateAccessKey,
    EnableEbsDefaultEncryption,
    EnableLogFileValidation,
    RequireImdsv2,
    MakeSnapshotPrivate,
    ReleaseAddress,
    DeleteSnapshot,
    ModifyVolumeType,
    RemoveNaclEntry,
    RedirectHttpToHttps,
    EnablePitr,
    EnableScanOnPush,
    EnableGuardDuty,
    DisableAutoPublicIp,
)

ACTIONS: dict[str, type[RemediationAction]] = {cls.name: cls for cls in ACTION_CLASSES}


def get_action(name: str) -> RemediationAction:
    cls = ACTIONS.get(name)
    if cls is None:
        raise UserFacingError(
            f"Unknown remediation action '{name}'. Available: {', '.join(sorted(ACTIONS))}."
        )
    return cls()


def all_permissions() -> tuple[str, ...]:
    """What the actions change, plus what finding and re-checking their resources reads."""
    perms = {p for cls in ACTIONS.values() for p in (*cls.permissions, *kind(cls.resource_type).permissions)}
    return tuple(sorted(perms | {"sts:GetCallerIdentity"}))
