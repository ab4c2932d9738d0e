"""Concurrent collection across resource types and regions, shared by the read-only tools.

One failing (type, region) pair is reported and the others still complete.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import boto3
from botocore.exceptions import BotoCoreError, ClientError
from pydantic import BaseModel

from tools.base import ToolContext, UserFacingError
from tools.security.collectors import COLLECTORS, collect
from tools.security.resources import GLOBAL_REGION, TYPE_SERVICE, Resource, ResourceType

log = logging.getLogger(__name__)

_ACCOUNT_KEY = "security.account_id"
_REGIONS_KEY = "security.known_regions"


class CollectionError(BaseModel):
    service: str
    resource_type: ResourceType
    region: str
    error: str


@dataclass(frozen=True)
class Task:
    resource_type: ResourceType
    region: str | None  # None for global types

    @property
    def region_label(self) -> str:
        return self.region or GLOBAL_REGION


@dataclass
class Gathered:
    resources: list[Resource] = field(default_factory=list)
    errors: list[CollectionError] = field(default_factory=list)
    succeeded: list[Task] = field(default_factory=list)


def account_id(ctx: ToolContext) -> str:
    """The caller's AWS account id, looked up once per context."""
    cached = ctx.extras.get(_ACCOUNT_KEY)
    if cached is None:
        sts = ctx.aws.client("sts", ctx.aws.regions[0])
        cached = str(sts.get_caller_identity()["Account"])
        ctx.extras[_ACCOUNT_KEY] = cached
    return str(cached)


def check_regions(ctx: ToolContext, regions: list[str]) -> list[str]:
    """The regions to use: the configured ones when `regions` is empty, else `regions` once validated."""
    if not regions:
        return ctx.aws.regions
    known = ctx.extras.get(_REGIONS_KEY)
    if known is None:
        known = set(boto3.session.Session().get_available_regions("ec2")) | set(ctx.aws.regions)
        ctx.extras[_REGIONS_KEY] = known
    unknown = [r for r in regions if r not in known]
    if unknown:
        raise UserFacingError(
            f"Unknown AWS region {', '.join(repr(r) for r in unknown)}. "
            f"Configured regions: {', '.join(ctx.aws.regions)}."
        )
    return list(dict.fromkeys(regions))


def plan_tasks(types: list[ResourceType], regions: list[str]) -> list[Task]:
    tasks: list[Task] = []
    for t in types:
        if COLLECTORS[t].is_global:
            tasks.append(Task(t, None))
        else:
            tasks.extend(Task(t, r) for r in regions)
    return tasks


def _describe_error(exc: Exception) -> str:
    if isinstance(exc, ClientError):
        err = exc.response.get("Error", {})
        return f"{err.get('Code', 'Error')}: {err.get('Message', str(exc))}"
    return f"{type(exc).__name__}: {exc}"


def gather(ctx: ToolContext, tasks: list[Task], lookup: str | None = None) -> Gathered:
    account = account_id(ctx)
    # boto3 sessions are not thread-safe, so every client is built here before the pool starts.
    for task in tasks:
        service = COLLECTORS[task.resource_type].client_service
        for region in [task.region] if task.region else ctx.aws.regions:
            ctx.aws.client(service, region)

    def run(task: Task) -> list[Resource]:
        return collect(ctx.aws, task.resource_type, task.region, lookup, account)

    out = Gathered()
    workers = max(1, min(ctx.settings.aws.max_workers, len(tasks)))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="collect") as pool:
        futures = [(task, pool.submit(run, task)) for task in tasks]
        for task, future in futures:
            try:
                out.resources.extend(future.result())
                out.succeeded.append(task)
            except (ClientError, BotoCoreError, OSError, ValueError, KeyError) as exc:
                log.warning(
                    "collecting %s in %s failed", task.resource_type, task.region_label, exc_info=True
                )
                out.errors.append(
                    CollectionError(
                        service=TYPE_SERVICE[task.resource_type],
                        resource_type=task.resource_type,
                        region=task.region_label,
                        error=_describe_error(exc),
                    )
                )
    return out
