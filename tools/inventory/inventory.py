"""Concurrent collection across accounts, resource types and regions, shared by the read-only tools.

One failing (account, type, region) task is reported and the others still complete. What is
learnt about the accounts (ids, the region names) is looked up once and kept in
`ctx.services.accounts`; a context for another account's credentials starts a fresh one.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import boto3
from botocore.exceptions import BotoCoreError, ClientError
from pydantic import BaseModel

from tools import progress
from tools.base import ToolContext, UserFacingError
from tools.inventory.clients import AccountClients
from tools.inventory.kinds import kind, type_label
from tools.inventory.resources import GLOBAL_REGION, AnyResourceType, Resource

log = logging.getLogger(__name__)


class CollectionError(BaseModel):
    service: str
    resource_type: AnyResourceType
    region: str
    error: str
    account: str = ""


@dataclass(frozen=True)
class Task:
    resource_type: AnyResourceType
    region: str | None  # None for global types
    # The assumed role that reaches the account; None for the caller's own account.
    role_arn: str | None = None

    @property
    def region_label(self) -> str:
        return self.region or GLOBAL_REGION


@dataclass
class Gathered:
    resources: list[Resource] = field(default_factory=list)
    errors: list[CollectionError] = field(default_factory=list)
    succeeded: list[Task] = field(default_factory=list)
    # Account id per role (None = the caller's own account) for the tasks that ran.
    accounts: dict[str | None, str] = field(default_factory=dict)


def account_id(ctx: ToolContext) -> str:
    """The caller's AWS account id, looked up once per context's services."""
    accounts = ctx.services.accounts
    if accounts.caller is None:
        sts = ctx.aws.client("sts", ctx.aws.regions[0])
        accounts.caller = str(sts.get_caller_identity()["Account"])
    return accounts.caller


def role_account_id(ctx: ToolContext, role_arn: str | None) -> str:
    """The account an assumed role reaches (the caller's own account for None)."""
    if role_arn is None:
        return account_id(ctx)
    cache = ctx.services.accounts.by_role
    if role_arn not in cache:
        sts = ctx.aws.client("sts", ctx.aws.regions[0], role_arn=role_arn)
        cache[role_arn] = str(sts.get_caller_identity()["Account"])
    return cache[role_arn]


_ARN_ACCOUNT = re.compile(r"^arn:aws[a-z-]*:iam::(\d{12}):role/.+$")


def role_account(role_arn: str) -> str | None:
    """The account a role ARN names, read from the ARN itself (None if it is not a role ARN)."""
    match = _ARN_ACCOUNT.match(role_arn)
    return match.group(1) if match else None


def account_roles(ctx: ToolContext) -> list[str | None]:
    """Every configured account: the caller's own (None), then one per assume-role ARN."""
    return [None, *dict.fromkeys(ctx.settings.aws.assume_role_arns)]


def check_regions(ctx: ToolContext, regions: list[str]) -> list[str]:
    """The regions to use: the configured ones when `regions` is empty, else `regions` once validated."""
    if not regions:
        return ctx.aws.regions
    accounts = ctx.services.accounts
    if accounts.known_regions is None:
        available = boto3.session.Session().get_available_regions("ec2")
        accounts.known_regions = set(available) | set(ctx.aws.regions)
    unknown = [r for r in regions if r not in accounts.known_regions]
    if unknown:
        raise UserFacingError(
            f"Unknown AWS region {', '.join(repr(r) for r in unknown)}. "
            f"Configured regions: {', '.join(ctx.aws.regions)}."
        )
    return list(dict.fromkeys(regions))


def plan_tasks(
    types: Sequence[AnyResourceType], regions: list[str], roles: Sequence[str | None] = (None,)
) -> list[Task]:
    tasks: list[Task] = []
    for role in roles:
        for t in types:
            if kind(t).is_global:
                tasks.append(Task(t, None, role))
            else:
                tasks.extend(Task(t, r, role) for r in regions)
    return tasks


def _describe_error(exc: Exception) -> str:
    if isinstance(exc, ClientError):
        err = exc.response.get("Error", {})
        return f"{err.get('Code', 'Error')}: {err.get('Message', str(exc))}"
    return f"{type(exc).__name__}: {exc}"


def account_clients(
    ctx: ToolContext, roles: Sequence[str | None]
) -> tuple[dict[str | None, AccountClients], dict[str | None, Exception]]:
    """Clients for each account the roles reach (None: the caller's own), and why the others
    could not be reached. A second role into an account already reached is left out, so that
    no account is read twice. Accounts the access policy does not allow here
    (`ctx.allowed_accounts`) are left out too, silently: every account-wide read goes through
    here, so this is where a channel limited to some accounts stops seeing the others."""
    clients: dict[str | None, AccountClients] = {}
    failed: dict[str | None, Exception] = {}
    hidden = 0
    for role in dict.fromkeys(roles):
        named = role_account(role) if role else None
        if named is not None and not ctx.may_use_account(named):
            hidden += 1  # not even assumed: the ARN already names an account this call may not use
            continue
        try:
            account = role_account_id(ctx, role)
        except (ClientError, BotoCoreError) as exc:
            log.warning("assuming %s failed", role or "the caller's identity", exc_info=True)
            failed[role] = exc
            continue
        if not ctx.may_use_account(account):
            hidden += 1
            continue
        if account not in {c.account_id for c in clients.values()}:
            clients[role] = AccountClients(ctx.aws, account, role)
    if hidden and not clients and not failed:
        raise UserFacingError("None of the configured AWS accounts is allowed here (access policy).")
    return clients, failed


def collect(
    aws: AccountClients,
    resource_type: AnyResourceType,
    region: str | None,
    lookup: str | None = None,
) -> list[Resource]:
    """Resources of one type in one region (global types: region is ignored), optionally only
    those whose id, ARN or name is `lookup`."""
    k = kind(resource_type)
    found = k.fetch(aws, None if k.is_global else region, lookup)
    if lookup:
        found = [r for r in found if r.matches(lookup)]
    for r in found:
        r.account = aws.account_id
    return found


def gather(
    ctx: ToolContext, tasks: list[Task], lookup: str | None = None, max_workers: int | None = None
) -> Gathered:
    out = Gathered()
    clients, failed = account_clients(ctx, [t.role_arn for t in tasks])
    for role, exc in failed.items():
        if role is None:
            raise exc
        # One unreachable member account must not stop the scan of the others.
        for t in tasks:
            if t.role_arn == role:
                out.errors.append(_error(t, exc, account=role))
    out.accounts = {role: c.account_id for role, c in clients.items()}
    runnable = [t for t in tasks if t.role_arn in clients]
    observed = ctx.clock.now()
    # Clients are built before the pool starts, so the workers only reuse them.
    for task in runnable:
        service = kind(task.resource_type).client
        for region in [task.region] if task.region else ctx.aws.regions[:1]:
            clients[task.role_arn].client(service, region)

    def run(task: Task) -> list[Resource]:
        found = collect(clients[task.role_arn], task.resource_type, task.region, lookup)
        for r in found:
            r.observed_at = observed
        return found

    workers = max(1, min(max_workers or ctx.settings.aws.max_workers, len(runnable) or 1))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="collect") as pool:
        futures = [(task, pool.submit(run, task)) for task in runnable]
        for done, (task, future) in enumerate(futures, 1):
            where = f"{type_label(task.resource_type, 2)} in {task.region_label}"
            progress.report("reading resources", done - 1, len(futures), where)
            try:
                out.resources.extend(future.result())
                out.succeeded.append(task)
            except (ClientError, BotoCoreError, OSError, ValueError, KeyError) as exc:
                log.warning(
                    "collecting %s in %s failed", task.resource_type, task.region_label, exc_info=True
                )
                out.errors.append(_error(task, exc, account=clients[task.role_arn].account_id))
    progress.report("reading resources", len(futures), len(futures), finished=True)
    return out


def _error(task: Task, exc: Exception, account: str) -> CollectionError:
    return CollectionError(
        service=kind(task.resource_type).service,
        resource_type=task.resource_type,
        region=task.region_label,
        error=_describe_error(exc),
        account=account,
    )
