"""Splitting parsed documents into chunks along headings.

A chunk is the text of one section (or a window of a long one, cut at paragraph breaks),
small enough that the embedding model sees all of it: all-MiniLM-L6-v2 reads 256 word
pieces, roughly 1,000 characters of English. `embed_text` is what the models then read of
a chunk: ingestion and the shipped seed vectors must agree on it to the byte.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge.documents import Block, ParsedDoc

MAX_CHARS = 900
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}.*$", re.MULTILINE)
_MARKUP = re.compile(r"`+|\*\*")


@dataclass(frozen=True)
class ChunkDraft:
    section: str
    text: str
    line_start: int
    line_end: int


def section_title(headings: tuple[str, ...]) -> str:
    return " > ".join(headings)


def chunk_document(doc: ParsedDoc, max_chars: int = MAX_CHARS) -> list[ChunkDraft]:
    chunks: list[ChunkDraft] = []
    for block in doc.blocks:
        chunks.extend(_split_block(block, max_chars))
    return chunks


def embed_text(title: str, draft: ChunkDraft) -> str:
    """What the models see: the chunk in the context of its document and section, with
    Markdown table rules and emphasis removed (they are noise to a sentence encoder)."""
    head = f"{title} — {draft.section}" if draft.section else title
    body = _TABLE_RULE.sub("", draft.text).replace("|", " ")
    body = _MARKUP.sub("", body)
    return f"{head}\n{' '.join(body.split())}"


def _split_block(block: Block, max_chars: int) -> list[ChunkDraft]:
    section = section_title(block.headings)
    if len(block.text) <= max_chars:
        return [ChunkDraft(section, block.text, block.line_start, block.line_end)]
    out: list[ChunkDraft] = []
    window: list[tuple[int, str]] = []
    size = 0
    for paragraph in _paragraphs(block, max_chars):
        length = sum(len(text) + 1 for _, text in paragraph)
        if window and size + length > max_chars:
            out.append(_draft(section, window))
            window, size = [], 0
        window.extend(paragraph)
        size += length
    if window:
        out.append(_draft(section, window))
    return out


def _paragraphs(block: Block, max_chars: int) -> list[list[tuple[int, str]]]:
    """Runs of non-blank (line number, text), none longer than a chunk: windows end at
    paragraph breaks where they can, at line breaks where they must."""
    lines: list[tuple[int, str]] = []
    for offset, line in enumerate(block.text.split("\n")):
        number = min(block.line_start + offset, block.line_end)
        lines.extend((number, line[i : i + max_chars]) for i in range(0, max(len(line), 1), max_chars))
    out: list[list[tuple[int, str]]] = []
    current: list[tuple[int, str]] = []
    size = 0
    for number, text in lines:
        if not text.strip():
            if current:
                out.append(current)
            current, size = [], 0
            continue
        if current and size + len(text) + 1 > max_chars:
            out.append(current)
            current, size = [], 0
        current.append((number, text))
        size += len(text) + 1
    if current:
        out.append(current)
    return out


def _draft(section: str, window: list[tuple[int, str]]) -> ChunkDraft:
    text = "\n".join(t for _, t in window).strip()
    return ChunkDraft(section, text, window[0][0], window[-1][0])
