"""Names are compared as people: normalised, refused when they could pass for someone else."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from config import load_settings
from config.identity import Identities, IdentityError, normalise


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("bob", "bob"),
        ("bob ", "bob"),
        ("  Bob", "bob"),
        ("BOB", "bob"),
        ("ｂｏｂ", "bob"),  # full-width letters are the same letters (NFKC)
        ("U024BE7LH", "u024be7lh"),
        ("Bob.Smith+ops@Example.com", "bob.smith+ops@example.com"),
        ("svc_deploy-2", "svc_deploy-2"),
    ],
)
def test_normalise(name: str, expected: str) -> None:
    assert normalise(name) == expected


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("bob\u200b", "invisible"),  # zero-width space
        ("\u200dbob", "invisible"),  # zero-width joiner
        ("bo\u202eb", "invisible"),  # right-to-left override
        ("\ufeffbob", "invisible"),  # byte-order mark
        ("bob\x00", "invisible"),
        ("bob\n", "invisible"),
        ("b\u043eb", "look-alike"),  # Cyrillic о
        ("\u0432ob", "look-alike"),
        ("bob smith", "whitespace"),
        ("bob\u00a0smith", "whitespace"),  # no-break space
        ("", "empty"),
        ("   ", "empty"),
        ("@oncall", "starting with"),
        ("-bob", "starting with"),
        ("bob/alice", "only letters"),
        ("b" * 256, "longer than"),
    ],
)
def test_unsafe_names_are_refused(name: str, why: str) -> None:
    with pytest.raises(IdentityError, match=why):
        normalise(name)


def test_refusal_shows_the_hidden_characters() -> None:
    with pytest.raises(IdentityError) as info:
        normalise("bob\u200b")
    assert "U+200B" in str(info.value) and "\\u200b" in str(info.value)


def test_aliases_map_to_one_person() -> None:
    ids = Identities(table={"Bob": ["U024BE7LH", "bob@example.com"], "carol": ["U0CAROL01"]})
    assert ids.canonical("U024BE7LH") == ids.canonical("bob ") == ids.canonical("BOB@example.com") == "bob"
    assert ids.canonical("u0carol01") == "carol"
    assert ids.canonical("Mallory") == "mallory"  # outside the table: herself, normalised
    assert ids.known("u024be7lh") and ids.known("Bob") and not ids.known("mallory")
    with pytest.raises(IdentityError):
        ids.canonical("b\u043eb")


def test_empty_table() -> None:
    assert Identities().canonical(" Alice") == "alice"


def test_settings_from_toml(tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text('[identities]\nbob = ["U024BE7LH", "bob@example.com"]\n')
    settings = load_settings(cfg, data_dir=tmp_path)
    assert settings.identities == {"bob": ["U024BE7LH", "bob@example.com"]}
    assert Identities(settings).canonical("U024BE7LH") == "bob"


@pytest.mark.parametrize(
    ("table", "needle"),
    [
        ({"bob": ["U024BE7LH"], "carol": ["u024be7lh"]}, "names both"),
        ({"bob": ["shared@example.com"], "carol": ["Shared@Example.com "]}, "names both"),
        ({"bob": ["carol"], "carol": []}, "names both"),  # one person's name as another's alias
        ({"bob": [], "Bob": []}, "listed twice"),
        ({"bob": ["b\u043eb"]}, "look-alike"),
        ({"bob\u200b": []}, "invisible"),
    ],
)
def test_bad_identity_table_is_a_settings_error(
    tmp_path: Path, table: dict[str, list[str]], needle: str
) -> None:
    with pytest.raises(ValidationError, match=needle):
        load_settings(data_dir=tmp_path, identities=table)


def test_unsafe_policy_user_is_a_settings_error(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="look-alike"):
        load_settings(data_dir=tmp_path, approvals={"rules": [{"users": ["b\u043eb"]}]})
