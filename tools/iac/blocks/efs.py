"""EFS file system: encrypted with the shared CMK, a mount target per private subnet behind a
security group that allows NFS from the named network only, automatic backups, TLS-only access
policy, an access point that pins the POSIX user."""

from __future__ import annotations

import re
from typing import Any, ClassVar, Literal

from pydantic import Field

from tools.iac import yamlout
from tools.iac.blocks.base import BlockParams, BlockSpec, Scene, Unit, cfn, named, resource, retained
from tools.iac.blocks.security_group import group_ref, security_group
from tools.iac.features import Features
from tools.iac.hcl import Block, Call, ref


class EfsParams(BlockParams):
    name: str = Field(default="shared-data", pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")
    performance_mode: Literal["generalPurpose", "maxIO"] = "generalPurpose"
    throughput_mode: Literal["elastic", "bursting"] = "elastic"
    transition_days: int = Field(default=30, ge=1, le=365)


class Efs(BlockSpec):
    kind: ClassVar[str] = "efs"
    title: ClassVar[str] = "EFS file system"
    nouns: ClassVar[tuple[str, ...]] = (
        r"\befs(?:\s+(?:file\s*system|volume|share))?\b",
        r"\belastic\s+file\s+system\b",
        r"\bnfs\s+share\b",
    )
    params_model: ClassVar[type[BlockParams]] = EfsParams
    tf_type: ClassVar[str] = "aws_efs_file_system"
    cfn_type: ClassVar[str] = "AWS::EFS::FileSystem"
    design: ClassVar[tuple[str, ...]] = (
        "EFS: encrypted with the shared CMK, mount targets in the private subnets behind an NFS-only "
        "security group, automatic backups, TLS-only file system policy.",
    )
    access: ClassVar[dict[str, tuple[str, ...]]] = {
        "read": ("elasticfilesystem:ClientMount",),
        "write": ("elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"),
    }

    def read(self, f: Features, text: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        name = named(f, text, "efs", "system")
        if name:
            out["name"] = name.lower()
        if "max io" in text.lower() or "maxio" in text.lower():
            out["performance_mode"] = "maxIO"
        if "bursting" in text.lower():
            out["throughput_mode"] = "bursting"
        m = re.search(
            r"\b(?:ia|infrequent\s+access)\b.{0,20}?(\d{1,3})\s*days?|(\d{1,3})\s*days?.{0,30}\b(?:ia|infrequent)",
            text,
            re.I,
        )
        if m:
            out["transition_days"] = int(m.group(1) or m.group(2))
        return out

    def _lifecycle_days(self, days: int) -> str:
        allowed = (1, 7, 14, 30, 60, 90, 180, 270, 365)
        return f"AFTER_{next((d for d in allowed if d >= days), 365)}_DAY{'S' if days != 1 else ''}"

    def _policy(self, u: Unit, s: Scene) -> dict[str, Any]:
        return {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "DenyInsecureTransport",
                    "Effect": "Deny",
                    "Principal": {"AWS": "*"},
                    "Action": "*",
                    # CloudFormation cannot name the file system in its own policy; "*" is this one.
                    "Resource": self.arn(u, s) if s.fmt == "terraform" else "*",
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                }
            ],
        }

    def terraform(self, u: Unit, s: Scene) -> list[Block]:
        p: EfsParams = u.params
        sg, _ = security_group(
            s,
            f"{u.label}_nfs",
            f"{u.lid}NfsSg",
            f"EFS {p.name}: NFS from the private network",
            [(2049, s.client_cidr(), "NFS from the private network")],
        )
        fs = ref(f"aws_efs_file_system.{u.label}.id")
        blocks = [
            resource(
                "aws_efs_file_system",
                u.label,
                ("creation_token", p.name),
                ("encrypted", True),
                ("kms_key_id", s.key_arn()),
                ("performance_mode", p.performance_mode),
                ("throughput_mode", p.throughput_mode),
                Block(
                    "lifecycle_policy", body=[("transition_to_ia", self._lifecycle_days(p.transition_days))]
                ),
                ("tags", {"Name": p.name}),
            ),
            resource(
                "aws_efs_backup_policy",
                u.label,
                ("file_system_id", fs),
                Block("backup_policy", body=[("status", "ENABLED")]),
            ),
            resource(
                "aws_efs_file_system_policy",
                u.label,
                ("file_system_id", fs),
                ("policy", Call("jsonencode", self._policy(u, s))),
            ),
            *sg,
            resource(
                "aws_efs_mount_target",
                u.label,
                ("for_each", ref(f"toset({s.private_subnets().text})")),
                ("file_system_id", fs),
                ("subnet_id", ref("each.value")),
                ("security_groups", [group_ref(s, f"{u.label}_nfs", f"{u.lid}NfsSg")]),
            ),
            resource(
                "aws_efs_access_point",
                u.label,
                ("file_system_id", fs),
                Block("posix_user", body=[("uid", 10001), ("gid", 10001)]),
                Block(
                    "root_directory",
                    body=[
                        ("path", "/data"),
                        Block(
                            "creation_info",
                            body=[("owner_uid", 10001), ("owner_gid", 10001), ("permissions", "750")],
                        ),
                    ],
                ),
            ),
        ]
        s.output(f"{u.label}_file_system_id", fs, "ID of the file system.")
        return blocks

    def cloudformation(self, u: Unit, s: Scene) -> dict[str, Any]:
        p: EfsParams = u.params
        _, out = security_group(
            s,
            f"{u.label}_nfs",
            f"{u.lid}NfsSg",
            f"EFS {p.name}: NFS from the private network",
            [(2049, s.client_cidr(), "NFS from the private network")],
        )
        out[u.lid] = retained(
            "AWS::EFS::FileSystem",
            {
                "Encrypted": True,
                "KmsKeyId": s.key_arn(),
                "PerformanceMode": p.performance_mode,
                "ThroughputMode": p.throughput_mode,
                "LifecyclePolicies": [{"TransitionToIA": self._lifecycle_days(p.transition_days)}],
                "BackupPolicy": {"Status": "ENABLED"},
                "FileSystemPolicy": self._policy(u, s),
                "FileSystemTags": [{"Key": "Name", "Value": p.name}],
            },
        )
        subnets = s.private_subnets()
        for i in range(2):
            out[f"{u.lid}MountTarget{i + 1}"] = cfn(
                "AWS::EFS::MountTarget",
                {
                    "FileSystemId": yamlout.ref(u.lid),
                    "SubnetId": subnets[i] if isinstance(subnets, list) else yamlout.select(i, subnets),
                    "SecurityGroups": [group_ref(s, f"{u.label}_nfs", f"{u.lid}NfsSg")],
                },
            )
        out[f"{u.lid}AccessPoint"] = cfn(
            "AWS::EFS::AccessPoint",
            {
                "FileSystemId": yamlout.ref(u.lid),
                "PosixUser": {"Uid": "10001", "Gid": "10001"},
                "RootDirectory": {
                    "Path": "/data",
                    "CreationInfo": {"OwnerUid": "10001", "OwnerGid": "10001", "Permissions": "750"},
                },
            },
        )
        s.output(f"{u.label}_file_system_id", yamlout.ref(u.lid), "ID of the file system.")
        return out
