"""Which account a remediation acts in, and as which role.

Scans reach member accounts through `aws.assume_role_arns` (typically read-only audit roles);
changes there go through the account's entry in `aws.remediation_role_arns` when one is set, so a
deployment can keep the write permissions in a separate, narrowly scoped role.
"""

from __future__ import annotations

import re
from dataclasses import replace

from tools.base import ToolContext, UserFacingError
from tools.inventory.inventory import account_id

_ARN_ACCOUNT = re.compile(r"^arn:aws[a-z-]*:iam::(\d{12}):role/.+$")


def role_account(role_arn: str) -> str | None:
    match = _ARN_ACCOUNT.match(role_arn)
    return match.group(1) if match else None


def remediation_role(ctx: ToolContext, account: str) -> str | None:
    """The role to change `account` with; None for the caller's own account."""
    if account == account_id(ctx):
        return None
    aws = ctx.settings.aws
    for arn in (*aws.remediation_role_arns, *aws.assume_role_arns):
        if role_account(arn) == account:
            return arn
    raise UserFacingError(
        f"Account {account} is not one CloudPilot can change: add a role in that account to "
        "aws.remediation_role_arns (or aws.assume_role_arns)."
    )


def in_account(ctx: ToolContext, account: str | None) -> ToolContext:
    """`ctx` acting in `account` (the context itself for the caller's own account or None)."""
    if not account:
        return ctx
    role = remediation_role(ctx, account)
    if role is None:
        return ctx
    # Fresh account facts: the cached caller id and role accounts belong to the other credentials.
    return replace(ctx, aws=ctx.aws.as_role(role), services=ctx.services.for_other_account())
