"""A `Reply` as Adaptive Cards (built with the Teams SDK's card models, `microsoft-teams-cards`).

Teams refuses a bot message over about 28 KB, card included, so a reply becomes as many messages
as it needs, each one card under `CARD_LIMIT` bytes of JSON: the answer's text, its tables
(`Table` elements; a long table is continued on the next card), code (`CodeBlock`, split by
lines when long), charts (PNG as a data URI, re-encoded with a small palette and scaled down
until the card fits), citations ("Sources", with links) and the suggested phrasings (`imBack`
buttons, which send the text as the user's next message).

Approval cards use Universal Actions: Approve / Reject are `Action.Execute` with the verb and
`data = {approvalId, nonce, sig}`, where `sig` is an HMAC of the approval id and the nonce under
the bot's card key, so an invoke whose data was altered is refused (`verify_action`). After the
decision the bot replaces the card for everyone (`decided_card`, by the Bot Connector's update);
there is no `refresh` action, since a front without the agent (queue mode) could not answer it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
import re
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from microsoft_teams.cards import (
    ActionSet,
    AdaptiveCard,
    CardElement,
    CodeBlock,
    ColumnDefinition,
    Container,
    ExecuteAction,
    Fact,
    FactSet,
    Image,
    SubmitAction,
    Table,
    TableCell,
    TableRow,
    TeamsImageProperties,
    TextBlock,
    ToggleVisibilityAction,
)

from agent.api import Chart, Citation
from agent.api import CodeBlock as Code
from agent.api import Table as DataTable
from agent.messages import ApprovalView, Reply

UNDERSTOOD = "Understood:"
CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
CARD_LIMIT = 26 * 1024  # Teams' limit is about 28 KB for the whole activity; leave room for it
TEXT_CHUNK = 6000
CODE_CHUNK = 12_000
MAX_SUGGESTIONS = 5
APPROVE, REJECT = "approve", "reject"
_ICON = {
    "executed": "✅",
    "approved": "✅",
    "executing": "⏳",
    "rejected": "❌",
    "failed": "⚠️",
    "unknown": "⚠️",
    "stale": "⚠️",
    "expired": "⌛",
    "withdrawn": "↩️",
}


def card_attachment(card: dict[str, Any]) -> dict[str, Any]:
    return {"contentType": CARD_CONTENT_TYPE, "content": card}


def message_activity(card: dict[str, Any], summary: str = "") -> dict[str, Any]:
    """A message activity carrying one card (`summary` is what notifications show)."""
    activity: dict[str, Any] = {"type": "message", "attachments": [card_attachment(card)]}
    if summary:
        activity["summary"] = summary[:200]
    return activity


def size_of(card: dict[str, Any]) -> int:
    return len(json.dumps(card, ensure_ascii=False).encode("utf-8"))


def adaptive_card(body: list[CardElement], **extra: Any) -> dict[str, Any]:
    card = AdaptiveCard(body=body, version="1.5", **extra).model_dump(exclude_none=True, by_alias=True)
    card.pop("schema", None)
    return {"$schema": SCHEMA, **card}


# -- replies ------------------------------------------------------------------------------------
def render_reply(reply: Reply) -> list[dict[str, Any]]:
    """The reply's cards, in order; each one is under `CARD_LIMIT`. The approval card of a pending
    request is not among them: it is posted on its own (`approval_card`), so it can be updated."""
    pieces: list[CardElement] = list(_text(reply))
    for table in reply.tables:
        pieces.extend(_tables(table))
    for code in reply.code:
        pieces.extend(_code(code))
    if reply.citations:
        pieces.append(_sources(reply.citations))
    cards = _pack(pieces)
    for chart in reply.charts:
        cards.append(_chart_card(chart))
    suggestions = reply.suggestions[:MAX_SUGGESTIONS]
    if suggestions:
        buttons = [
            SubmitAction(title=s[:80], data={"msteams": {"type": "imBack", "value": s[:1000]}})
            for s in suggestions
        ]
        last = cards[-1]
        extra = ActionSet(actions=buttons).model_dump(exclude_none=True, by_alias=True)
        if size_of(last) + size_of(extra) < CARD_LIMIT:
            last["body"].append(extra)
        else:
            cards.append(adaptive_card([ActionSet(actions=buttons)]))
    return cards


def _text(reply: Reply) -> Iterator[CardElement]:
    """The answer's text: the "Understood: …" line (how the question was read) on its own, subtle,
    then the answer in paragraphs; a failure's text in the attention colour."""
    text = reply.text or " "
    first, _, rest = text.partition("\n")
    if first.startswith(UNDERSTOOD) and rest.strip():
        yield TextBlock(text=first[:TEXT_CHUNK], wrap=True, is_subtle=True, spacing="None")
        text = rest
    for i, chunk in enumerate(_chunks(_paragraphs(text), TEXT_CHUNK)):
        block = TextBlock(text=chunk, wrap=True)
        if i == 0 and not reply.ok:
            block.text = "⚠️ " + chunk
            block.color = "Attention"
        yield block


def _paragraphs(text: str) -> str:
    """Single line breaks as paragraph breaks: Teams' card Markdown (CommonMark) joins the lines of
    a paragraph into one, so "a\nb" would read "a b". List items and code fences keep theirs."""
    out: list[str] = []
    fenced = False
    for line in text.split("\n"):
        if not fenced and line.startswith(BULLET):
            line = "- " + line[len(BULLET) :]
        if out:
            keep = fenced or _LIST_ITEM.match(line) is not None or not line.strip() or not out[-1].strip()
            out.append("\n" if keep else "\n\n")
        if line.lstrip().startswith("```"):
            fenced = not fenced
        out.append(line)
    return "".join(out)


BULLET = "• "  # the planner's bullets: read as a Markdown list
_LIST_ITEM = re.compile(r"\s*([-*+]|\d+[.)])\s")


def _pack(pieces: list[CardElement]) -> list[dict[str, Any]]:
    """Greedily fills cards with the pieces, in order, each card under the limit."""
    cards: list[dict[str, Any]] = []
    current: list[CardElement] = []
    for piece in pieces:
        if current and size_of(adaptive_card([*current, piece])) > CARD_LIMIT:
            cards.append(adaptive_card(current))
            current = []
        current.append(piece)
    if current or not cards:
        cards.append(adaptive_card(current or [TextBlock(text=" ", wrap=True)]))
    return cards


def _chunks(text: str, size: int) -> Iterator[str]:
    """Pieces of at most `size` characters, cut at a line end where there is one."""
    while len(text) > size:
        cut = text.rfind("\n", 0, size)
        cut = cut if cut > size // 2 else size
        yield text[:cut]
        text = text[cut:].lstrip("\n")
    yield text


# A Teams message is about 450-550 px wide: some 60 characters of the default font a line. A table
# whose columns need more (or has more than 4) is shown as one block per row instead of a grid.
LINE_CHARS = 60
MAX_GRID_COLUMNS = 4
CELL_PADDING = 3  # in characters, in the columns' weights
CELL_CHARS = 28  # a cell longer than this wraps; the column is not made wider for it


def _cell(value: object, bold: bool = False, right: bool = False) -> TableCell:
    block = TextBlock(text=str(value)[:500], wrap=True, weight="Bolder" if bold else None)
    if right:
        block.horizontal_alignment = "Right"
    return TableCell(items=[block])


def _widths(table: DataTable) -> list[int]:
    """Each column's natural width in characters: its header or its longest cell, up to a cap."""
    widths = []
    for i, name in enumerate(table.columns):
        longest = max((len(str(row[i])) for row in table.rows if i < len(row)), default=0)
        widths.append(max(len(str(name)), min(longest, CELL_CHARS), 1))
    return widths


def fits_grid(table: DataTable) -> bool:
    widths = _widths(table)
    return len(widths) <= MAX_GRID_COLUMNS and sum(widths) + 2 * len(widths) <= LINE_CHARS


def _is_total(row: list[Any]) -> bool:
    return bool(row) and str(row[0]).strip().lower() == "total"


def _tables(table: DataTable) -> Iterator[CardElement]:
    """The table as one or more `Table` elements (a long one in parts of rows that fit a card),
    or, when it is too wide for a message, as one block per row."""
    title = f"**{table.title[:200]}**" if table.title else ""
    if not fits_grid(table):
        records = list(_records(table))
        if title and records:  # the title goes with the first row, so that a card never ends on it
            records[0] = Container(items=[TextBlock(text=title, wrap=True), records[0]])
        elif title:
            records = [TextBlock(text=title, wrap=True)]
        yield from records
        return
    # Wider columns for longer content, so that names do not wrap while numbers have room to spare.
    # (plus the cell's padding, so that a short column such as "100.0%" in bold does not wrap).
    columns = [ColumnDefinition(width=w + CELL_PADDING) for w in _widths(table)]
    numeric = set(table.numeric)
    header = TableRow(cells=[_cell(c, bold=True, right=i in numeric) for i, c in enumerate(table.columns)])
    rows = [
        TableRow(cells=[_cell(v, bold=_is_total(row), right=i in numeric) for i, v in enumerate(row)])
        for row in table.rows
    ]
    part: list[TableRow] = []
    parts = 0
    for row in rows:
        candidate = Table(columns=columns, rows=[header, *part, row], first_row_as_headers=True)
        if part and size_of(adaptive_card([candidate])) > CARD_LIMIT * 3 // 4:
            yield from _titled(
                title, parts, Table(columns=columns, rows=[header, *part], first_row_as_headers=True)
            )
            parts += 1
            part = []
        part.append(row)
    yield from _titled(title, parts, Table(columns=columns, rows=[header, *part], first_row_as_headers=True))


def _titled(title: str, part: int, table: Table) -> Iterator[CardElement]:
    """The part with its title in one piece, so that a card never ends on a title."""
    if not title:
        yield table
        return
    heading = TextBlock(text=title + (" (continued)" if part else ""), wrap=True)
    yield Container(items=[heading, table])


def _records(table: DataTable) -> Iterator[CardElement]:
    """A wide table's rows as blocks: the first two cells as a heading, the others as facts."""
    names = [str(c) for c in table.columns]
    for row in table.rows:
        cells = [str(v)[:500] for v in row]
        heading = " · ".join(c for c in cells[:2] if c)
        facts = [
            Fact(title=names[i][:100], value=cells[i])
            for i in range(2, min(len(names), len(cells)))
            if cells[i].strip()
        ]
        items: list[CardElement] = [TextBlock(text=f"**{heading}**", wrap=True)]
        if facts:
            items.append(FactSet(facts=facts, spacing="Small"))
        yield Container(items=items, separator=True, spacing="Medium")


def _code(code: Code) -> Iterator[CardElement]:
    if code.filename:
        yield TextBlock(text=f"`{code.filename[:200]}`", wrap=True, is_subtle=True)
    language = _LANGUAGES.get(code.language.lower(), "PlainText")
    for chunk in _chunks(code.code, CODE_CHUNK):
        yield CodeBlock(code_snippet=chunk, language=language)


# The languages Teams' CodeBlock highlights, by our names.
_LANGUAGES = {
    "hcl": "PlainText",
    "terraform": "PlainText",
    "json": "Json",
    "yaml": "PlainText",
    "bash": "Bash",
    "sh": "Bash",
    "shell": "Bash",
    "python": "Python",
    "sql": "Sql",
    "typescript": "TypeScript",
    "javascript": "JavaScript",
    "powershell": "PowerShell",
    "xml": "Xml",
    "go": "Go",
    "java": "Java",
}


def _sources(citations: list[Citation]) -> CardElement:
    """One line a source, numbered as the answer's "[1]" references, the label a link when there is
    an http(s) URL (Teams opens nothing else)."""
    items: list[CardElement] = [TextBlock(text="**Sources**", wrap=True)]
    for i, c in enumerate(citations, start=1):
        label = c.source + (f" — {c.section}" if c.section else "")
        if c.lines:
            label += f" (lines {c.lines[0]}–{c.lines[1]})"
        label = label.replace("[", "(").replace("]", ")")[:300]
        linked = c.url is not None and c.url.startswith(("https://", "http://"))
        text = f"[{i}] [{label}]({c.url})" if linked else f"[{i}] {label}"
        items.append(TextBlock(text=text, wrap=True, spacing="Small"))
    return Container(items=items)


def _chart_card(chart: Chart) -> dict[str, Any]:
    title = TextBlock(text=f"**{chart.title[:200]}**", wrap=True)
    try:
        raw = chart.path.read_bytes()
    except OSError:
        return adaptive_card(
            [title, TextBlock(text="(the chart could not be read)", wrap=True, is_subtle=True)]
        )
    for png in _smaller_pngs(raw):
        image = Image(url="data:image/png;base64," + base64.b64encode(png).decode("ascii"))
        image.alt_text = (chart.alt_text or chart.title)[:300]
        # Teams shows a chart at the message's width; a click opens it full size.
        image.msteams = TeamsImageProperties(allow_expand=True)
        card = adaptive_card([title, image])
        if size_of(card) <= CARD_LIMIT:
            return card
    return adaptive_card(
        [title, TextBlock(text="(the chart is too large for a Teams card)", wrap=True, is_subtle=True)]
    )


def _smaller_pngs(raw: bytes) -> Iterator[bytes]:
    """The PNG as it is, then re-encoded with a 64-colour palette at shrinking sizes."""
    yield raw
    try:
        from PIL import Image as PilImage
    except ImportError:  # pragma: no cover - matplotlib brings Pillow
        return
    try:
        image = PilImage.open(io.BytesIO(raw)).convert("RGB")
    except Exception:
        return
    width, height = image.size
    for scale in (1.0, 0.75, 0.5, 0.35, 0.25):
        size = (max(1, int(width * scale)), max(1, int(height * scale)))
        small = image.resize(size) if scale < 1.0 else image
        out = io.BytesIO()
        small.quantize(colors=64).save(out, format="PNG", optimize=True)
        yield out.getvalue()


# -- approvals ----------------------------------------------------------------------------------
def sign(key: bytes, approval_id: str, nonce: str) -> str:
    return hmac.new(key, f"{approval_id}\n{nonce}".encode(), hashlib.sha256).hexdigest()


def action_data(key: bytes, approval_id: str) -> dict[str, str]:
    nonce = secrets.token_urlsafe(12)
    return {"approvalId": approval_id, "nonce": nonce, "sig": sign(key, approval_id, nonce)}


def verify_action(key: bytes, data: object) -> str | None:
    """The approval id of an invoke's `data` when the card key signed it, else None."""
    if not isinstance(data, dict) or not key:
        return None
    approval_id, nonce, sig = data.get("approvalId"), data.get("nonce"), data.get("sig")
    if not all(isinstance(v, str) and 0 < len(v) <= 128 for v in (approval_id, nonce, sig)):
        return None
    assert isinstance(approval_id, str) and isinstance(nonce, str) and isinstance(sig, str)
    if not hmac.compare_digest(sign(key, approval_id, nonce), sig):
        return None
    return approval_id


DETAILS_ID = "details"
_GOOD = {"executed", "approved", "executing"}
_BAD = {"rejected", "failed", "unknown", "stale"}


def _facts(view: ApprovalView, pending: bool = True) -> FactSet:
    plan = view.plan or {}
    facts = [
        Fact(title="Request", value=view.id),
        Fact(title="Action", value=view.action),
        Fact(title="Resource", value=view.resource_id[:200]),
    ]
    for key in ("account", "region"):
        if isinstance(plan.get(key), str) and plan[key]:
            facts.append(Fact(title=key.capitalize(), value=plan[key][:100]))
    facts.append(Fact(title="Requested by", value=view.requester))
    if pending and view.approvers:
        facts.append(Fact(title="Approvers", value=", ".join(view.approvers)[:300]))
    if view.expires_at is not None and (pending or view.status == "expired"):
        facts.append(Fact(title="Expires", value=f"{view.expires_at:%Y-%m-%d %H:%M} UTC"))
    return FactSet(facts=facts)


def _plan(view: ApprovalView) -> list[CardElement]:
    """What would change, in words (the summary and the list of changes); the plan itself is in
    the hidden details."""
    plan = view.plan or {}
    summary = plan.get("summary") or plan.get("description")
    out: list[CardElement] = []
    if isinstance(summary, str) and summary:
        out.append(TextBlock(text=summary[:2000], wrap=True))
    listed_changes = plan.get("changes")
    changes = [str(c)[:300] for c in listed_changes if c] if isinstance(listed_changes, list) else []
    if changes:
        listed = "\n".join(f"- {c}" for c in changes[:20]) + ("\n- …" if len(changes) > 20 else "")
        out.append(TextBlock(text=f"**Changes**\n\n{listed}", wrap=True))
    return out


def _details(title: str, value: dict[str, Any], limit: int) -> tuple[Container, ToggleVisibilityAction]:
    """The JSON in full, hidden until "Show details" is clicked: it is for whoever wants to check."""
    text = json.dumps(value, indent=2, default=str, ensure_ascii=False)
    if len(text) > limit:
        text = text[:limit] + "\n…"
    box = Container(
        id=DETAILS_ID,
        is_visible=False,
        items=[
            TextBlock(text=title, wrap=True, is_subtle=True),
            CodeBlock(code_snippet=text, language="Json"),
        ],
    )
    return box, ToggleVisibilityAction(title="Show details", target_elements=[DETAILS_ID])


def approval_card(view: ApprovalView, key: bytes) -> dict[str, Any]:
    """The pending request: what would change (the dry run), who asked, Approve / Reject."""
    data = action_data(key, view.id)
    box, toggle = _details("The dry run's plan", view.plan or {}, 8000)
    body: list[CardElement] = [
        TextBlock(text=f"**Approval needed:** {view.action} on {view.resource_id[:200]}", wrap=True),
        TextBlock(text="Dry run — nothing has changed yet.", wrap=True, is_subtle=True, spacing="None"),
        _facts(view),
        *_plan(view),
        box,
    ]
    actions = [
        ExecuteAction(title="Approve", verb=APPROVE, data=data, style="positive"),
        ExecuteAction(title="Reject", verb=REJECT, data=data, style="destructive"),
        toggle,
    ]
    return _fit(adaptive_card(body, actions=actions))


def decided_card(view: ApprovalView, note: str = "", at: datetime | None = None) -> dict[str, Any]:
    """The request after its decision, for everyone: the outcome and who decided, when (`at`, the
    time of the update, by default now), what was asked, and what came of it."""
    who = f" by {view.decided_by}" if view.decided_by else ""
    when = (at or datetime.now(UTC)).astimezone(UTC)
    color = "Good" if view.status in _GOOD else "Attention" if view.status in _BAD else "Warning"
    headline = f"{_ICON.get(view.status, '•')} {view.status.capitalize()}{who}"
    body: list[CardElement] = [
        TextBlock(text=headline, wrap=True, size="Medium", weight="Bolder", color=color),
        TextBlock(text=f"{view.action} on {view.resource_id[:200]}", wrap=True, spacing="None"),
        TextBlock(text=f"Decided {when:%Y-%m-%d %H:%M} UTC", wrap=True, is_subtle=True, spacing="None"),
        _facts(view, pending=False),
    ]
    if note:
        body.append(TextBlock(text=_paragraphs(note[:2000]), wrap=True))
    actions: list[Any] = []
    if view.result:
        box, toggle = _details("The result", view.result, 4000)
        body.append(box)
        actions.append(toggle)
    return _fit(adaptive_card(body, actions=actions) if actions else adaptive_card(body))


def notice_card(text: str) -> dict[str, Any]:
    return adaptive_card([TextBlock(text=text[:TEXT_CHUNK], wrap=True)])


def _fit(card: dict[str, Any]) -> dict[str, Any]:
    """Drops the hidden details (the plan or result in full) of a card that would be too large."""
    if size_of(card) <= CARD_LIMIT:
        return card
    card["body"] = [b for b in card["body"] if b.get("id") != DETAILS_ID]
    card["body"].append({"type": "TextBlock", "text": "(details too long for a card)", "wrap": True})
    actions = [a for a in card.get("actions", []) if a.get("type") != "Action.ToggleVisibility"]
    if actions:
        card["actions"] = actions
    else:
        card.pop("actions", None)
    return card


def invoke_response(card: dict[str, Any]) -> dict[str, Any]:
    """The body of the HTTP response to an `adaptiveCard/action` invoke: the card to show."""
    return {"statusCode": 200, "type": CARD_CONTENT_TYPE, "value": card}


def invoke_message(text: str) -> dict[str, Any]:
    """An invoke response that shows the clicker a short message instead of a new card."""
    return {"statusCode": 200, "type": "application/vnd.microsoft.activity.message", "value": text}
