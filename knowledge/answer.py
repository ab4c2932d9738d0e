"""Turning retrieved passages into a cited answer, without adding anything of our own.

The offline answer is extractive: it quotes the sentences of each passage that share the
most terms with the question, and numbers them so each quote maps to a citation. Passages
are quoted as data; nothing in them is ever treated as an instruction.
"""

from __future__ import annotations

import re

from knowledge.lexical import tokenize
from knowledge.models import Hit

NO_SOURCE = "No source found"
_SENTENCE = re.compile(r"(?<=[.!?:])\s+|\n+")
_CITE = re.compile(r"\[(\d{1,2})\]")


def excerpt(text: str, query: str, limit: int = 320) -> str:
    """The sentences of `text` most related to `query`, in their original order."""
    sentences = [s.strip() for s in _SENTENCE.split(text) if s.strip()]
    if not sentences:
        return ""
    wanted = set(tokenize(query))
    ranked = sorted(range(len(sentences)), key=lambda i: (-len(wanted & set(tokenize(sentences[i]))), i))
    chosen: list[int] = []
    size = 0
    for i in ranked:
        if chosen and size + len(sentences[i]) > limit:
            continue
        chosen.append(i)
        size += len(sentences[i]) + 1
        if size >= limit:
            break
    text = " ".join(sentences[i] for i in sorted(chosen))
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def label(hit: Hit) -> str:
    return f"{hit.title} § {hit.section}" if hit.section else hit.title


def compose(query: str, hits: list[Hit], max_quotes: int = 3) -> str:
    """A short answer quoting the best passages, each followed by its citation number."""
    if not hits:
        return f"{NO_SOURCE}: nothing in the knowledge base answers this closely enough."
    lines = ["From the team's documents:"]
    for number, hit in enumerate(hits[:max_quotes], start=1):
        lines.append(f'[{number}] {label(hit)}: "{excerpt(hit.text, query)}"')
    if len(hits) > max_quotes:
        lines.append(f"({len(hits) - max_quotes} more passage(s) cited below.)")
    return "\n".join(lines)


def cited_numbers(answer: str) -> set[int]:
    """Citation markers like [2] in an answer (used to check that an LLM answer cites)."""
    return {int(n) for n in _CITE.findall(answer)}


def cites_properly(answer: str, passages: int) -> bool:
    """True when the answer cites at least one passage and only passages that exist."""
    numbers = cited_numbers(answer)
    return bool(numbers) and all(1 <= n <= passages for n in numbers)
