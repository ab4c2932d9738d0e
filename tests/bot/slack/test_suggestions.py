"""Suggestion buttons on an unclear answer: a click asks that text in the thread, as the clicker."""

from __future__ import annotations

from typing import Any

from agent.messages import Reply
from bot.slack.render import render_reply
from tests.bot.slack.conftest import ALICE, BOB, Harness
from tests.bot.slack.doubles import SUGGESTED


def _answer_with_buttons(h: Harness) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the chat.update that carried suggestion buttons, its actions block)."""
    for c in h.fake.of("chat.update"):
        for block in c.args.get("blocks") or []:
            if block.get("type") == "actions" and block.get("block_id") == "suggestions":
                return c.args, block
    raise AssertionError(f"no suggestion buttons among {h.fake.methods()}")


def _answers(h: Harness) -> list[str]:
    return [c.args["text"] for c in h.fake.of("chat.update")]


def test_unclear_message_gets_suggestion_buttons(harness: Harness) -> None:
    harness.mention("huh blorp")
    harness.settle()
    update, actions = _answer_with_buttons(harness)
    assert update["text"] == "Not sure what 'huh blorp' means."
    assert [(b["action_id"], b["value"], b["text"]["text"]) for b in actions["elements"]] == [
        ("cloudpilot_suggestion_0", SUGGESTED[0], SUGGESTED[0]),
        ("cloudpilot_suggestion_1", SUGGESTED[1], SUGGESTED[1]),
    ]


def test_a_clear_answer_has_no_buttons(harness: Harness) -> None:
    harness.mention("hello")
    harness.settle()
    (update,) = [c.args for c in harness.fake.of("chat.update")]
    assert all(b["type"] != "actions" for b in update["blocks"])


def test_clicking_a_suggestion_asks_it_in_the_thread(harness: Harness) -> None:
    _, root = harness.mention("huh blorp", user=ALICE)
    harness.settle()
    update, _ = _answer_with_buttons(harness)
    status, _ = harness.press(
        "cloudpilot_suggestion_0", SUGGESTED[0], user=BOB, message_ts=update["ts"], thread_ts=root
    )
    assert status == 200
    harness.settle()
    # Answered in the same conversation (it remembers the unclear message), in the thread.
    assert _answers(harness)[-1] == f"turn 2: {SUGGESTED[0]} (before that: huh blorp)"
    assert [p.args["thread_ts"] for p in harness.fake.of("chat.postMessage")] == [root, root]
    assert harness.planner.seen == ["huh blorp", SUGGESTED[0]]
    # Asked by the person who clicked.
    (question,) = harness.agent.rt.approvals.audit.list(kind="question", limit=1)
    assert question.subject == SUGGESTED[0] and question.actor.upper() == BOB


def test_a_double_click_is_answered_once(harness: Harness) -> None:
    _, root = harness.mention("huh blorp")
    harness.settle()
    update, _ = _answer_with_buttons(harness)
    for _ in range(2):
        harness.press(
            "cloudpilot_suggestion_1", SUGGESTED[1], user=ALICE, message_ts=update["ts"], thread_ts=root
        )
    harness.settle()
    assert harness.planner.seen == ["huh blorp", SUGGESTED[1]]
    # Another person's click on the same button is their own question.
    harness.press("cloudpilot_suggestion_1", SUGGESTED[1], user=BOB, message_ts=update["ts"], thread_ts=root)
    harness.settle()
    assert harness.planner.seen == ["huh blorp", SUGGESTED[1], SUGGESTED[1]]


def test_buttons_keep_to_block_kit_limits() -> None:
    long = "x" * 100
    reply = Reply(text="?", suggestions=[long, "a", "a", "y" * 2001, "b", "c"])
    (message,) = render_reply(reply).messages
    (actions,) = [b for b in message.blocks if b["type"] == "actions"]
    buttons = actions["elements"]
    assert [b["value"] for b in buttons] == [long, "a", "b"]
    assert len(buttons[0]["text"]["text"]) <= 75
    assert Reply(text="?", suggestions=["a"]).contract().keys() == {
        "tool_calls",
        "answer",
        "data",
        "approval",
    }
