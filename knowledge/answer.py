"""Turning retrieved passages into a cited answer, without adding anything of our own.

The offline answer is extractive. Each passage is split into the units a reader sees: a
numbered step or list item with its continuation lines, a paragraph, a code block, a table
row (quoted under the table's header). The units that have the most words of the question
are quoted whole, in document order, then their neighbours while there is room; a line "…"
stands wherever something was left out. Nothing is cut mid-sentence, and units that were
apart in the document are never joined, so a quote cannot say something the document does
not. Quotes keep the document's Markdown: its list numbers, code fences, table syntax and
emphasis. Passages come most relevant first (by similarity score) and each is numbered so
that "[n]" maps to citation n. Passage text is quoted as data; nothing in it is ever treated
as an instruction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge.models import Hit
from knowledge.words import Terms, question_words

NO_SOURCE = "No source found"
ELLIPSIS = "…"
# Characters quoted from the first passage and from each of the others.
FIRST_QUOTE = 700
OTHER_QUOTE = 400
_CITE = re.compile(r"\[(\d{1,2})\]")
_ITEM = re.compile(r"^\s*(?:\d{1,3}[.)]|[-*+•])\s+\S")
_FENCE = re.compile(r"^\s*(```|~~~)")
_TABLE = re.compile(r"^\s*\|")
_RULE = re.compile(r"^\s*\|?\s*:?-{3,}")


@dataclass(frozen=True)
class Unit:
    """A piece of a passage that is quoted whole. `kind`: "item" (a list item or numbered
    step), "para", "code" (a fenced block), "head" (a table's header and rule) or "row";
    `gap`: a blank line comes before it in the document; `table`: the table it belongs to."""

    kind: str
    lines: tuple[str, ...]
    gap: bool = False
    table: int | None = None

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    def render(self) -> list[str]:
        """The unit as Markdown lines: a paragraph or list item as one line (the document's
        line breaks inside it are soft), code and table rows as they are."""
        if self.kind in ("para", "item") and len(self.lines) > 1:
            return [" ".join([self.lines[0].rstrip(), *(line.strip() for line in self.lines[1:])])]
        return list(self.lines)


def units(text: str, lines_are_units: bool = False) -> list[Unit]:
    """The units of a passage, in document order. In text from HTML every line is already a
    block of the page (a paragraph, a list item, a table row): `lines_are_units`."""
    lines = text.split("\n")
    if lines_are_units:
        return [Unit("para", (line,), gap=n > 0) for n, line in enumerate(x for x in lines if x.strip())]
    out: list[Unit] = []
    i, gap, tables = 0, False, 0
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            gap, i = True, i + 1
            continue
        fence = _FENCE.match(line)
        if fence:
            end = i + 1
            while end < len(lines) and not lines[end].lstrip().startswith(fence.group(1)):
                end += 1
            end = min(end, len(lines) - 1)
            out.append(Unit("code", tuple(lines[i : end + 1]), gap))
            i = end + 1
        elif _TABLE.match(line):
            end = i
            while end < len(lines) and _TABLE.match(lines[end]):
                end += 1
            rows = lines[i:end]
            first = gap
            if len(rows) >= 2 and _RULE.match(rows[1]):
                out.append(Unit("head", tuple(rows[:2]), gap, tables))
                rows, first = rows[2:], False
            for number, row in enumerate(rows):
                out.append(Unit("row", (row,), first and number == 0, tables))
            tables += 1
            i = end
        else:
            start = i
            item = bool(_ITEM.match(line))
            i += 1
            while i < len(lines) and lines[i].strip() and not _starts_unit(lines[i]):
                i += 1
            out.append(Unit("item" if item else "para", tuple(lines[start:i]), gap))
        gap = False
    return out


def _starts_unit(line: str) -> bool:
    return bool(_ITEM.match(line) or _FENCE.match(line) or _TABLE.match(line))


def _head_of(parts: list[Unit], index: int) -> int | None:
    table = parts[index].table
    if parts[index].kind != "row" or table is None:
        return None
    return next((i for i, u in enumerate(parts) if u.kind == "head" and u.table == table), None)


def _choose(parts: list[Unit], query: str, limit: int) -> set[int]:
    """Indexes of the units to quote: all of them when they fit in `limit` characters;
    otherwise those with the most words of the question, then their neighbours."""
    if sum(len(u.text) + 1 for u in parts) <= limit:
        return set(range(len(parts)))
    words = question_words(query)

    def context(index: int) -> str:
        # A table row is read with its column names.
        head = _head_of(parts, index)
        return parts[index].text if head is None else f"{parts[head].text}\n{parts[index].text}"

    relevance = [sum(1 for word in words if Terms(context(i)).has(word)) for i in range(len(parts))]
    chosen: set[int] = set()
    size = 0

    def cost(index: int) -> int:
        head = _head_of(parts, index)
        extra = len(parts[head].text) + 1 if head is not None and head not in chosen else 0
        return len(parts[index].text) + 1 + extra

    def take(index: int) -> None:
        nonlocal size
        size += cost(index)
        chosen.add(index)
        head = _head_of(parts, index)
        if head is not None:
            chosen.add(head)

    quotable = [i for i, u in enumerate(parts) if u.kind != "head"]
    if not quotable:
        return set(range(len(parts)))
    ranked = sorted(quotable, key=lambda i: (-relevance[i], i))
    for index in ranked:
        if relevance[index] == 0:
            break
        if not chosen or size + cost(index) <= limit:
            take(index)
    if not chosen:
        take(ranked[0])
    # Then the neighbours of what was chosen, nearest first, following before preceding.
    anchor = min(chosen)
    for index in sorted(quotable, key=lambda i: (abs(i - anchor), i < anchor)):
        if index in chosen:
            continue
        # (A table's first row is next to the unit before its header.)
        after_head = index >= 2 and index - 2 in chosen and parts[index - 1].kind == "head"
        if (index - 1 in chosen or index + 1 in chosen or after_head) and size + cost(index) <= limit:
            take(index)
    return chosen


def _table_gap(head: Unit | None) -> str:
    cells = head.lines[0].strip().strip("|").split("|") if head is not None else ["", ""]
    return "| " + " | ".join(ELLIPSIS for _ in cells) + " |"


def excerpt(text: str, query: str, limit: int = FIRST_QUOTE, lines_are_units: bool = False) -> str:
    """The units of `text` most related to `query`, whole and in document order, as Markdown;
    a line "…" marks every place where units were left out."""
    parts = units(text, lines_are_units)
    if not parts:
        return ""
    chosen = sorted(_choose(parts, query, limit))
    lines: list[str] = []
    if chosen[0] > 0:
        lines += [ELLIPSIS, ""]
    for position, index in enumerate(chosen):
        unit = parts[index]
        if position:
            previous = chosen[position - 1]
            if index != previous + 1:
                if unit.kind == "row" and parts[previous].table == unit.table:
                    head = _head_of(parts, index)
                    lines.append(_table_gap(parts[head] if head is not None else None))
                else:
                    lines += ["", ELLIPSIS, ""]
            elif unit.gap:
                lines.append("")
        lines.extend(unit.render())
    if chosen[-1] < len(parts) - 1:
        lines += ["", ELLIPSIS]
    return "\n".join(lines)


def label(hit: Hit) -> str:
    return f"{hit.title} § {hit.section}" if hit.section else hit.title


def by_relevance(hits: list[Hit]) -> list[Hit]:
    """Hits most similar to the question first (the fused rank breaks ties)."""
    return sorted(hits, key=lambda h: (-h.score, h.rank))


def compose(query: str, hits: list[Hit], max_quotes: int = 3) -> str:
    """A short answer quoting the first `max_quotes` passages (give them most relevant first),
    each under "[n] title § section"; the others are named, so the answer cites every passage
    it was given and promises none it does not show."""
    if not hits:
        return f"{NO_SOURCE}: nothing in the knowledge base answers this closely enough."
    blocks = ["From the team's documents:"]
    for number, hit in enumerate(hits[:max_quotes], start=1):
        html = hit.source.lower().endswith((".html", ".htm"))
        quote = excerpt(hit.text, query, FIRST_QUOTE if number == 1 else OTHER_QUOTE, html)
        blocks.append(f"[{number}] {label(hit)}\n\n{quote}")
    rest = hits[max_quotes:]
    if rest:
        named = "; ".join(f"[{n}] {label(h)}" for n, h in enumerate(rest, start=max_quotes + 1))
        blocks.append(f"Also relevant: {named}.")
    return "\n\n".join(blocks)


def cited_numbers(answer: str) -> set[int]:
    """Citation markers like [2] in an answer (used to check that an LLM answer cites)."""
    return {int(n) for n in _CITE.findall(answer)}


def cites_properly(answer: str, passages: int) -> bool:
    """True when the answer cites at least one passage and only passages that exist."""
    numbers = cited_numbers(answer)
    return bool(numbers) and all(1 <= n <= passages for n in numbers)
