from __future__ import annotations

import pytest

from knowledge.base import KnowledgeBase
from knowledge.errors import KnowledgeError


def test_runbook_question_finds_the_section_with_its_lines(kb: KnowledgeBase) -> None:
    hits = kb.search("how do I grow the EBS volume and the XFS filesystem on a database host?").hits
    top = hits[0]
    assert (top.source, top.section) == ("bundled/database-disk-full.md", "Grow the EBS volume")
    assert top.title == "Full disk on a database host"
    assert top.lines is not None
    from knowledge.sources import bundled_dir

    lines = (bundled_dir() / "database-disk-full.md").read_text().splitlines()
    cited = "\n".join(lines[top.lines[0] - 1 : top.lines[1]])
    assert "xfs_growfs" in cited and top.text.strip() == cited.strip()


@pytest.mark.parametrize(
    ("query", "doc"),
    [
        ("ERR_CERT_DATE_INVALID", "tls-certificate-expiry.md"),
        ("TooManyRequestsException", "lambda-throttling.md"),
        ("AWSCompromisedKeyQuarantineV2", "access-key-rotation.md"),
        ("VPN-ACCESS-7", "vpn-access.md"),
    ],
)
def test_identifiers_match_exactly(kb: KnowledgeBase, query: str, doc: str) -> None:
    top = kb.search(query, top_k=3).hits[0]
    assert top.source.endswith(doc)
    assert top.exact_match


def test_off_topic_questions_get_no_source(kb: KnowledgeBase) -> None:
    outcome = kb.search("what is a good recipe for banana bread?")
    assert outcome.hits == []
    assert outcome.candidates > 0 and outcome.best_score < 0.27


def test_filters_by_source_and_tag(kb: KnowledgeBase) -> None:
    by_source = kb.search("how fast must we respond?", source="oncall").hits
    assert by_source and {h.source for h in by_source} == {"bundled/oncall-escalation.md"}
    by_tag = kb.search("how do I request access?", tag="VPN").hits
    assert by_tag and {h.source for h in by_tag} == {"team-runbooks/vpn-access.md"}
    assert by_tag[0].url == "https://wiki.example.com/vpn"


def test_unknown_filters_and_empty_queries_are_user_errors(kb: KnowledgeBase) -> None:
    with pytest.raises(KnowledgeError, match="no indexed document path contains 'nosuchdoc'"):
        kb.search("anything", source="nosuchdoc")
    with pytest.raises(KnowledgeError, match="no indexed document has the tag 'nosuchtag'"):
        kb.search("anything", tag="nosuchtag")
    with pytest.raises(KnowledgeError, match="empty"):
        kb.search("   ")


def test_stats_list_the_corpus(kb: KnowledgeBase) -> None:
    stats = kb.stats()
    bundled = [s for s in stats.sources if s.startswith("bundled/")]
    assert len(bundled) >= 12
    assert stats.documents == len(stats.sources) and stats.chunks == sum(stats.sources.values())
    assert stats.store == "qdrant-edge (embedded)" and stats.tags["runbook"] > 0


def test_an_empty_store_finds_nothing(small_kb: KnowledgeBase) -> None:
    assert small_kb.search("disk full").hits == []
    assert small_kb.stats().chunks == 0
