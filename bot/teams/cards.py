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
import secrets
from collections.abc import Iterator
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
    TextBlock,
)

from agent.api import Chart, Citation
from agent.api import CodeBlock as Code
from agent.api import Table as DataTable
from agent.messages import ApprovalView, Reply

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
    pieces: list[CardElement] = []
    for chunk in _chunks(reply.text or " ", TEXT_CHUNK):
        pieces.append(TextBlock(text=chunk, wrap=True))
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


def _cell(value: object, bold: bool = False, right: bool = False) -> TableCell:
    block = TextBlock(text=str(value)[:500], wrap=True, weight="Bolder" if bold else None)
    if right:
        block.horizontal_alignment = "Right"
    return TableCell(items=[block])


def _tables(table: DataTable) -> Iterator[CardElement]:
    """The table as one or more `Table` elements (a long one in parts of rows that fit a card)."""
    if table.title:
        yield TextBlock(text=f"**{table.title[:200]}**", wrap=True)
    columns = [ColumnDefinition(width=1) for _ in table.columns]
    header = TableRow(cells=[_cell(c, bold=True) for c in table.columns])
    rows = [
        TableRow(cells=[_cell(v, right=i in table.numeric) for i, v in enumerate(row)]) for row in table.rows
    ]
    part: list[TableRow] = []
    for row in rows:
        candidate = Table(columns=columns, rows=[header, *part, row], first_row_as_headers=True)
        if part and size_of(adaptive_card([candidate])) > CARD_LIMIT * 3 // 4:
            yield Table(columns=columns, rows=[header, *part], first_row_as_headers=True)
            part = []
        part.append(row)
    yield Table(columns=columns, rows=[header, *part], first_row_as_headers=True)


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
    lines = []
    for i, c in enumerate(citations, start=1):
        label = c.source + (f" — {c.section}" if c.section else "")
        if c.lines:
            label += f" (lines {c.lines[0]}–{c.lines[1]})"
        label = label.replace("[", "(").replace("]", ")")[:300]
        lines.append(f"{i}. [{label}]({c.url})" if c.url else f"{i}. {label}")
    return Container(
        items=[TextBlock(text="**Sources**", wrap=True), TextBlock(text="\n\n".join(lines), wrap=True)]
    )


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


def _facts(view: ApprovalView) -> FactSet:
    facts = [
        Fact(title="Request", value=view.id),
        Fact(title="Action", value=view.action),
        Fact(title="Resource", value=view.resource_id[:200]),
        Fact(title="Requested by", value=view.requester),
    ]
    if view.approvers:
        facts.append(Fact(title="Approvers", value=", ".join(view.approvers)[:300]))
    if view.expires_at is not None:
        facts.append(Fact(title="Expires", value=f"{view.expires_at:%Y-%m-%d %H:%M} UTC"))
    return FactSet(facts=facts)


def _plan(view: ApprovalView) -> list[CardElement]:
    plan = view.plan or {}
    summary = plan.get("summary") or plan.get("description")
    out: list[CardElement] = []
    if isinstance(summary, str) and summary:
        out.append(TextBlock(text=summary[:2000], wrap=True))
    text = json.dumps(plan, indent=2, default=str, ensure_ascii=False)
    if len(text) > 8000:
        text = text[:8000] + "\n…"
    out.append(CodeBlock(code_snippet=text, language="Json"))
    return out


def approval_card(view: ApprovalView, key: bytes) -> dict[str, Any]:
    """The pending request: what would change (the dry run), who asked, Approve / Reject."""
    data = action_data(key, view.id)
    body: list[CardElement] = [
        TextBlock(text=f"**Approval needed:** {view.action} on {view.resource_id[:200]}", wrap=True),
        TextBlock(text="Dry run — nothing has changed yet.", wrap=True, is_subtle=True),
        _facts(view),
        *_plan(view),
    ]
    actions = [
        ExecuteAction(title="Approve", verb=APPROVE, data=data, style="positive"),
        ExecuteAction(title="Reject", verb=REJECT, data=data, style="destructive"),
    ]
    return _fit(adaptive_card(body, actions=actions))


def decided_card(view: ApprovalView, note: str = "") -> dict[str, Any]:
    """The request after its decision, for everyone: who decided and what came of it."""
    who = f" by {view.decided_by}" if view.decided_by else ""
    headline = (
        f"{_ICON.get(view.status, '•')} **{view.status.capitalize()}{who}:** {view.action} on "
        + (view.resource_id[:200])
    )
    body: list[CardElement] = [TextBlock(text=headline, wrap=True), _facts(view)]
    if note:
        body.append(TextBlock(text=note[:2000], wrap=True))
    if view.result:
        text = json.dumps(view.result, indent=2, default=str, ensure_ascii=False)[:4000]
        body.append(CodeBlock(code_snippet=text, language="Json"))
    return _fit(adaptive_card(body))


def notice_card(text: str) -> dict[str, Any]:
    return adaptive_card([TextBlock(text=text[:TEXT_CHUNK], wrap=True)])


def _fit(card: dict[str, Any]) -> dict[str, Any]:
    """Drops the code blocks (the plan or result in full) of a card that would be too large."""
    if size_of(card) <= CARD_LIMIT:
        return card
    card["body"] = [b for b in card["body"] if b.get("type") != "CodeBlock"]
    card["body"].append({"type": "TextBlock", "text": "(details too long for a card)", "wrap": True})
    return card


def invoke_response(card: dict[str, Any]) -> dict[str, Any]:
    """The body of the HTTP response to an `adaptiveCard/action` invoke: the card to show."""
    return {"statusCode": 200, "type": CARD_CONTENT_TYPE, "value": card}


def invoke_message(text: str) -> dict[str, Any]:
    """An invoke response that shows the clicker a short message instead of a new card."""
    return {"statusCode": 200, "type": "application/vnd.microsoft.activity.message", "value": text}
