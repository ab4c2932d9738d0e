"""Block Kit building blocks and Slack's limits (https://api.slack.com/reference/block-kit)."""

from __future__ import annotations

import re
from typing import Any

Block = dict[str, Any]

MAX_BLOCKS = 50  # per message
SECTION_TEXT = 3000  # characters of a section's text
HEADER_TEXT = 150
CONTEXT_ELEMENTS = 10
FIELD_TEXT = 2000
MAX_FIELDS = 10
FALLBACK_TEXT = 3000  # the notification text; Slack truncates at 40k, people read far less


def escape(text: str) -> str:
    """Slack's mrkdwn needs only these three escaped."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_BOLD = re.compile(r"\*\*(.+?)\*\*")


def mrkdwn(text: str) -> str:
    """Plain or Markdown-ish agent text as Slack mrkdwn: escaped, **bold** -> *bold*."""
    return _BOLD.sub(r"*\1*", escape(text))


def truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def link(url: str, label: str) -> str:
    # `|` and `>` end a link's parts; angle brackets in a URL are not valid anyway.
    safe_url = url.replace("|", "%7C").replace(">", "%3E").replace("<", "%3C")
    return f"<{safe_url}|{escape(label).replace('|', '¦')}>"


def split_text(text: str, limit: int) -> list[str]:
    """Chunks of at most `limit` characters, cut at line ends where possible."""
    chunks: list[str] = []
    current = ""
    for line in text.splitlines(keepends=True):
        while len(line) > limit:
            if current:
                chunks.append(current)
                current = ""
            chunks.append(line[:limit])
            line = line[limit:]
        if len(current) + len(line) > limit:
            chunks.append(current)
            current = ""
        current += line
    if current or not chunks:
        chunks.append(current)
    return [c.rstrip("\n") or " " for c in chunks]


def section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": truncate(text, SECTION_TEXT)}}


def sections(text: str) -> list[Block]:
    return [section(chunk) for chunk in split_text(text, SECTION_TEXT)]


def fields_section(fields: list[str], text: str | None = None) -> Block:
    block: Block = {
        "type": "section",
        "fields": [{"type": "mrkdwn", "text": truncate(f, FIELD_TEXT)} for f in fields[:MAX_FIELDS]],
    }
    if text:
        block["text"] = {"type": "mrkdwn", "text": truncate(text, SECTION_TEXT)}
    return block


def header(text: str) -> Block:
    return {
        "type": "header",
        "text": {"type": "plain_text", "text": truncate(text, HEADER_TEXT), "emoji": True},
    }


def context(texts: list[str]) -> list[Block]:
    """One or more context blocks (at most ten elements each)."""
    return [
        {
            "type": "context",
            "elements": [
                {"type": "mrkdwn", "text": truncate(t, SECTION_TEXT)} for t in texts[i : i + CONTEXT_ELEMENTS]
            ],
        }
        for i in range(0, len(texts), CONTEXT_ELEMENTS)
    ]


def divider() -> Block:
    return {"type": "divider"}


def code_sections(code: str) -> list[Block]:
    """Preformatted sections; a stray ``` inside the code would end the fence early."""
    body = escape(code.replace("```", "``\u200b`"))
    room = SECTION_TEXT - 8
    return [section(f"```\n{chunk}\n```") for chunk in split_text(body, room)]


def plain(text: str, limit: int) -> dict[str, Any]:
    return {"type": "plain_text", "text": truncate(text, limit), "emoji": True}
