"""S3 bucket: private, encrypted with the shared CMK (SSE-S3 where a log source requires it),
TLS only, versioned, with the bucket-policy statements its writers need (CloudTrail, VPC flow
logs, ALB access logs, CloudFront origin access control)."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field

from tools.iac import yamlout
from tools.iac.blocks.base import BlockParams, BlockSpec, Scene, Unit, cfn, named, resource, retained
from tools.iac.features import Features
from tools.iac.hcl import Block, Call, interp, ref

BUCKET_NAME = r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$"


class S3Params(BlockParams):
    name: str = Field(default="example-app-data", pattern=BUCKET_NAME)
    versioning: bool = True
    noncurrent_days: int = Field(default=90, ge=1, le=3650)
    sse_s3: bool = False


class S3Bucket(BlockSpec):
    kind: ClassVar[str] = "s3_bucket"
    title: ClassVar[str] = "Private S3 bucket"
    nouns: ClassVar[tuple[str, ...]] = (r"\bs3\s+buckets?\b", r"\bbuckets?\b", r"\bs3\b")
    params_model: ClassVar[type[BlockParams]] = S3Params
    tf_type: ClassVar[str] = "aws_s3_bucket"
    cfn_type: ClassVar[str] = "AWS::S3::Bucket"
    design: ClassVar[tuple[str, ...]] = (
        "Bucket: Block Public Access (all four), ACLs disabled, default encryption, TLS-only policy, "
        "versioning with expiry of old versions.",
    )
    links: ClassVar[frozenset[tuple[str, str]]] = frozenset({("trigger", "lambda")})
    access: ClassVar[dict[str, tuple[str, ...]]] = {
        "read": ("s3:GetObject", "s3:ListBucket"),
        "write": ("s3:PutObject", "s3:GetObject", "s3:ListBucket"),
    }

    def read(self, f: Features, text: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        name = named(f, text, "bucket")
        if name:
            out["name"] = name.lower()
        if f.has(r"\b(?:no|without|disable[d]?)\s+versioning\b"):
            out["versioning"] = False
        if f.has(r"\b(?:sse-s3|aes-?256|s3[- ]managed)\b"):
            out["sse_s3"] = True
        if f.days and "version" in text:
            out["noncurrent_days"] = f.days
        return out

    def resource_arns(self, u: Unit, s: Scene, mode: str) -> list[Any]:
        arn = self.arn(u, s)
        if s.fmt == "terraform":
            return [arn, interp(f"${{aws_s3_bucket.{u.label}.arn}}/*")]
        return [arn, yamlout.sub(f"${{{u.lid}.Arn}}/*")]

    def _kms(self, u: Unit, s: Scene) -> bool:
        # ALB access logs can only be written to SSE-S3 buckets.
        return not u.params.sse_s3 and not any(w.kind in ("alb",) for w in s.into(u, "deliver"))

    def _statements(self, u: Unit, s: Scene) -> list[dict[str, Any]]:
        arn = self.arn(u, s)
        objects = self.resource_arns(u, s, "read")[1]
        statements: list[dict[str, Any]] = [
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [arn, objects],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        ]
        for writer in s.into(u, "deliver") + s.into(u, "front"):
            hook = getattr(writer.block, "bucket_statements", None)
            if hook is not None:
                statements += hook(writer, u, s)
        return statements

    def terraform(self, u: Unit, s: Scene) -> list[Block]:
        p: S3Params = u.params
        label = u.label
        bucket = ref(f"aws_s3_bucket.{label}.id")
        name = s.var(f"{label}_bucket_name", "string", p.name, "Globally unique bucket name.")
        kms = self._kms(u, s)
        sse: list[Any] = [("sse_algorithm", "aws:kms" if kms else "AES256")]
        if kms:
            sse.append(("kms_master_key_id", s.key_arn()))
        blocks = [
            resource("aws_s3_bucket", label, ("bucket", name)),
            resource(
                "aws_s3_bucket_ownership_controls",
                label,
                ("bucket", bucket),
                Block("rule", body=[("object_ownership", "BucketOwnerEnforced")]),
            ),
            resource(
                "aws_s3_bucket_public_access_block",
                label,
                ("bucket", bucket),
                ("block_public_acls", True),
                ("block_public_policy", True),
                ("ignore_public_acls", True),
                ("restrict_public_buckets", True),
            ),
            resource(
                "aws_s3_bucket_server_side_encryption_configuration",
                label,
                ("bucket", bucket),
                Block(
                    "rule",
                    body=[
                        Block("apply_server_side_encryption_by_default", body=sse),
                        ("bucket_key_enabled", kms),
                    ],
                ),
            ),
            resource(
                "aws_s3_bucket_policy",
                label,
                ("bucket", bucket),
                (
                    "policy",
                    Call("jsonencode", {"Version": "2012-10-17", "Statement": self._statements(u, s)}),
                ),
                ("depends_on", [ref(f"aws_s3_bucket_public_access_block.{label}")]),
            ),
        ]
        rule: list[Any] = [("id", "housekeeping"), ("status", "Enabled"), Block("filter")]
        if p.versioning:
            blocks.append(
                resource(
                    "aws_s3_bucket_versioning",
                    label,
                    ("bucket", bucket),
                    Block("versioning_configuration", body=[("status", "Enabled")]),
                )
            )
            rule.append(Block("noncurrent_version_expiration", body=[("noncurrent_days", p.noncurrent_days)]))
        rule.append(Block("abort_incomplete_multipart_upload", body=[("days_after_initiation", 7)]))
        blocks.append(
            resource(
                "aws_s3_bucket_lifecycle_configuration", label, ("bucket", bucket), Block("rule", body=rule)
            )
        )
        s.output(f"{label}_bucket", bucket, "Name of the bucket.")
        return blocks

    def cloudformation(self, u: Unit, s: Scene) -> dict[str, Any]:
        p: S3Params = u.params
        name = s.var(f"{u.label}_bucket_name", "string", p.name, "Globally unique bucket name.")
        kms = self._kms(u, s)
        sse: dict[str, Any] = {"SSEAlgorithm": "aws:kms" if kms else "AES256"}
        if kms:
            sse["KMSMasterKeyID"] = s.key_arn()
        lifecycle: dict[str, Any] = {"Id": "housekeeping", "Status": "Enabled"}
        if p.versioning:
            lifecycle["NoncurrentVersionExpiration"] = {"NoncurrentDays": p.noncurrent_days}
        lifecycle["AbortIncompleteMultipartUpload"] = {"DaysAfterInitiation": 7}
        props: dict[str, Any] = {
            "BucketName": name,
            "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
            "PublicAccessBlockConfiguration": {
                "BlockPublicAcls": True,
                "BlockPublicPolicy": True,
                "IgnorePublicAcls": True,
                "RestrictPublicBuckets": True,
            },
            "BucketEncryption": {
                "ServerSideEncryptionConfiguration": [
                    {"ServerSideEncryptionByDefault": sse, "BucketKeyEnabled": kms}
                ]
            },
            "LifecycleConfiguration": {"Rules": [lifecycle]},
        }
        if p.versioning:
            props["VersioningConfiguration"] = {"Status": "Enabled"}
        props["Tags"] = s.cfn_tags(name)
        bucket = retained("AWS::S3::Bucket", props)
        functions = [fn for fn in s.out_of(u, "trigger") if fn.kind == "lambda"]
        if functions:
            configs = []
            for fn in functions:
                config: dict[str, Any] = {
                    "Event": "s3:ObjectCreated:*",
                    "Function": yamlout.get_att(fn.lid, "Arn"),
                }
                suffix = fn.block.suffix(u)  # type: ignore[attr-defined]
                if suffix:
                    config["Filter"] = {"S3Key": {"Rules": [{"Name": "suffix", "Value": suffix}]}}
                configs.append(config)
            props["NotificationConfiguration"] = {"LambdaConfigurations": configs}
            bucket = {**bucket, "DependsOn": [f"{fn.lid}From{u.lid}Permission" for fn in functions]}
        if any(r.kind == "eventbridge_rule" and r.params.source == "aws.s3" for r in s.into(u, "read")):
            # Object events reach EventBridge rules only when the bucket sends them there.
            notification = bucket["Properties"].setdefault("NotificationConfiguration", {})
            notification["EventBridgeConfiguration"] = {"EventBridgeEnabled": True}
        s.output(f"{u.label}_bucket", yamlout.ref(u.lid), "Name of the bucket.")
        return {
            u.lid: bucket,
            f"{u.lid}Policy": cfn(
                "AWS::S3::BucketPolicy",
                {
                    "Bucket": yamlout.ref(u.lid),
                    "PolicyDocument": {"Version": "2012-10-17", "Statement": self._statements(u, s)},
                },
            ),
        }
