from __future__ import annotations

import pytest

from knowledge.query import focus


@pytest.mark.parametrize(
    ("query", "focused"),
    [
        ("what does our runbook say about baking banana bread?", "baking banana bread"),
        ("is there a runbook for planning a wedding?", "planning a wedding"),
        ("search the docs for RDS failover", "RDS failover"),
        ("according to our documentation, who is on call?", "who is on call"),
        ("do we have a procedure for VPN access?", "VPN access"),
        ("what is a runbook?", "what is a runbook"),
        ("runbook", "runbook"),
        ("  DB_DISK_FULL ", "DB_DISK_FULL"),
        ("whats our runbook for a full disk???", "a full disk"),
        ("what does error budget mean?", "error budget"),
        ("definition of MTTR", "MTTR"),
    ],
)
def test_framing_is_dropped(query: str, focused: str) -> None:
    assert focus(query) == focused
