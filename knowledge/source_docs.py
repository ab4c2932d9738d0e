"""What every document source produces: documents to ingest, grouped under a root.

Shared by the generic sources (folders, files, S3, the bundled corpus) and the botocore
corpus, so that neither has to import the other to speak the same types.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

BUNDLED = "bundled"
BOTOCORE = "botocore"


class SourceError(Exception):
    """An ingest argument that names nothing usable (missing path, bad S3 URI ...)."""


@dataclass(frozen=True)
class SourceDoc:
    doc_key: str
    source: str
    fmt: str
    read: Callable[[], bytes]
    kind: str
    url: str | None = None
    # "{section}" is replaced by the first heading of each chunk's section.
    url_template: str | None = None
    tags: tuple[str, ...] = ()
    cite_lines: bool = True


@dataclass
class Root:
    """`prefix`: every document key under this root starts with it ("" = the root owns only
    the documents it lists, so nothing is ever deleted as missing from it)."""

    prefix: str
    docs: list[SourceDoc] = field(default_factory=list)
    # Files found but not ingestable (too large ...), reported as skipped.
    problems: list[tuple[str, str]] = field(default_factory=list)
    exact: bool = False

    def owns(self, doc_key: str) -> bool:
        if self.exact or not self.prefix:
            return any(doc.doc_key == doc_key for doc in self.docs) or doc_key == self.prefix
        return doc_key.startswith(self.prefix)
