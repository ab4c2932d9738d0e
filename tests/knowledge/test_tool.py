from __future__ import annotations

import pytest
from pydantic import ValidationError

from knowledge.base import KnowledgeBase
from tools.base import ToolContext, ToolStatus
from tools.knowledge.search_knowledge import SearchKnowledge, SearchKnowledgeInput, SearchKnowledgeResult


def _run(ctx: ToolContext, **args: object) -> SearchKnowledgeResult:
    tool = SearchKnowledge()
    return tool.run(ctx, tool.parse(dict(args)))


def test_first_use_indexes_bundled_and_configured_folders(
    first_search: SearchKnowledgeResult, kb: KnowledgeBase
) -> None:
    assert first_search.status == ToolStatus.OK
    assert first_search.passages[0].source == "bundled/access-key-rotation.md"
    assert kb.synced
    sources = kb.stats().sources
    assert "team-runbooks/vpn-access.md" in sources and "bundled/tagging-standard.md" in sources


def test_cited_answer(kb_ctx: ToolContext, kb: KnowledgeBase) -> None:
    result = _run(kb_ctx, query="how long do we keep RDS automated backups in production?", top_k=3)
    assert result.status == ToolStatus.OK
    top = result.passages[0]
    assert (top.source, top.section) == ("bundled/rds-backup-and-restore.md", "Backup standard")
    assert "35 days" in top.text
    # One citation per passage, in order, so "[1]" in the answer is the first citation.
    assert [(c.source, c.section, c.lines) for c in result.citations] == [
        (p.source, p.section, p.lines) for p in result.passages
    ]
    assert result.message.startswith("From the team's documents:")
    assert "[1] RDS backups, restore and failover § Backup standard\n\n" in result.message
    assert "35 days in" in result.message
    # Most relevant first, and every passage is quoted or named: none is only "cited below".
    assert [p.score for p in result.passages] == sorted((p.score for p in result.passages), reverse=True)
    assert "cited below" not in result.message
    assert result.data()["passages"][0]["chunk_id"] == top.chunk_id


def test_off_topic_is_no_source_found(kb_ctx: ToolContext) -> None:
    result = _run(kb_ctx, query="who won the 2018 football world cup?")
    assert result.status == ToolStatus.NO_DATA
    assert result.message.startswith("No source found")
    assert result.passages == [] and result.citations == []


def test_filters_through_the_tool(kb_ctx: ToolContext) -> None:
    result = _run(kb_ctx, query="required tags", source="tagging", tag="standard")
    assert result.status == ToolStatus.OK
    assert {p.source for p in result.passages} == {"bundled/tagging-standard.md"}
    missing = _run(kb_ctx, query="required tags", source="no-such-runbook")
    assert missing.status == ToolStatus.NO_DATA
    assert "no indexed document path contains 'no-such-runbook'" in missing.message


def test_input_is_strict() -> None:
    tool = SearchKnowledge()
    with pytest.raises(ValidationError):
        tool.parse({"query": "x", "limit": 3})
    with pytest.raises(ValidationError):
        tool.parse({"query": ""})
    with pytest.raises(ValidationError):
        tool.parse({"query": "x", "top_k": 50})
    assert not tool.mutating and isinstance(tool.parse({"query": " x "}), SearchKnowledgeInput)
