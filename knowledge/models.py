"""What the knowledge base hands out: search hits, ingest reports, statistics."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Hit(BaseModel):
    """One retrieved chunk. `score` is its semantic similarity to the query (cosine, 0..1),
    `rank` its place in the fused (dense + lexical) ranking."""

    chunk_id: str
    source: str
    title: str
    section: str
    text: str
    score: float
    rank: int
    lines: tuple[int, int] | None = None
    url: str | None = None
    tags: list[str] = Field(default_factory=list)
    exact_match: bool = False

    @property
    def where(self) -> str:
        """Section title for citations: the section, or the document title for its preamble."""
        return self.section or self.title


class Skipped(BaseModel):
    source: str
    reason: str


class IngestReport(BaseModel):
    added: list[str] = Field(default_factory=list)
    updated: list[str] = Field(default_factory=list)
    deleted: list[str] = Field(default_factory=list)
    unchanged: int = 0
    skipped: list[Skipped] = Field(default_factory=list)
    chunks_written: int = 0
    seconds: float = 0.0
    embed_seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.deleted)

    def summary(self) -> str:
        parts = [
            f"{len(self.added)} added",
            f"{len(self.updated)} updated",
            f"{len(self.deleted)} deleted",
            f"{self.unchanged} unchanged",
        ]
        if self.skipped:
            parts.append(f"{len(self.skipped)} skipped")
        rate = (
            f", {self.chunks_written / self.seconds:.1f} chunks/s"
            if self.seconds and self.chunks_written
            else ""
        )
        return f"{', '.join(parts)}; {self.chunks_written} chunks written in {self.seconds:.1f}s{rate}"


class KbStats(BaseModel):
    store: str
    location: str
    model: str
    documents: int
    chunks: int
    sources: dict[str, int] = Field(default_factory=dict)
    tags: dict[str, int] = Field(default_factory=dict)
