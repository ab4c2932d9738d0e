"""A platform-neutral Reply as Slack messages (Block Kit) plus files to upload in the thread."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agent.api import Citation, CodeBlock, Table
from agent.messages import Reply
from bot.slack import blocks as bk

MAX_TABLE_ROWS = 25  # shown inline; the whole table is attached as CSV beyond that
MAX_CELL = 60
MAX_CODE_CHARS = 5000  # inline; longer code is attached as a file with a preview
PREVIEW_LINES = 15
MAX_MESSAGES = 3  # per reply; beyond that the full answer is attached as a text file
# Suggested phrasings of an unclear message, as buttons: a click asks that text in the thread.
SUGGESTION_ACTION = "cloudpilot_suggestion"
SUGGESTION_PATTERN = re.compile(rf"^{SUGGESTION_ACTION}_\d+$")
MAX_SUGGESTIONS = 3
BUTTON_TEXT = 75  # Block Kit: a button's label
BUTTON_VALUE = 2000  # Block Kit: a button's value


@dataclass(frozen=True)
class SlackMessage:
    text: str  # fallback for notifications and clients without blocks
    blocks: list[bk.Block]


@dataclass(frozen=True)
class FileUpload:
    filename: str
    title: str
    content: bytes | None = None
    path: Path | None = None
    alt_text: str = ""


@dataclass
class Rendered:
    messages: list[SlackMessage]
    files: list[FileUpload] = field(default_factory=list)


def render_reply(reply: Reply) -> Rendered:
    blocks: list[bk.Block] = []
    files: list[FileUpload] = []
    text = reply.text.strip() or "(no answer)"
    blocks += bk.sections(bk.mrkdwn(text if reply.ok else f":warning: {text}"))
    blocks += suggestion_blocks(reply.suggestions)
    for table in reply.tables:
        blocks += _table(table, files)
    for code in reply.code:
        blocks += _code(code, files)
    for chart in reply.charts:
        if chart.path.is_file():
            files.append(
                FileUpload(
                    chart.path.name, chart.title, path=chart.path, alt_text=chart.alt_text or chart.title
                )
            )
        else:
            blocks += bk.context([f"Chart “{bk.escape(chart.title)}” could not be attached."])
    if reply.citations:
        blocks += bk.context(["*Sources*"] + [_citation(i, c) for i, c in enumerate(reply.citations, 1)])
    if reply.error_ref:
        blocks += bk.context([f"Reference: `{bk.escape(reply.error_ref)}`"])

    fallback = bk.truncate(text, bk.FALLBACK_TEXT)
    limit = bk.MAX_BLOCKS * MAX_MESSAGES
    if len(blocks) > limit:
        blocks = blocks[: limit - 1] + bk.context(
            ["The answer is too long for Slack messages: the full text is attached as `answer.txt`."]
        )
        files.append(FileUpload("answer.txt", "Full answer", content=plain_text(reply).encode()))
    messages = [
        SlackMessage(fallback if i == 0 else "(continued)", blocks[i : i + bk.MAX_BLOCKS])
        for i in range(0, len(blocks), bk.MAX_BLOCKS)
    ]
    return Rendered(messages, files)


def suggestion_blocks(suggestions: list[str]) -> list[bk.Block]:
    """Up to three suggestions as buttons; the value is the text a click asks, so one that does
    not fit a button's value is left out rather than cut."""
    shown: list[str] = []
    for s in suggestions:
        s = s.strip()
        if s and len(s) <= BUTTON_VALUE and s not in shown:
            shown.append(s)
    buttons = [
        {
            "type": "button",
            "action_id": f"{SUGGESTION_ACTION}_{i}",
            "value": s,
            "text": bk.plain(s, BUTTON_TEXT),
        }
        for i, s in enumerate(shown[:MAX_SUGGESTIONS])
    ]
    return [{"type": "actions", "block_id": "suggestions", "elements": buttons}] if buttons else []


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.2f}"
    return bk.truncate(str(value).replace("\n", " "), MAX_CELL)


def aligned(table: Table, rows: list[list[Any]]) -> str:
    """A monospace table: columns padded, numeric columns right-aligned."""
    cells = [[_cell(v) for v in row] for row in rows]
    width = len(table.columns)
    widths = [len(c) for c in table.columns]
    for row in cells:
        for i, value in enumerate(row[:width]):
            widths[i] = max(widths[i], len(value))

    def line(values: list[str]) -> str:
        padded = [
            (v.rjust(widths[i]) if i in table.numeric else v.ljust(widths[i]))
            for i, v in enumerate((values + [""] * width)[:width])
        ]
        return "  ".join(padded).rstrip()

    out = [line(list(table.columns)), "  ".join("-" * w for w in widths)]
    out += [line(row) for row in cells]
    return "\n".join(out)


def _table(table: Table, files: list[FileUpload]) -> list[bk.Block]:
    out: list[bk.Block] = []
    title = f"*{bk.escape(table.title)}*" if table.title else None
    if not table.rows:
        return bk.sections(f"{title or '*Table*'}\n_no rows_")
    if len(table.columns) == 2 and len(table.rows) <= bk.MAX_FIELDS // 2 - 1:
        # Small key/value tables read best as a two-column field grid.
        fields = [f"*{bk.escape(c)}*" for c in table.columns]
        for row in table.rows:
            fields += [bk.escape(_cell(v)) for v in (list(row) + ["", ""])[:2]]
        return [bk.fields_section(fields, title)]
    shown = table.rows[:MAX_TABLE_ROWS]
    if title:
        out.append(bk.section(title))
    out += bk.code_sections(aligned(table, shown))
    if len(table.rows) > len(shown):
        name = _slug(table.title or "table") + ".csv"
        files.append(FileUpload(name, table.title or "Table", content=to_csv(table).encode()))
        out += bk.context(
            [f"Showing {len(shown)} of {len(table.rows)} rows; the full table is attached as `{name}`."]
        )
    return out


def to_csv(table: Table) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(table.columns)
    writer.writerows([["" if v is None else v for v in row] for row in table.rows])
    return buf.getvalue()


_EXT = {
    "python": "py",
    "terraform": "tf",
    "hcl": "tf",
    "yaml": "yaml",
    "json": "json",
    "bash": "sh",
    "shell": "sh",
    "sh": "sh",
    "typescript": "ts",
    "javascript": "js",
    "sql": "sql",
}


def _code(code: CodeBlock, files: list[FileUpload]) -> list[bk.Block]:
    name = code.filename or f"snippet.{_EXT.get(code.language.lower(), 'txt')}"
    label = f"`{bk.escape(name)}`" + (f" ({bk.escape(code.language)})" if code.language else "")
    if code.filename:
        # A named file (generated IaC, a manifest) is also uploaded, ready to download and commit.
        files.append(FileUpload(name, name, content=code.code.encode()))
    if len(code.code) <= MAX_CODE_CHARS:
        return bk.context([label]) + bk.code_sections(code.code)
    if not code.filename:
        files.append(FileUpload(name, name, content=code.code.encode()))
    preview = "\n".join(code.code.splitlines()[:PREVIEW_LINES])
    return bk.context(
        [f"{label}: the full file is attached; first {PREVIEW_LINES} lines:"]
    ) + bk.code_sections(preview)


def _citation(i: int, c: Citation) -> str:
    label = c.source + (f" § {c.section}" if c.section else "")
    where = f" (lines {c.lines[0]}–{c.lines[1]})" if c.lines else ""
    shown = bk.link(c.url, label) if c.url else bk.escape(label)
    return f"[{i}] {shown}{where}"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "table"


def plain_text(reply: Reply) -> str:
    """The whole reply as text, for the attachment when it does not fit in messages."""
    parts = [reply.text]
    for table in reply.tables:
        parts.append((table.title + "\n" if table.title else "") + aligned(table, table.rows))
    for code in reply.code:
        parts.append(f"--- {code.filename or code.language}\n{code.code}")
    for i, c in enumerate(reply.citations, 1):
        parts.append(f"[{i}] {c.source} {c.section} {c.url or ''}".rstrip())
    return "\n\n".join(parts) + "\n"
