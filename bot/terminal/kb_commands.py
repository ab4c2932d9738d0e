"""`cloudpilot kb ingest|search|stats`: manage and query the knowledge base from a terminal."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Protocol

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from agent.api import EmbeddingError, KnowledgeError, kb_ingest, kb_search, kb_stats

if TYPE_CHECKING:
    from config import Settings


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
    console = Console(stderr=True)
    columns = (TextColumn("embedding chunks"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    try:
        with Progress(*columns, console=console, transient=True, disable=as_json) as bar:
            task = bar.add_task("ingest", total=None)

            def progress(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total or None)

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
        for line in hit.text.splitlines()[:8]:
            out.print(f"    {line}", markup=False, highlight=False)
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
