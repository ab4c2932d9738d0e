"""How the cards are laid out, from what rendering them showed (`scripts/render_cards.py`,
`docs/teams-cards/`): tables that fit a message's width with numbers right-aligned, wide tables as
blocks, the "Understood" line on its own, paragraphs, sources, approval and decided cards."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from agent.api import Chart, Citation
from agent.api import Table as DataTable
from agent.messages import ApprovalView, Reply
from bot.teams import cards
from tests.bot.chat.doubles import tiny_png

KEY = b"k"


def walk(node: Any) -> Iterator[dict[str, Any]]:
    """Every element of a card (or part of one), depth first, in order."""
    if isinstance(node, dict):
        if "type" in node:
            yield node
        for key in ("body", "items", "rows", "cells", "actions", "facts"):
            for child in node.get(key) or []:
                yield from walk(child)
    elif isinstance(node, list):
        for child in node:
            yield from walk(child)


def of_type(card: Any, kind: str) -> list[dict[str, Any]]:
    return [e for e in walk(card) if e["type"] == kind]


def texts(card: Any) -> list[str]:
    return [e["text"] for e in of_type(card, "TextBlock")]


def cost_table(rows: int = 3) -> DataTable:
    return DataTable(
        title="Cost by service",
        columns=["Service", "Cost (USD)", "Share"],
        rows=[[f"Amazon Service number {i}", f"{1000 + i:,}.00", "1.0%"] for i in range(rows)]
        + [["Total", "9,999.00", "100.0%"]],
        numeric=[1, 2],
    )


def view(**extra: Any) -> ApprovalView:
    values: dict[str, Any] = {
        "id": "ap-1",
        "action": "revoke_ingress",
        "resource_id": "sg-1",
        "plan": {
            "summary": "Revoke port 22 from 0.0.0.0/0",
            "changes": ["revoke ingress tcp 22 from 0.0.0.0/0 on sg-1"],
            "account": "123456789012",
            "region": "us-east-1",
        },
        "status": "pending",
        "requester": "alice",
        "approvers": ["bob", "carol"],
        "expires_at": datetime(2024, 10, 15, 13, 0),
    }
    values.update(extra)
    return ApprovalView(**values)


def test_numbers_are_right_aligned_header_included_and_long_columns_are_wider() -> None:
    [card] = cards.render_reply(Reply(text="x", tables=[cost_table()]))
    [table] = of_type(card, "Table")
    header, *rows = table["rows"]
    aligned = [[c["items"][0].get("horizontalAlignment") for c in row["cells"]] for row in table["rows"]]
    assert all(a == [None, "Right", "Right"] for a in aligned)
    assert [c["items"][0]["text"] for c in header["cells"]] == ["Service", "Cost (USD)", "Share"]
    widths = [c["width"] for c in table["columns"]]
    assert widths[0] > widths[1] > widths[2]
    total = rows[-1]["cells"]
    assert all(c["items"][0].get("weight") == "Bolder" for c in total)
    assert all(c["items"][0].get("weight") is None for c in rows[0]["cells"])


def test_a_table_too_wide_for_a_message_becomes_one_block_per_row() -> None:
    wide = DataTable(
        title="Security findings",
        columns=["Severity", "Rule", "Resource", "Region", "Detail", "Status"],
        rows=[
            ["critical", "s3-bucket-public", f"bucket-{i}", "eu-west-1", "Public by policy.", "open"]
            for i in range(3)
        ],
    )
    assert not cards.fits_grid(wide) and cards.fits_grid(cost_table())
    [card] = cards.render_reply(Reply(text="x", tables=[wide]))
    assert not of_type(card, "Table")
    assert texts(card)[1:3] == ["**Security findings**", "**critical · s3-bucket-public**"]
    facts = of_type(card, "FactSet")
    assert len(facts) == 3
    assert [f["title"] for f in facts[0]["facts"]] == ["Resource", "Region", "Detail", "Status"]
    assert [f["value"] for f in facts[2]["facts"]][0] == "bucket-2"


def test_a_long_table_is_continued_with_its_title_and_never_orphans_it() -> None:
    parts = cards.render_reply(Reply(text="x", tables=[cost_table(600)]))
    assert len(parts) >= 2 and all(cards.size_of(c) <= cards.CARD_LIMIT for c in parts)
    for card in parts:
        for container in of_type(card, "Container"):
            kinds = [i["type"] for i in container["items"]]
            if "Table" in kinds:
                assert kinds == ["TextBlock", "Table"]
    titles = [t for c in parts for t in texts(c) if t.startswith("**Cost by service**")]
    assert titles[0] == "**Cost by service**" and titles[1] == "**Cost by service** (continued)"
    every = " ".join(t for c in parts for t in texts(c))
    assert "Amazon Service number 599" in every


def test_the_understood_line_comes_first_on_its_own_and_lines_are_paragraphs() -> None:
    text = "Understood: EC2, September 2024, billed cost.\nEC2 cost $3.\nSecond line.\n• one\n• two"
    [card] = cards.render_reply(Reply(text=text))
    first, answer = card["body"][:2]
    assert first == {
        "type": "TextBlock",
        "text": "Understood: EC2, September 2024, billed cost.",
        "wrap": True,
        "isSubtle": True,
        "spacing": "None",
    }
    assert answer["text"] == "EC2 cost $3.\n\nSecond line.\n- one\n- two"
    assert cards.render_reply(Reply(text="Understood: x."))[0]["body"][0]["text"] == "Understood: x."


def test_code_fences_keep_their_lines() -> None:
    [card] = cards.render_reply(Reply(text="Run:\n```\na\nb\n```\nDone."))
    assert card["body"][0]["text"] == "Run:\n\n```\na\nb\n```\n\nDone."


def test_sources_are_numbered_lines_linked_only_to_web_addresses() -> None:
    citations = [
        Citation(source="runbooks/ssh.md", section="Port 22", url="https://example.com/ssh", lines=(3, 9)),
        Citation(source="bundled/disk.md", section="Symptoms"),
        Citation(source="x.md", url="javascript:alert(1)"),
    ]
    [card] = cards.render_reply(Reply(text="x", citations=citations))
    assert texts(card)[1:] == [
        "**Sources**",
        "[1] [runbooks/ssh.md — Port 22 (lines 3–9)](https://example.com/ssh)",
        "[2] bundled/disk.md — Symptoms",
        "[3] x.md",
    ]


def test_a_failure_is_shown_in_the_attention_colour() -> None:
    [card] = cards.render_reply(Reply(text="Describe failed (reference r-1).", ok=False, error_ref="r-1"))
    assert card["body"][0]["color"] == "Attention" and card["body"][0]["text"].startswith("⚠️ Describe")
    [fine] = cards.render_reply(Reply(text="ok"))
    assert "color" not in fine["body"][0]


def test_a_chart_can_be_opened_full_size(tmp_path: Path) -> None:
    chart = Chart(title="Monthly cost", path=tiny_png(tmp_path / "c.png"), alt_text="cost per month")
    _, chart_card = cards.render_reply(Reply(text="x", charts=[chart]))
    [image] = of_type(chart_card, "Image")
    assert image["msteams"] == {"allowExpand": True} and image["altText"] == "cost per month"


def test_the_approval_card_says_what_changes_with_the_plan_behind_a_toggle() -> None:
    card = cards.approval_card(view(), KEY)
    kinds = [b["type"] for b in card["body"]]
    assert kinds == ["TextBlock", "TextBlock", "FactSet", "TextBlock", "TextBlock", "Container"]
    facts = {f["title"]: f["value"] for f in card["body"][2]["facts"]}
    assert facts["Account"] == "123456789012" and facts["Region"] == "us-east-1"
    assert facts["Approvers"] == "bob, carol" and facts["Expires"] == "2024-10-15 13:00 UTC"
    assert card["body"][4]["text"] == "**Changes**\n\n- revoke ingress tcp 22 from 0.0.0.0/0 on sg-1"
    details = card["body"][5]
    assert details["id"] == cards.DETAILS_ID and details["isVisible"] is False
    assert [i["type"] for i in details["items"]] == ["TextBlock", "CodeBlock"]
    actions = card["actions"]
    assert [(a["type"], a["title"]) for a in actions] == [
        ("Action.Execute", "Approve"),
        ("Action.Execute", "Reject"),
        ("Action.ToggleVisibility", "Show details"),
    ]
    assert actions[2]["targetElements"] == [cards.DETAILS_ID]


def test_an_oversized_plan_drops_the_details_but_keeps_the_buttons() -> None:
    huge = {"summary": "€" * 2000, "blob": ["€" * 500 for _ in range(100)]}  # 3 bytes a character
    card = cards.approval_card(view(plan=huge), KEY)
    assert cards.size_of(card) <= cards.CARD_LIMIT
    assert not of_type(card, "CodeBlock") and not any(b.get("id") == cards.DETAILS_ID for b in card["body"])
    assert [a["title"] for a in card["actions"]] == ["Approve", "Reject"]


def test_the_decided_card_says_outcome_who_and_when_first() -> None:
    at = datetime(2024, 10, 15, 12, 5, tzinfo=UTC)
    done = view(status="executed", decided_by="bob", result={"applied": True})
    card = cards.decided_card(done, "Executed revoke_ingress.\nVerified.", at=at)
    headline, what, when = card["body"][:3]
    assert (headline["text"], headline["color"], headline["weight"]) == (
        "✅ Executed by bob",
        "Good",
        "Bolder",
    )
    assert what["text"] == "revoke_ingress on sg-1" and when["text"] == "Decided 2024-10-15 12:05 UTC"
    facts = [f["title"] for f in card["body"][3]["facts"]]
    assert "Approvers" not in facts and "Expires" not in facts and "Requested by" in facts
    assert card["body"][4]["text"] == "Executed revoke_ingress.\n\nVerified."
    assert not [a for a in card["actions"] if a["type"] == "Action.Execute"]
    rejected = cards.decided_card(view(status="rejected", decided_by="carol"), at=at)
    assert (
        rejected["body"][0]["text"] == "❌ Rejected by carol" and rejected["body"][0]["color"] == "Attention"
    )
    assert "actions" not in rejected
