"""Insecure asks get the secure variant and a note saying what changed; secure asks get no note."""

from __future__ import annotations

import pytest

from tools.iac.insecure_asks import changed_from_request


@pytest.mark.parametrize(
    ("request_text", "topic"),
    [
        ("terraform for a public bucket for a website", "public bucket"),
        ("s3 bucket that is publicly readable, cloudformation", "public bucket"),
        ("static website hosting on s3 in terraform", "public bucket"),
        ("postgres rds publicly accessible please", "publicly reachable database"),
        ("k8s daemonset privileged with hostNetwork", "privileged container"),
        ("ebs volume unencrypted, terraform", "no encryption"),
    ],
)
def test_insecure_asks_are_named(request_text: str, topic: str) -> None:
    notes = changed_from_request(request_text)
    assert len(notes) == 1 and topic in notes[0]


@pytest.mark.parametrize(
    "request_text",
    [
        "write Terraform for a private S3 bucket with versioning",
        "bucket with block public access on",
        "rds postgres that is not publicly accessible",
        "a deployment for nginx with 3 replicas",
    ],
)
def test_secure_asks_get_no_note(request_text: str) -> None:
    assert changed_from_request(request_text) == []
