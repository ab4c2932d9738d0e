"""The knowledge base's own documents, whole: what front-ends offer to read next to search.

These are the documents CloudPilot indexes by itself (the bundled runbooks and the folders or
files in `knowledge_paths`), listed with their titles and read back with what a citation needs:
the source name search hits cite, the title, the URL when the document names one, and each
section's line range in the text returned. Document text is data, never instructions.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from knowledge.documents import DocumentError, parse
from knowledge.source_docs import BUNDLED, SourceDoc, SourceError
from knowledge.sources import resolve

if TYPE_CHECKING:
    from config import Settings

log = logging.getLogger("cloudpilot.agent")

# Listing parses text formats for their titles; PDFs (slow to parse) are listed by file name.
_CHEAP = frozenset({"markdown", "text", "html"})


@dataclass(frozen=True)
class KbSection:
    title: str
    lines: tuple[int, int]


@dataclass(frozen=True)
class KbDocument:
    source: str  # as search hits cite it, e.g. "bundled/database-disk-full.md"
    title: str
    format: str  # markdown, html, text, pdf
    url: str | None = None
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class KbDocumentText:
    document: KbDocument
    # Markdown and text: the file as written (so line numbers match the citations of search
    # hits); HTML and PDF: the extracted text, section by section.
    text: str
    mime_type: str
    sections: list[KbSection] = field(default_factory=list)


def _docs(settings: Settings) -> list[SourceDoc]:
    docs: list[SourceDoc] = []
    for spec in [BUNDLED, *(str(p) for p in settings.knowledge_paths)]:
        try:
            docs.extend(resolve(spec).docs)
        except SourceError as exc:
            log.warning("knowledge path %s: %s", spec, exc)
    return docs


def kb_documents(settings: Settings) -> list[KbDocument]:
    """The documents, sorted by source."""
    out: list[KbDocument] = []
    for doc in sorted(_docs(settings), key=lambda d: d.source):
        title, url, tags = doc.source.rsplit("/", 1)[-1], doc.url, doc.tags
        if doc.fmt in _CHEAP:
            try:
                parsed = parse(doc.read(), doc.fmt, title)
                title, url, tags = parsed.title, url or parsed.url, tuple(parsed.tags) or tags
            except (DocumentError, OSError) as exc:
                log.warning("knowledge document %s: %s", doc.source, exc)
                continue
        out.append(KbDocument(source=doc.source, title=title, format=doc.fmt, url=url, tags=tags))
    return out


def kb_document(settings: Settings, source: str) -> KbDocumentText | None:
    """One document by its exact source name, or None when there is no such document."""
    doc = next((d for d in _docs(settings) if d.source == source), None)
    if doc is None:
        return None
    name = doc.source.rsplit("/", 1)[-1]
    try:
        data = doc.read()
        parsed = parse(data, doc.fmt, name)
    except (DocumentError, OSError) as exc:
        log.warning("knowledge document %s: %s", doc.source, exc)
        return None
    sections = [
        KbSection(" / ".join(b.headings) or parsed.title, (b.line_start, b.line_end)) for b in parsed.blocks
    ]
    document = KbDocument(
        source=doc.source,
        title=parsed.title,
        format=doc.fmt,
        url=doc.url or parsed.url,
        tags=tuple(parsed.tags) or doc.tags,
    )
    if doc.fmt in ("markdown", "text"):
        mime = "text/markdown" if doc.fmt == "markdown" else "text/plain"
        return KbDocumentText(document, data.decode("utf-8-sig"), mime, sections)
    # Extracted text: each section under its heading; line ranges then refer to the original.
    parts = [f"# {parsed.title}"]
    for block, section in zip(parsed.blocks, sections, strict=True):
        parts.append(f"\n## {section.title}\n\n{block.text}")
    return KbDocumentText(document, "\n".join(parts) + "\n", "text/markdown", sections)
