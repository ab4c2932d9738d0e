"""What `kb ingest` picks up from a folder: never anything a link points to outside it."""

from __future__ import annotations

from pathlib import Path

from knowledge.sources import OUTSIDE, resolve


def test_links_out_of_the_folder_are_skipped_with_the_reason(tmp_path: Path) -> None:
    secret = tmp_path / "home" / ".aws" / "credentials.md"
    secret.parent.mkdir(parents=True)
    secret.write_text("aws_secret_access_key = not-for-the-index\n")
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "passwd.txt").write_text("root:x:0:0\n")

    docs = tmp_path / "docs"
    (docs / "sub").mkdir(parents=True)
    (docs / "runbook.md").write_text("# Runbook\n")
    (docs / "sub" / "inner.md").write_text("# Inner\n")
    (docs / "creds.md").symlink_to(secret)
    (docs / "sub" / "escape.md").symlink_to("../../etc/passwd.txt")
    (docs / "etc").symlink_to(tmp_path / "etc", target_is_directory=True)
    (docs / "alias.md").symlink_to(docs / "sub" / "inner.md")  # inside: fine
    (docs / "same").symlink_to(docs / "sub", target_is_directory=True)  # inside: reached directly

    root = resolve(docs)
    assert sorted(d.source for d in root.docs) == ["docs/alias.md", "docs/runbook.md", "docs/sub/inner.md"]
    assert sorted(root.problems) == [
        ("docs/creds.md", OUTSIDE),
        ("docs/etc", OUTSIDE),
        ("docs/sub/escape.md", OUTSIDE),
    ]
    assert OUTSIDE == "symlink outside the folder"
    assert all(b"not-for-the-index" not in d.read() for d in root.docs)


def test_the_folder_itself_may_be_a_link(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (real / "a.md").write_text("# A\n")
    (tmp_path / "link").symlink_to(real, target_is_directory=True)
    root = resolve(tmp_path / "link")
    assert [d.source for d in root.docs] == ["real/a.md"] and not root.problems
