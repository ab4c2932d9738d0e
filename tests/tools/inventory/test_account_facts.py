"""Account facts (the caller's id, role accounts, known regions) are looked up once per services."""

from __future__ import annotations

import pytest

from tools.base import ToolContext, UserFacingError
from tools.inventory.inventory import account_id, check_regions, role_account_id


def test_the_caller_account_is_looked_up_once(ctx: ToolContext) -> None:
    first = account_id(ctx)
    assert ctx.services.accounts.caller == first
    calls = ctx.aws.api_calls
    assert account_id(ctx) == first and role_account_id(ctx, None) == first
    assert ctx.aws.api_calls == calls


def test_regions_are_checked_against_the_known_ones(ctx: ToolContext) -> None:
    assert check_regions(ctx, []) == ["us-east-1", "eu-west-1"]
    assert check_regions(ctx, ["eu-west-1", "eu-west-1"]) == ["eu-west-1"]
    known = ctx.services.accounts.known_regions
    assert known is not None and {"us-east-1", "eu-west-1", "ap-southeast-2"} <= known
    with pytest.raises(UserFacingError, match="Unknown AWS region 'mars-1'"):
        check_regions(ctx, ["mars-1"])
