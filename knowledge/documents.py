"""Parsing documents into blocks: text under a heading path, with the lines it came from.

Every format ends up as the same `ParsedDoc`, so chunking and citations never care where a
document came from. Line numbers are 1-based and refer to the original file (for PDFs, to
the extracted text of the page, whose number is in the section title).
"""

from __future__ import annotations

import io
import logging
import re
import warnings
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

FORMATS = {
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".pdf": "pdf",
    ".txt": "text",
    ".text": "text",
}


class DocumentError(Exception):
    """A document that cannot be read or parsed; ingestion reports it and skips it."""


@dataclass(frozen=True)
class Block:
    headings: tuple[str, ...]
    text: str
    line_start: int
    line_end: int


@dataclass
class ParsedDoc:
    title: str
    blocks: list[Block]
    url: str | None = None
    tags: list[str] = field(default_factory=list)


def parse(data: bytes, fmt: str, name: str) -> ParsedDoc:
    """Parse raw bytes of a document in one of FORMATS' formats; `name` is the fallback title."""
    if fmt == "pdf":
        return parse_pdf(data, name)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DocumentError(f"not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    if "\x00" in text:
        raise DocumentError("binary content (NUL bytes) in a text document")
    if fmt == "markdown":
        return parse_markdown(text, name)
    if fmt == "html":
        return parse_html(text, name)
    if fmt == "text":
        return parse_text(text, name)
    raise DocumentError(f"unsupported format {fmt!r}")


_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")


def _front_matter(lines: list[str]) -> tuple[dict[str, Any], int]:
    """YAML front matter (title, tags, url) and how many lines it takes."""
    if not lines or lines[0].strip() != "---":
        return {}, 0
    for end in range(1, min(len(lines), 60)):
        if lines[end].strip() in ("---", "..."):
            import yaml  # only documents with front matter need it (a fresh process may not)

            try:
                meta = yaml.safe_load("\n".join(lines[1:end])) or {}
            except yaml.YAMLError as exc:
                raise DocumentError(f"invalid front matter: {exc}") from exc
            return (meta if isinstance(meta, dict) else {}), end + 1
    return {}, 0


def _tags(value: Any) -> list[str]:
    if isinstance(value, str):
        value = [t for t in re.split(r"[,\s]+", value) if t]
    if not isinstance(value, list):
        return []
    return [str(t).strip().lower() for t in value if str(t).strip()]


def parse_markdown(text: str, name: str) -> ParsedDoc:
    lines = text.splitlines()
    meta, start = _front_matter(lines)
    title = str(meta.get("title") or "")
    first_h1 = ""
    stack: list[tuple[int, str]] = []
    blocks: list[Block] = []
    buf: list[str] = []
    buf_start = 0
    in_fence = False

    def flush() -> None:
        while buf and not buf[-1].strip():
            buf.pop()
        if buf:
            body = "\n".join(buf).strip()
            blocks.append(Block(tuple(h for _, h in stack), body, buf_start, buf_start + len(buf) - 1))
        buf.clear()

    for number, line in enumerate(lines[start:], start=start + 1):
        if _FENCE.match(line):
            in_fence = not in_fence
        heading = None if in_fence else _HEADING.match(line)
        if heading:
            flush()
            level, name_text = len(heading.group(1)), heading.group(2).strip()
            if level == 1 and not first_h1:
                first_h1 = name_text
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append((level, name_text))
            continue
        if not buf:
            if not line.strip():
                continue
            buf_start = number
        buf.append(line)
    flush()
    return ParsedDoc(
        title=title or first_h1 or name,
        blocks=_drop_title_level(blocks, first_h1),
        url=str(meta["url"]) if meta.get("url") else None,
        tags=_tags(meta.get("tags")),
    )


def _drop_title_level(blocks: list[Block], h1: str) -> list[Block]:
    """The top heading is the document's title, cited on its own, not part of each section."""
    out = []
    for b in blocks:
        headings = b.headings[1:] if h1 and b.headings and b.headings[0] == h1 else b.headings
        out.append(Block(headings, b.text, b.line_start, b.line_end))
    return out


def parse_text(text: str, name: str) -> ParsedDoc:
    blocks = _paragraph_blocks(text)
    title = name
    # A short first line standing alone is the document's title.
    if len(blocks) > 1 and "\n" not in blocks[0].text and len(blocks[0].text) <= 80:
        title = blocks.pop(0).text
    return ParsedDoc(title=title, blocks=blocks)


def _paragraph_blocks(text: str) -> list[Block]:
    blocks: list[Block] = []
    buf: list[str] = []
    start = 0
    lines = text.splitlines()
    for number, line in enumerate(lines + [""], start=1):
        if line.strip():
            if not buf:
                start = number
            buf.append(line)
        elif buf:
            blocks.append(Block((), "\n".join(buf).strip(), start, number - 1))
            buf = []
    return blocks


class _HtmlBlocks(HTMLParser):
    _SKIP = frozenset({"script", "style", "nav", "header", "footer", "noscript", "svg", "template"})
    _BREAK = frozenset(
        {
            "p",
            "div",
            "li",
            "tr",
            "br",
            "pre",
            "section",
            "article",
            "table",
            "ul",
            "ol",
            "dd",
            "dt",
            "blockquote",
        }
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title = ""
        self.h1 = ""
        self.blocks: list[Block] = []
        self._stack: list[tuple[int, str]] = []
        self._skip = 0
        self._in_title = False
        self._heading: int | None = None
        self._heading_text: list[str] = []
        self._para: list[str] = []
        self._para_start = 0
        self._para_end = 0
        self._parts: list[str] = []
        self._block_start = 0
        self._block_end = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self._skip += 1
        elif tag == "title":
            self._in_title = True
        elif re.fullmatch(r"h[1-6]", tag):
            self._end_para()
            self._flush()
            self._heading = int(tag[1])
            self._heading_text = []
        elif tag in self._BREAK:
            self._end_para()

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self._skip = max(0, self._skip - 1)
        elif tag == "title":
            self._in_title = False
        elif self._heading is not None and tag == f"h{self._heading}":
            text = " ".join("".join(self._heading_text).split())
            if text:
                if self._heading == 1 and not self.h1:
                    self.h1 = text
                while self._stack and self._stack[-1][0] >= self._heading:
                    self._stack.pop()
                self._stack.append((self._heading, text))
            self._heading = None
        elif tag in self._BREAK:
            self._end_para()

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if self._in_title:
            self.title = self.title or " ".join(data.split())
            return
        if self._heading is not None:
            self._heading_text.append(data)
            return
        if not data.strip():
            if self._para:
                self._para.append(" ")
            return
        line = self.getpos()[0]
        if not self._para:
            self._para_start = line
        self._para.append(data)
        self._para_end = line + data.count("\n")

    def _end_para(self) -> None:
        text = " ".join("".join(self._para).split())
        if text:
            if not self._parts:
                self._block_start = self._para_start
            self._parts.append(text)
            self._block_end = self._para_end
        self._para = []

    def _flush(self) -> None:
        if self._parts:
            headings = tuple(h for _, h in self._stack)
            self.blocks.append(Block(headings, "\n".join(self._parts), self._block_start, self._block_end))
        self._parts = []

    def finish(self) -> None:
        self.close()
        self._end_para()
        self._flush()


def parse_html(text: str, name: str) -> ParsedDoc:
    parser = _HtmlBlocks()
    parser.feed(text)
    parser.finish()
    title = parser.title or parser.h1 or name
    return ParsedDoc(title=title, blocks=_drop_title_level(parser.blocks, parser.h1))


def _quiet_pypdf() -> None:
    """pypdf logs every quirk of a malformed file ("EOF marker not found") to stderr: noise
    in the middle of an ingest. Problems reach the user once, as the file's DocumentError."""
    logger = logging.getLogger("pypdf")
    logger.setLevel(logging.CRITICAL + 1)
    logger.propagate = False
    if not any(isinstance(h, logging.NullHandler) for h in logger.handlers):
        logger.addHandler(logging.NullHandler())


def _one_line(exc: BaseException, limit: int = 160) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def parse_pdf(data: bytes, name: str) -> ParsedDoc:
    from pypdf import PdfReader

    _quiet_pypdf()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(io.BytesIO(data))
            if reader.is_encrypted:
                raise DocumentError("encrypted PDF (no text without its password)")
            pages = [page.extract_text() or "" for page in reader.pages]
            meta_title = reader.metadata.title if reader.metadata else None
    except DocumentError:
        raise
    except Exception as exc:  # a malformed file can fail anywhere inside pypdf, with any error
        raise DocumentError(f"unreadable PDF: {_one_line(exc)}") from exc
    blocks: list[Block] = []
    for number, page in enumerate(pages, start=1):
        for block in _paragraph_blocks(page):
            blocks.append(Block((f"Page {number}",), block.text, block.line_start, block.line_end))
    return ParsedDoc(title=str(meta_title or name), blocks=blocks)
