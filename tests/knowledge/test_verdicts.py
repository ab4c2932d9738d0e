"""Questions the documents cannot answer are refused however they are typed; questions they
answer find their document in every paraphrase (tests/knowledge/verdicts.yaml)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from knowledge.base import KnowledgeBase
from knowledge.lexical import strong_identifiers
from knowledge.query import focus, normalise

VERDICTS = Path(__file__).with_name("verdicts.yaml")


def _load() -> tuple[list[list[str]], list[tuple[str, list[str]]]]:
    data = yaml.safe_load(VERDICTS.read_text())
    no_answer = [[str(q) for q in group] for group in data["no_answer"]]
    answerable = [(str(g["doc"]), [str(q) for q in g["asked"]]) for g in data["answerable"]]
    return no_answer, answerable


def test_the_set_has_paraphrases_with_and_without_question_marks() -> None:
    no_answer, answerable = _load()
    assert len(no_answer) >= 12 and len(answerable) >= 10
    for group in [*no_answer, *(asked for _, asked in answerable)]:
        assert len(group) >= 2
    asked = [q for group in no_answer for q in group] + [q for _, g in answerable for q in g]
    assert sum(q.endswith("?") for q in asked) >= 20 and sum(not q.endswith("?") for q in asked) >= 20


def test_no_answer_questions_get_no_source_in_every_spelling(kb: KnowledgeBase) -> None:
    no_answer, _ = _load()
    answered = {}
    for group in no_answer:
        for question in group:
            outcome = kb.search(question)
            if outcome.hits:
                answered[question] = [(h.source, h.where, h.score) for h in outcome.hits[:2]]
    assert not answered, answered


def test_answerable_questions_find_their_document_in_every_spelling(kb: KnowledgeBase) -> None:
    _, answerable = _load()
    missed = {}
    for doc, asked in answerable:
        for question in asked:
            hits = kb.search(question).hits
            if not any(h.source.endswith(doc) for h in hits):
                missed[question] = (doc, [(h.source, h.score) for h in hits])
    assert not missed, missed


@pytest.mark.parametrize(
    ("typed", "same_as"),
    [
        ("who is on-call for payments?", "who is on-call for payments"),
        ("who is on-call for payments???", "who is on-call for payments"),
        ("  who is on-call   for payments ?! ", "who is on-call for payments"),
        ("whats the sev for a full disk", "what's the sev for a full disk"),
        ("what\u2019s the sev for a full disk?", "what's the sev for a full disk"),
        ("port 22 open to 0.0.0.0/0?", "port 22 open to 0.0.0.0/0"),
    ],
)
def test_punctuation_and_spelling_do_not_change_the_question(typed: str, same_as: str) -> None:
    assert normalise(typed) == normalise(same_as) == same_as
    assert focus(typed) == focus(same_as)


def test_a_trailing_question_mark_never_flips_a_verdict(kb: KnowledgeBase) -> None:
    no_answer, answerable = _load()
    for question in [q for group in no_answer for q in group] + [q for _, g in answerable for q in g]:
        bare = question.rstrip("?!")
        assert bool(kb.search(bare).hits) == bool(kb.search(bare + "?").hits), question


def test_only_identifiers_an_encoder_cannot_read_bypass_the_floor() -> None:
    assert strong_identifiers("who is on-call for checkout-api and svc-reporting on ec2, sev1?") == []
    assert strong_identifiers("ERR_CERT_DATE_INVALID, CC-4120, DescribeInstances, pg_repack") == [
        "err_cert_date_invalid",
        "cc-4120",
        "describeinstances",
        "pg_repack",
    ]
