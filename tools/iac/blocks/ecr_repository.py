"""ECR repository: scan on push, immutable tags, encrypted with the shared CMK, a lifecycle
policy that expires untagged images and keeps the last N."""

from __future__ import annotations

import json
import re
from typing import Any, ClassVar

from pydantic import Field

from tools.iac import yamlout
from tools.iac.blocks.base import BlockParams, BlockSpec, Scene, Unit, named, resource, retained
from tools.iac.features import Features
from tools.iac.hcl import Block, Call, ref


class EcrParams(BlockParams):
    name: str = Field(default="app", pattern=r"^[a-z0-9]+(?:[._/-][a-z0-9]+)*$")
    keep_images: int = Field(default=30, ge=1, le=1000)
    untagged_days: int = Field(default=14, ge=1, le=365)


class EcrRepository(BlockSpec):
    kind: ClassVar[str] = "ecr_repository"
    title: ClassVar[str] = "ECR repository"
    nouns: ClassVar[tuple[str, ...]] = (
        r"\becr(?:\s+(?:repo(?:sitory|sitories|s)?|registry))?\b",
        r"\b(?:container|docker)\s+(?:image\s+)?(?:registry|repo(?:sitory)?)\b",
    )
    params_model: ClassVar[type[BlockParams]] = EcrParams
    tf_type: ClassVar[str] = "aws_ecr_repository"
    cfn_type: ClassVar[str] = "AWS::ECR::Repository"
    design: ClassVar[tuple[str, ...]] = (
        "ECR: scan on push, immutable tags, KMS encryption, lifecycle policy.",
    )
    access: ClassVar[dict[str, tuple[str, ...]]] = {
        "read": ("ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"),
        "write": (
            "ecr:PutImage",
            "ecr:InitiateLayerUpload",
            "ecr:UploadLayerPart",
            "ecr:CompleteLayerUpload",
            "ecr:BatchCheckLayerAvailability",
        ),
    }

    def read(self, f: Features, text: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        name = named(f, text, "repository", "repo")
        if name:
            out["name"] = name.lower()
        m = re.search(
            r"\bkeep(?:s|ing)?\s+(?:only\s+)?(?:the\s+)?(?:last\s+|latest\s+|most\s+recent\s+)?(\d{1,4})\b",
            text,
            re.I,
        )
        if m:
            out["keep_images"] = int(m.group(1))
        m = re.search(
            r"\buntagged\b.{0,30}?(\d{1,3})\s*days?|(\d{1,3})\s*days?.{0,20}\buntagged\b", text, re.I
        )
        if m:
            out["untagged_days"] = int(m.group(1) or m.group(2))
        return out

    def _policy(self, p: EcrParams) -> dict[str, Any]:
        return {
            "rules": [
                {
                    "rulePriority": 1,
                    "description": f"Expire untagged images after {p.untagged_days} days",
                    "selection": {
                        "tagStatus": "untagged",
                        "countType": "sinceImagePushed",
                        "countUnit": "days",
                        "countNumber": p.untagged_days,
                    },
                    "action": {"type": "expire"},
                },
                {
                    "rulePriority": 2,
                    "description": f"Keep the last {p.keep_images} images",
                    "selection": {
                        "tagStatus": "any",
                        "countType": "imageCountMoreThan",
                        "countNumber": p.keep_images,
                    },
                    "action": {"type": "expire"},
                },
            ]
        }

    def terraform(self, u: Unit, s: Scene) -> list[Block]:
        p: EcrParams = u.params
        s.output(
            f"{u.label}_repository_url",
            ref(f"aws_ecr_repository.{u.label}.repository_url"),
            "URL to push images to.",
        )
        return [
            resource(
                "aws_ecr_repository",
                u.label,
                ("name", p.name),
                ("image_tag_mutability", "IMMUTABLE"),
                Block("image_scanning_configuration", body=[("scan_on_push", True)]),
                Block(
                    "encryption_configuration", body=[("encryption_type", "KMS"), ("kms_key", s.key_arn())]
                ),
            ),
            resource(
                "aws_ecr_lifecycle_policy",
                u.label,
                ("repository", ref(f"aws_ecr_repository.{u.label}.name")),
                ("policy", Call("jsonencode", self._policy(p))),
            ),
        ]

    def cloudformation(self, u: Unit, s: Scene) -> dict[str, Any]:
        p: EcrParams = u.params
        s.output(
            f"{u.label}_repository_url", yamlout.get_att(u.lid, "RepositoryUri"), "URL to push images to."
        )
        return {
            u.lid: retained(
                "AWS::ECR::Repository",
                {
                    "RepositoryName": p.name,
                    "ImageTagMutability": "IMMUTABLE",
                    "ImageScanningConfiguration": {"ScanOnPush": True},
                    "EncryptionConfiguration": {"EncryptionType": "KMS", "KmsKey": s.key_arn()},
                    "LifecyclePolicy": {"LifecyclePolicyText": json.dumps(self._policy(p), indent=2)},
                },
            )
        }
