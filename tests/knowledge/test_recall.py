"""The labelled question set over the bundled corpus (also: python -m knowledge.eval)."""

from __future__ import annotations

from knowledge.base import KnowledgeBase
from knowledge.eval import DEFAULT_QUESTIONS, evaluate, load_questions, report
from knowledge.sources import bundled_dir


def test_labelled_set_is_large_and_points_at_real_sections() -> None:
    labelled, off_topic = load_questions(DEFAULT_QUESTIONS)
    assert len(labelled) >= 50 and len(off_topic) >= 10
    names = {p.name for p in bundled_dir().iterdir()}
    assert {item.doc for item in labelled} <= names
    assert len({item.doc for item in labelled}) >= 12


def test_recall_at_5_and_off_topic_refusals(kb: KnowledgeBase) -> None:
    labelled, off_topic = load_questions(DEFAULT_QUESTIONS)
    result = evaluate(kb, labelled, off_topic, k=5)
    assert result.recall >= 0.9, report(result)
    assert result.off_topic_refused == result.off_topic_total, report(result)


def test_shipped_vectors_cover_the_bundled_corpus() -> None:
    """The demo indexes the bundled corpus without running the model; after editing the
    corpus, regenerate the vectors with `python -m knowledge.seed`."""
    from knowledge.seed import bundled_texts, load_seed, text_key

    seed = load_seed("all-MiniLM-L6-v2")
    missing = [t.splitlines()[0] for t in bundled_texts() if text_key("all-MiniLM-L6-v2", t) not in seed]
    assert not missing, f"run `python -m knowledge.seed`; stale: {missing[:5]}"
