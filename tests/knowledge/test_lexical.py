from __future__ import annotations

from knowledge.lexical import document_vector, identifiers, query_vector, term_id, tokenize


def test_identifiers_are_kept_whole_and_split() -> None:
    terms = tokenize("Run pg_repack when ERR_DISK_FULL fires on sg-0a1b2c3d; see DescribeInstances.")
    for whole in ("pg_repack", "err_disk_full", "sg-0a1b2c3d", "describeinstances"):
        assert whole in terms
    # Parts let plain words find identifiers; hex ids are not cut into letters.
    assert {"repack", "disk", "describe", "instance", "0a1b2c3d"} <= set(terms)
    assert "a" not in terms and "1" not in terms


def test_stopwords_and_plurals() -> None:
    assert tokenize("How do I rotate the keys?") == ["rotate", "key"]
    assert tokenize("policies") == ["policy"]


def test_query_terms_match_document_terms_exactly() -> None:
    doc = document_vector("Alert DB_DISK_FULL fires at 90% usage")
    query = query_vector("DB_DISK_FULL")
    assert term_id("db_disk_full") in doc.indices
    assert set(query.indices) <= set(doc.indices)
    assert all(v == 1.0 for v in query.values)


def test_document_weights_saturate_with_term_frequency() -> None:
    once = document_vector("quota")
    many = document_vector("quota " * 50)
    assert many.values[0] > once.values[0]
    assert many.values[0] < 2.2  # k1 + 1 bounds a BM25 term weight


def test_empty_text_gives_an_empty_vector() -> None:
    assert not query_vector("the of and")
    assert identifiers("what does DescribeInstances return for i-0abc123?") == [
        "describeinstances",
        "i-0abc123",
    ]
