"""AWS Backup: a vault encrypted with the shared CMK, a plan with the schedule and retention the
request names (daily at 05:00 UTC, 35 days by default), and a selection naming exactly the
resources it protects (or, with none named, everything tagged backup=<plan>), run by a role with
only AWS Backup's own managed policies."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from pydantic import Field

from tools.iac import yamlout
from tools.iac.blocks.base import BlockParams, BlockSpec, Scene, Unit, cfn, named, resource
from tools.iac.blocks.eventbridge_rule import eventbridge_schedule
from tools.iac.features import Features
from tools.iac.hcl import Block, ref

BACKUP_POLICIES = (
    "arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
    "arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores",
)
PROTECTED = ("dynamodb_table", "efs", "rds_instance", "aurora_cluster", "ec2_instance", "s3_bucket")


class BackupParams(BlockParams):
    name: str = Field(default="daily", pattern=r"^[A-Za-z0-9_.-]{1,50}$")
    schedule: str = Field(default="cron(0 5 ? * * *)", pattern=r"^cron\(.+\)$")
    retention_days: int = Field(default=35, ge=1, le=36500)
    cold_after_days: int | None = Field(default=None, ge=1, le=36500)


class BackupPlan(BlockSpec):
    kind: ClassVar[str] = "backup_plan"
    title: ClassVar[str] = "AWS Backup plan"
    nouns: ClassVar[tuple[str, ...]] = (
        r"\b(?:aws\s+)?backup\s+(?:plans?|vaults?|selections?)(?:\s*(?:\+|and|&|with)\s*(?:a\s+)?(?:plans?|vaults?))?\b",
        r"\baws\s+backups?\b",
    )
    params_model: ClassVar[type[BlockParams]] = BackupParams
    tf_type: ClassVar[str] = "aws_backup_plan"
    cfn_type: ClassVar[str] = "AWS::Backup::BackupPlan"
    design: ClassVar[tuple[str, ...]] = (
        "Backup: a vault encrypted with the shared CMK, the plan's schedule and retention, a selection "
        "naming the protected resources, a role with only AWS Backup's managed policies.",
    )
    links: ClassVar[frozenset[tuple[str, str]]] = frozenset({("attach", k) for k in PROTECTED})
    examples: ClassVar[tuple[str, ...]] = (
        "an aws backup plan for a dynamodb table and an efs file system, daily at 3am, kept 35 days",
    )

    def read(self, f: Features, text: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        name = named(f, text, "plan", "vault")
        if name:
            out["name"] = name
        if f.schedule:
            schedule = eventbridge_schedule(f.schedule)
            if schedule.startswith("cron("):
                out["schedule"] = schedule
        m = re.search(
            r"\b(?:kept|keep(?:ing)?|retain(?:ed)?|retention(?:\s+of)?|for|expire\w*\s+after|delete\w*\s+after)"
            r"\s+(?:them\s+|backups\s+|for\s+)?(\d{1,5}|an?|one)\s*-?\s*(days?|weeks?|months?|years?)\b"
            r"|\b(\d{1,5})\s*-?\s*(days?|weeks?|months?|years?)\s+(?:of\s+)?(?:retention|backups)\b",
            text,
            re.I,
        )
        if m:
            n, unit = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
            count = int(n) if n.isdigit() else 1  # "keep a year"
            out["retention_days"] = count * {"d": 1, "w": 7, "m": 30, "y": 365}[unit[0].lower()]
        m = re.search(r"\bcold\s+storage\s+after\s+(\d{1,4})\s*days?\b", text, re.I)
        if m:
            out["cold_after_days"] = int(m.group(1))
        return out

    def notes(self, u: Unit, s: Scene) -> list[str]:
        p: BackupParams = u.params
        notes = [f"Backups run on {p.schedule} (UTC) and are kept {p.retention_days} days."]
        if not self._protected(u, s):
            notes.append(f"No resource was named: the plan backs up everything tagged backup={p.name}.")
        if p.cold_after_days is not None and p.retention_days < p.cold_after_days + 90:
            notes.append(
                "Backups in cold storage must be kept 90 days there: retention was raised to allow it."
            )
        return notes

    def _protected(self, u: Unit, s: Scene) -> list[Unit]:
        return [t for t in s.out_of(u, "attach") if t.kind in PROTECTED]

    def _lifecycle(self, p: BackupParams) -> tuple[int, int | None]:
        if p.cold_after_days is None:
            return p.retention_days, None
        return max(p.retention_days, p.cold_after_days + 90), p.cold_after_days

    def _arn(self, t: Unit, s: Scene) -> Any:
        if s.fmt == "cloudformation" and t.kind in ("rds_instance", "aurora_cluster"):
            what = "db" if t.kind == "rds_instance" else "cluster"
            return yamlout.sub(
                f"arn:${{AWS::Partition}}:rds:${{AWS::Region}}:${{AWS::AccountId}}:{what}:${{{t.lid}}}"
            )
        if s.fmt == "cloudformation" and t.kind == "ec2_instance":
            return yamlout.sub(
                f"arn:${{AWS::Partition}}:ec2:${{AWS::Region}}:${{AWS::AccountId}}:instance/${{{t.lid}}}"
            )
        return t.block.arn(t, s)

    # -- Terraform ---------------------------------------------------------------------------
    def terraform(self, u: Unit, s: Scene) -> list[Block]:
        p: BackupParams = u.params
        s.partition()
        delete_after, cold_after = self._lifecycle(p)
        lifecycle: list[Any] = [("delete_after", delete_after)]
        if cold_after is not None:
            lifecycle.insert(0, ("cold_storage_after", cold_after))
        role, _ = s.role(u, "backup.amazonaws.com", [], BACKUP_POLICIES)
        selection: list[Any] = [
            ("name", f"{p.name}-selection"),
            ("plan_id", ref(f"aws_backup_plan.{u.label}.id")),
            ("iam_role_arn", s.role_arn(u)),
        ]
        protected = self._protected(u, s)
        if protected:
            selection.append(("resources", [self._arn(t, s) for t in protected]))
        else:
            selection.append(
                Block("selection_tag", body=[("type", "STRINGEQUALS"), ("key", "backup"), ("value", p.name)])
            )
        s.output(f"{u.label}_backup_plan_id", ref(f"aws_backup_plan.{u.label}.id"), "ID of the backup plan.")
        return [
            resource("aws_backup_vault", u.label, ("name", f"{p.name}-vault"), ("kms_key_arn", s.key_arn())),
            resource(
                "aws_backup_plan",
                u.label,
                ("name", p.name),
                Block(
                    "rule",
                    body=[
                        ("rule_name", f"{p.name}-rule"),
                        ("target_vault_name", ref(f"aws_backup_vault.{u.label}.name")),
                        ("schedule", p.schedule),
                        ("start_window", 60),
                        ("completion_window", 360),
                        Block("lifecycle", body=lifecycle),
                    ],
                ),
            ),
            *role,
            resource("aws_backup_selection", u.label, *selection),
        ]

    # -- CloudFormation ----------------------------------------------------------------------
    def cloudformation(self, u: Unit, s: Scene) -> dict[str, Any]:
        p: BackupParams = u.params
        delete_after, cold_after = self._lifecycle(p)
        lifecycle: dict[str, Any] = {"DeleteAfterDays": delete_after}
        if cold_after is not None:
            lifecycle["MoveToColdStorageAfterDays"] = cold_after
        _, out = s.role(u, "backup.amazonaws.com", [], BACKUP_POLICIES)
        selection: dict[str, Any] = {"SelectionName": f"{p.name}-selection", "IamRoleArn": s.role_arn(u)}
        protected = self._protected(u, s)
        if protected:
            selection["Resources"] = [self._arn(t, s) for t in protected]
        else:
            selection["ListOfTags"] = [
                {"ConditionType": "STRINGEQUALS", "ConditionKey": "backup", "ConditionValue": p.name}
            ]
        out[f"{u.lid}Vault"] = cfn(
            "AWS::Backup::BackupVault",
            {"BackupVaultName": f"{p.name}-vault", "EncryptionKeyArn": s.key_arn()},
        )
        out[u.lid] = cfn(
            "AWS::Backup::BackupPlan",
            {
                "BackupPlan": {
                    "BackupPlanName": p.name,
                    "BackupPlanRule": [
                        {
                            "RuleName": f"{p.name}-rule",
                            "TargetBackupVault": yamlout.ref(f"{u.lid}Vault"),
                            "ScheduleExpression": p.schedule,
                            "StartWindowMinutes": 60,
                            "CompletionWindowMinutes": 360,
                            "Lifecycle": lifecycle,
                        }
                    ],
                }
            },
        )
        out[f"{u.lid}Selection"] = cfn(
            "AWS::Backup::BackupSelection",
            {"BackupPlanId": yamlout.ref(u.lid), "BackupSelection": selection},
        )
        s.output(f"{u.label}_backup_plan_id", yamlout.ref(u.lid), "ID of the backup plan.")
        return out
