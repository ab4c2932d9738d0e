from __future__ import annotations

import pytest

from knowledge.chunking import MAX_CHARS, chunk_document
from knowledge.documents import DocumentError, parse

MARKDOWN = b"""---
title: Disk full
tags: [database, Disk]
url: https://wiki.example.com/disk
---
# Full disk on a database host

Intro text.

## Triage
1. df -h
```
# a comment, not a heading
```

### Deeper
Details here.
"""


def test_markdown_sections_lines_and_front_matter() -> None:
    doc = parse(MARKDOWN, "markdown", "fallback")
    assert (doc.title, doc.tags, doc.url) == (
        "Disk full",
        ["database", "disk"],
        "https://wiki.example.com/disk",
    )
    assert [(b.headings, b.line_start, b.line_end) for b in doc.blocks] == [
        ((), 8, 8),
        (("Triage",), 11, 14),
        (("Triage", "Deeper"), 17, 17),
    ]
    assert "# a comment" in doc.blocks[1].text
    lines = MARKDOWN.decode().splitlines()
    assert lines[16] == "Details here."


def test_html_headings_become_sections() -> None:
    html = b"""<html><head><title>Policy</title><script>var x = 1;</script></head><body>
<nav>Home</nav><h1>Change policy</h1><p>Intro
text</p>
<h2>Approvals</h2><ul><li>Never your own</li><li>Two people</li></ul>
</body></html>"""
    doc = parse(html, "html", "x")
    assert doc.title == "Policy"
    assert [(b.headings, b.text) for b in doc.blocks] == [
        ((), "Intro text"),
        (("Approvals",), "Never your own\nTwo people"),
    ]
    assert doc.blocks[0].line_start == 2


def test_plain_text_title_and_paragraphs() -> None:
    doc = parse(b"Glossary\n\nSLO: a target.\nMore.\n\nMTTR: mean time to recovery.\n", "text", "g")
    assert doc.title == "Glossary"
    assert [(b.text, b.line_start, b.line_end) for b in doc.blocks] == [
        ("SLO: a target.\nMore.", 3, 4),
        ("MTTR: mean time to recovery.", 6, 6),
    ]


def _pdf(text: str) -> bytes:
    """A minimal one-page PDF with `text` in Helvetica."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return out


def test_pdf_pages_become_sections() -> None:
    doc = parse(_pdf("Restart the exporter with systemctl."), "pdf", "manual")
    assert doc.title == "manual"
    assert [(b.headings, b.text) for b in doc.blocks] == [
        (("Page 1",), "Restart the exporter with systemctl.")
    ]


@pytest.mark.parametrize(
    ("data", "fmt", "reason"),
    [
        (b"\xff\xfe\xfa not utf-8", "markdown", "not UTF-8"),
        (b"abc\x00def", "text", "binary"),
        (b"%PDF-1.4 garbage", "pdf", "unreadable PDF"),
        (b"---\ntitle: [unclosed\n---\n# x\n", "markdown", "front matter"),
    ],
)
def test_unreadable_documents_raise_a_clear_error(data: bytes, fmt: str, reason: str) -> None:
    with pytest.raises(DocumentError, match=reason):
        parse(data, fmt, "x")


def test_long_sections_are_split_at_paragraphs_with_line_ranges() -> None:
    paragraphs = [f"Paragraph {i}. " + "word " * 60 for i in range(6)]
    text = "# T\n\n## Long\n\n" + "\n\n".join(paragraphs) + "\n"
    chunks = chunk_document(parse(text.encode(), "markdown", "t"))
    assert len(chunks) > 1
    assert all(len(c.text) <= MAX_CHARS for c in chunks)
    assert all(c.section == "Long" for c in chunks)
    lines = text.splitlines()
    for chunk in chunks:
        # Each chunk starts and ends on the lines it cites.
        assert chunk.text.startswith(lines[chunk.line_start - 1].strip())
        assert chunk.text.endswith(lines[chunk.line_end - 1].strip())
    assert [c.line_start for c in chunks] == sorted(c.line_start for c in chunks)
