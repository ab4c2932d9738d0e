"""ECR repositories.

ecr_repository attributes: uri, scan_on_push, tag_immutability ("MUTABLE"/"IMMUTABLE"),
encryption ("AES256"/"KMS"), policy (the repository policy, parsed; None without one),
lifecycle_policy (a lifecycle policy is set).
"""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError

from tools.inventory.clients import AccountClients
from tools.inventory.resources import Resource

_ABSENT = frozenset({"RepositoryPolicyNotFoundException", "LifecyclePolicyNotFoundException"})


def _optional(call: Any, **kwargs: Any) -> dict[str, Any] | None:
    try:
        return dict(call(**kwargs))
    except ClientError as exc:
        if exc.response["Error"]["Code"] in _ABSENT:
            return None
        raise


def _repository(ecr: Any, repo: dict[str, Any], region: str) -> Resource:
    name = repo["repositoryName"]
    policy = _optional(ecr.get_repository_policy, repositoryName=name)
    lifecycle = _optional(ecr.get_lifecycle_policy, repositoryName=name)
    return Resource(
        type="ecr_repository",
        id=name,
        name=name,
        region=region,
        arn=repo.get("repositoryArn"),
        attributes={
            "uri": repo.get("repositoryUri"),
            "scan_on_push": bool((repo.get("imageScanningConfiguration") or {}).get("scanOnPush")),
            "tag_immutability": repo.get("imageTagMutability"),
            "encryption": (repo.get("encryptionConfiguration") or {}).get("encryptionType"),
            "policy": json.loads(policy["policyText"]) if policy and policy.get("policyText") else None,
            "lifecycle_policy": bool(lifecycle and lifecycle.get("lifecyclePolicyText")),
        },
    )


def collect_repositories(aws: AccountClients, region: str | None, lookup: str | None) -> list[Resource]:
    assert region is not None
    ecr = aws.client("ecr", region)
    repos: list[dict[str, Any]] = []
    for page in ecr.get_paginator("describe_repositories").paginate():
        repos.extend(page["repositories"])
    if lookup:
        repos = [r for r in repos if lookup in (r["repositoryName"], r.get("repositoryArn"))]
    return [_repository(ecr, r, region) for r in repos]
