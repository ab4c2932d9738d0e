"""Which account a remediation acts in, and as which role.

Scans reach member accounts through `aws.assume_role_arns` (typically read-only audit roles);
changes there go through the account's entry in `aws.remediation_role_arns` when one is set, so a
deployment can keep the write permissions in a separate, narrowly scoped role.
"""

from __future__ import annotations

from dataclasses import replace

from tools.base import ToolContext, UserFacingError
from tools.inventory.inventory import account_id, role_account

__all__ = ["in_account", "remediation_role", "role_account"]


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
    """`ctx` acting in `account` (the context itself for the caller's own account or None).
    An account the access policy does not allow here is refused before anything is read."""
    if ctx.allowed_accounts is not None:
        ctx.require_account(account or account_id(ctx))
    if not account:
        return ctx
    role = remediation_role(ctx, account)
    if role is None:
        return ctx
    # Fresh account facts: the cached caller id and role accounts belong to the other credentials.
    return replace(ctx, aws=ctx.aws.as_role(role), services=ctx.services.for_other_account())
