"""The route table: a read-only tool joins the offline planner through one row, nothing else."""

from __future__ import annotations

import re
from datetime import date

import pytest

from agent.guard import tool_specs
from agent.planner.base import PastTurn, ToolSpec
from agent.planner.calls import Variants
from agent.planner.extract import Extraction, extract
from agent.planner.intents import Intent, classify, is_how_to
from agent.planner.offline import OfflinePlanner
from agent.planner.routes import ROUTES, Route
from tests.agent.planner.helpers import NOW, summary
from tools.registry import TOOLS

TODAY = date(2024, 10, 15)
BACKUPS = "backup_status"
_BACKUP_WORDS = re.compile(r"\b(?:backups?|restore\s+points?)\b")


def _asks_backups(ex: Extraction) -> bool:
    return _BACKUP_WORDS.search(ex.lower) is not None and not is_how_to(ex.lower)


def _backup_args(ex: Extraction) -> Variants:
    return [{"region": r} for r in ex.regions] or [{}]


# The whole of the made-up tool's integration: one row appended to the table.
WITH_BACKUPS = (*ROUTES, Route(BACKUPS, _asks_backups, _backup_args))
SPECS = [
    *tool_specs(TOOLS),
    ToolSpec(name=BACKUPS, description="Backup health.", mutating=False, parameters={"type": "object"}),
]


def test_a_row_alone_makes_the_planner_call_a_new_tool() -> None:
    planner = OfflinePlanner(routes=WITH_BACKUPS)
    decision = planner.plan("are our backups healthy in eu-west-1?", [], SPECS, NOW)
    assert summary(decision.calls) == [(BACKUPS, {"region": "eu-west-1"})]
    found = classify(extract("any failed backups?", TODAY), WITH_BACKUPS)
    assert (found.intent, found.tool) == (Intent.ROUTE, BACKUPS)


def test_the_default_table_does_not_know_the_new_tool() -> None:
    decision = OfflinePlanner().plan("are our backups healthy in eu-west-1?", [], SPECS, NOW)
    assert BACKUPS not in [call.name for call in decision.calls]


def test_a_follow_up_reuses_the_new_rows_builder() -> None:
    planner = OfflinePlanner(routes=WITH_BACKUPS)
    first = planner.plan("show backup status in eu-west-1", [], SPECS, NOW)
    history = [PastTurn(text="show backup status in eu-west-1", calls=first.calls, answer="")]
    decision = planner.plan("and in us-east-1?", history, SPECS, NOW)
    assert summary(decision.calls) == [(BACKUPS, {"region": "us-east-1"})]


@pytest.mark.parametrize(
    "text",
    [
        "how much did we spend on EC2 last month?",
        "list our EC2 instances in eu-west-1",
        "are any buckets public?",
        "show high severity findings",
        "what's our CIS score?",
        "what changed since the last scan?",
        "any cost spikes recently?",
        "write terraform for an s3 bucket with versioning",
        "what is the on-call escalation procedure?",
        # Checked before the rows, so the new row's words cannot turn these into backup queries:
        "how do I restore a backup?",
        "close port 22 on sg-0123abcd, the backup host",
        "suppress finding f-0123456789abcdef for 30 days because backups cover it",
        "where can we save money on old backup snapshots?",
        "hello",
        "thanks!",
    ],
)
def test_a_new_row_leaves_other_requests_alone(text: str) -> None:
    before = OfflinePlanner().plan(text, [], SPECS, NOW)
    after = OfflinePlanner(routes=WITH_BACKUPS).plan(text, [], SPECS, NOW)
    assert after == before


def test_every_row_is_a_read_only_tool_of_the_registry() -> None:
    mutating = {spec.name: spec.mutating for spec in tool_specs(TOOLS)}
    assert [route.tool for route in ROUTES if mutating.get(route.tool) is not False] == []
    assert len({route.tool for route in ROUTES}) == len(ROUTES)


def test_a_row_nothing_can_choose_is_refused() -> None:
    with pytest.raises(ValueError, match="never be chosen"):
        Route(BACKUPS, None, _backup_args)
