"""Secrets stay out of `config show` and the logs."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from config import load_settings
from config.redact import RedactingFilter, install_log_redaction, mask_url, redact

KEY_ID = "AKIAIOSFODNN7EXAMPLE"
SESSION_KEY_ID = "ASIAY34FZKBOKMUTVV7A"
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
TOKEN = "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD"


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://u:secret@h/db", "postgresql://u:****@h/db"),
        (
            "postgresql+psycopg://app:p%40ss@db.internal:5432/cp",
            "postgresql+psycopg://app:****@db.internal:5432/cp",
        ),
        ("redis://:hunter2@cache:6379/0", "redis://:****@cache:6379/0"),
        ("https://user:pw@qdrant.example:6333", "https://user:****@qdrant.example:6333"),
        ("postgresql://h/db?user=u&password=secret", "postgresql://h/db?user=u&password=****"),
        ("postgresql://u@h/db", "postgresql://u@h/db"),
        ("http://localhost:11434", "http://localhost:11434"),
        ("not a url", "not a url"),
    ],
)
def test_mask_url(url: str, shown: str) -> None:
    assert mask_url(url) == shown


def test_config_show_masks_passwords_in_every_url() -> None:
    settings = load_settings(
        database_url="postgresql+psycopg://cp:db-secret@db/cp",
        checkpoint_url="postgresql://cp:cp-secret@db/cp",
        redis_url="redis://:redis-secret@cache:6379/0",
        qdrant_url="https://reader:qdrant-secret@qdrant:6333",
        llm={"base_url": "https://proxy:llm-secret@llm.internal/v1", "api_key": "sk-123"},
        aws={"endpoint_url": "http://ak:aws-secret@127.0.0.1:5055"},
    )
    shown = settings.masked()
    text = repr(shown)
    for secret in (
        "db-secret",
        "cp-secret",
        "redis-secret",
        "qdrant-secret",
        "llm-secret",
        "aws-secret",
        "sk-123",
    ):
        assert secret not in text
    assert shown["database_url"] == "postgresql+psycopg://cp:****@db/cp"
    assert shown["redis_url"] == "redis://:****@cache:6379/0"
    assert shown["llm"]["base_url"] == "https://proxy:****@llm.internal/v1"
    assert shown["llm"]["api_key"] == "**********"
    assert settings.database_url == "postgresql+psycopg://cp:db-secret@db/cp"  # only the view is masked


def test_redact_aws_credentials() -> None:
    text = redact(
        f"creds {KEY_ID} and {SESSION_KEY_ID}; aws_secret_access_key={SECRET} "
        f"{{'SecretAccessKey': '{SECRET}', 'SessionToken': '{TOKEN}'}} "
        f"<SessionToken>{TOKEN}</SessionToken> X-Amz-Security-Token: {TOKEN} bare {SECRET}."
    )
    for secret in (KEY_ID, SESSION_KEY_ID, SECRET, TOKEN, TOKEN[:20]):
        assert secret not in text
    assert "AKIA****" in text and "<SessionToken>****</SessionToken>" in text
    # Not credentials: a hex digest, a camel-case name, an account id.
    for keep in (
        "da39a3ee5e6b4b0d3255bfef95601890afd80709",
        "ListObjectsVersionsPaginatorForBucketName",
        "123456789012",
    ):
        assert redact(f"x {keep} y") == f"x {keep} y"


@pytest.fixture
def captured() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(name)s %(message)s"))
    parent = logging.getLogger("cloudpilot-test-redact")
    parent.addHandler(handler)
    parent.setLevel(logging.DEBUG)
    parent.propagate = False
    install_log_redaction(parent)
    install_log_redaction(parent)  # idempotent
    assert sum(isinstance(f, RedactingFilter) for f in handler.filters) == 1
    yield parent, stream
    parent.removeHandler(handler)


def test_debug_logs_are_redacted_in_message_args_and_traceback(
    captured: tuple[logging.Logger, io.StringIO],
) -> None:
    parent, stream = captured
    # A child logger, as botocore's are: the filter sits on the handler, so it still applies.
    child = parent.getChild("botocore.endpoint")
    child.debug("Sending http request: %s", {"headers": {"X-Amz-Security-Token": TOKEN}, "key": KEY_ID})
    child.debug(f"Response body: <SecretAccessKey>{SECRET}</SecretAccessKey>")
    try:
        raise RuntimeError(f"bad credentials {KEY_ID} secret_key={SECRET}")
    except RuntimeError:
        child.exception("call failed")
    out = stream.getvalue()
    for secret in (KEY_ID, SECRET, TOKEN):
        assert secret not in out
    assert "AKIA****" in out and "call failed" in out and "RuntimeError" in out


def test_runtime_installs_the_filter_on_the_root_handlers(tmp_path: Path) -> None:
    from agent.runtime import Runtime

    root = logging.getLogger()
    handler = logging.StreamHandler(io.StringIO())
    root.addHandler(handler)
    try:
        Runtime.build(load_settings(data_dir=tmp_path), tools=[]).close()
        assert any(isinstance(f, RedactingFilter) for f in handler.filters)
    finally:
        root.removeHandler(handler)
