"""`cloudpilot kb ingest|search|stats`: manage and query the knowledge base from a terminal.

`kb ingest` reports its progress on stderr (stdout keeps the report, and `--json` stays
parseable): a live line of files read and chunks embedded when stderr is a terminal, and a
few plain lines otherwise (logs, CI), so a long ingest never looks stuck.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Protocol

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from agent.api import EmbeddingError, KnowledgeError, kb_ingest, kb_search, kb_stats

if TYPE_CHECKING:
    from config import Settings

# Plain progress lines: at most one per this many seconds while embedding.
_LINE_EVERY_S = 5.0


class IngestProgress(Protocol):
    """What an ingest reports as it goes (knowledge.ingestion.IngestProgress)."""

    @property
    def stage(self) -> str: ...
    @property
    def files_done(self) -> int: ...
    @property
    def files_total(self) -> int: ...
    @property
    def chunks_done(self) -> int: ...
    @property
    def chunks_total(self) -> int: ...
    @property
    def note(self) -> str: ...


class _HasSettings(Protocol):
    @property
    def settings(self) -> Settings: ...


def _settings(obj: object) -> Settings:
    if obj is None or not hasattr(obj, "settings"):
        raise click.UsageError("kb commands run under the cloudpilot command")
    state: _HasSettings = obj
    return state.settings


def _fail(exc: Exception) -> click.ClickException:
    return click.ClickException(str(exc))


@click.group()
def kb() -> None:
    """The knowledge base: the team's runbooks and documents, searchable with citations."""


@kb.command("ingest")
@click.argument("paths", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.pass_obj
def ingest_cmd(obj: object, paths: tuple[str, ...], as_json: bool) -> None:
    """Index PATHS: folders or files (Markdown, HTML, PDF, text), s3://bucket/prefix,
    "bundled" (the runbooks shipped with CloudPilot) or "botocore[:ec2,s3,...]" (the AWS API
    reference inside botocore). Re-running updates only new, changed and deleted documents."""
    settings = _settings(obj)
    try:
        with _progress() as progress:
            report = kb_ingest(settings, list(paths), progress=progress)
    except (KnowledgeError, EmbeddingError) as exc:
        raise _fail(exc) from exc
    if as_json:
        click.echo(report.model_dump_json(indent=2))
    else:
        out = Console(soft_wrap=True)
        out.print(report.summary(), markup=False, highlight=False)
        for skipped in report.skipped:
            out.print(f"  skipped {skipped.source}: {skipped.reason}", style="yellow", markup=False)
    if report.skipped and not (report.changed or report.unchanged):
        raise SystemExit(1)


@contextmanager
def _progress() -> Iterator[Callable[[IngestProgress], None]]:
    """A progress callback for an ingest, shown on stderr."""
    console = Console(stderr=True)
    if console.is_terminal:
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=console, transient=True) as bar:
            task = bar.add_task("reading files", total=None)

            def live(event: IngestProgress) -> None:
                if event.stage == "reading":
                    bar.update(
                        task, description="reading files", completed=event.files_done, total=event.files_total
                    )
                elif event.stage == "embedding":
                    bar.update(
                        task,
                        description="embedding chunks",
                        completed=event.chunks_done,
                        total=event.chunks_total or None,
                    )
                elif event.stage == "writing":
                    bar.update(task, description="writing the index")
                elif event.stage == "waiting":
                    bar.console.print(event.note, markup=False, highlight=False)

            yield live
        return
    yield _lines(lambda text: click.echo(text, err=True))


def _lines(echo: Callable[[str], None]) -> Callable[[IngestProgress], None]:
    """Progress as a few plain lines: what is being read, embedded and written."""
    said: set[str] = set()
    last = 0.0

    def plain(event: IngestProgress) -> None:
        nonlocal last
        now = time.monotonic()
        if event.stage == "reading" and event.files_done == 0 and "reading" not in said:
            said.add("reading")
            echo(f"kb ingest: reading {event.files_total} file(s)")
        elif event.stage == "embedding" and event.chunks_total:
            if "embedding" not in said:
                said.add("embedding")
                last = now
                echo(
                    f"kb ingest: {event.files_done} file(s) read; embedding {event.chunks_total} new chunk(s)"
                )
            elif event.chunks_done < event.chunks_total and now - last >= _LINE_EVERY_S:
                last = now
                echo(f"kb ingest: embedded {event.chunks_done}/{event.chunks_total} chunks")
        elif event.stage == "writing" and "writing" not in said:
            said.add("writing")
            echo("kb ingest: writing the index")
        elif event.stage == "waiting":
            echo(f"kb ingest: {event.note}")

    return plain


@kb.command("search")
@click.argument("query", nargs=-1, required=True)
@click.option("--top-k", "-k", type=click.IntRange(1, 20), default=5, show_default=True)
@click.option("--source", default=None, help="Only documents whose path contains this.")
@click.option("--tag", default=None, help="Only documents with this tag.")
@click.option("--json", "as_json", is_flag=True, help="Print the hits as JSON.")
@click.pass_obj
def search_cmd(
    obj: object, query: tuple[str, ...], top_k: int, source: str | None, tag: str | None, as_json: bool
) -> None:
    """Search the knowledge base (dense + lexical, fused); prints passages with their sources."""
    settings = _settings(obj)
    text = " ".join(query)
    try:
        hits = kb_search(settings, text, top_k=top_k, source=source, tag=tag)
    except (KnowledgeError, EmbeddingError) as exc:
        raise _fail(exc) from exc
    if as_json:
        click.echo(json.dumps([h.model_dump(mode="json") for h in hits], indent=2))
        return
    out = Console(soft_wrap=True)
    if not hits:
        out.print(
            "No source found: nothing in the knowledge base answers this closely enough.",
            style="yellow",
            markup=False,
        )
        return
    for number, hit in enumerate(hits, start=1):
        where = f" § {hit.where}"
        lines = f" (lines {hit.lines[0]}-{hit.lines[1]})" if hit.lines else ""
        out.print(
            f"[{number}] {hit.source}{where}{lines}  score {hit.score:.2f}",
            style="bold",
            markup=False,
            highlight=False,
        )
        if hit.url:
            out.print(f"    {hit.url}", markup=False, highlight=False)
        body = hit.text.splitlines()
        for line in body[:8]:
            out.print(f"    {line}", markup=False, highlight=False)
        if len(body) > 8:
            out.print(f"    … ({len(body) - 8} more lines)", markup=False, highlight=False)
        out.print()


@kb.command("stats")
@click.option("--json", "as_json", is_flag=True, help="Print the statistics as JSON.")
@click.pass_obj
def stats_cmd(obj: object, as_json: bool) -> None:
    """What is indexed: documents, chunks, sources and tags."""
    try:
        stats = kb_stats(_settings(obj))
    except KnowledgeError as exc:
        raise _fail(exc) from exc
    if as_json:
        click.echo(stats.model_dump_json(indent=2))
        return
    out = Console(soft_wrap=True)
    out.print(
        f"{stats.documents} documents, {stats.chunks} chunks in {stats.store} at {stats.location}",
        markup=False,
        highlight=False,
    )
    out.print(f"embedding model: {stats.model}", markup=False, highlight=False)
    if stats.sources:
        table = Table(title="Sources")
        table.add_column("source", overflow="fold")
        table.add_column("chunks", justify="right")
        for source, count in stats.sources.items():
            table.add_row(source, str(count))
        out.print(table)
    if stats.tags:
        out.print("tags: " + ", ".join(f"{t} ({n})" for t, n in stats.tags.items()), markup=False)
