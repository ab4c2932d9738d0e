"""Platform-neutral pieces of an answer. Tools produce them, front-ends render them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field


class Table(BaseModel):
    title: str = ""
    columns: list[str]
    rows: list[list[Any]] = Field(default_factory=list)
    # Right-align numeric columns when rendering.
    numeric: list[int] = Field(default_factory=list)


class Chart(BaseModel):
    title: str
    path: Path
    alt_text: str = ""


class Citation(BaseModel):
    source: str
    section: str = ""
    url: str | None = None
    lines: tuple[int, int] | None = None


class CodeBlock(BaseModel):
    language: str
    code: str
    filename: str | None = None
