"""The evaluation set through the tool, offline: every request gets the right template and
format, the parameters it states, and code that passes every check."""

from __future__ import annotations

import pytest

from tests.tools.iac.request_set import REQUESTS, RequestCase
from tools.base import ToolContext, ToolStatus
from tools.iac.generate_iac import GenerateIac


def test_the_set_is_varied() -> None:
    assert len(REQUESTS) >= 40
    assert len({c.template for c in REQUESTS}) >= 20
    assert {c.format for c in REQUESTS} == {"terraform", "cloudformation", "kubernetes"}
    assert len({c.request for c in REQUESTS}) == len(REQUESTS)


@pytest.mark.parametrize("case", REQUESTS, ids=[c.request[:60] for c in REQUESTS])
def test_request_gives_valid_rule_clean_code(case: RequestCase, iac_ctx: ToolContext) -> None:
    tool = GenerateIac()
    result = tool.run(iac_ctx, tool.parse({"request": case.request}))
    assert result.status == ToolStatus.OK, result.errors
    assert (result.template, result.format) == (case.template, case.format)
    # Low-severity findings (hygiene such as access logging) warn without failing the code.
    assert result.passed and not [f for f in result.findings if f.severity != "low"]
    for key, value in case.params.items():
        assert result.params.get(key) == value, key
    (block,) = result.code
    assert block.filename == result.filename and block.code
