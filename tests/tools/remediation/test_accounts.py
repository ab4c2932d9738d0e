"""A remediation in a member account acts with that account's role and that account's facts."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tools.base import ToolContext, UserFacingError
from tools.inventory.inventory import account_id
from tools.remediation.accounts import in_account, remediation_role, role_account

MEMBER = "111122223333"
AUDIT = f"arn:aws:iam::{MEMBER}:role/CloudPilotAudit"
FIXER = f"arn:aws:iam::{MEMBER}:role/CloudPilotRemediation"


@pytest.fixture
def member_ctx(ctx: ToolContext) -> ToolContext:
    aws = ctx.settings.aws.model_copy(update={"assume_role_arns": [AUDIT], "remediation_role_arns": [FIXER]})
    return replace(ctx, settings=ctx.settings.model_copy(update={"aws": aws}))


def test_roles_by_account(member_ctx: ToolContext) -> None:
    assert role_account(FIXER) == MEMBER and role_account("not-an-arn") is None
    assert remediation_role(member_ctx, MEMBER) == FIXER
    assert remediation_role(member_ctx, account_id(member_ctx)) is None
    with pytest.raises(UserFacingError, match="999999999999 is not one CloudPilot can change"):
        remediation_role(member_ctx, "999999999999")


def test_member_context_gets_fresh_account_facts(member_ctx: ToolContext) -> None:
    own = account_id(member_ctx)
    assert in_account(member_ctx, None) is member_ctx and in_account(member_ctx, own) is member_ctx
    member = in_account(member_ctx, MEMBER)
    assert member.aws.default_role == FIXER
    # The caller's id belongs to the caller's credentials: the member context looks its own up.
    assert member.services.accounts.caller is None
    assert member_ctx.services.accounts.caller == own
    # Everything else is shared.
    assert member.services.knowledge is member_ctx.services.knowledge
    assert member.store is member_ctx.store
