"""Reading parameters from plain English: schedules, counts, regions, names, images."""

from __future__ import annotations

import pytest

from tools.iac.catalogue.messaging import aws_schedule
from tools.iac.features import read_features, read_schedule
from tools.iac.matching import detect_format


@pytest.mark.parametrize(
    ("text", "cron"),
    [
        ("every day at 2am", "0 2 * * *"),
        ("daily at 14:30", "30 14 * * *"),
        ("nightly", "0 2 * * *"),
        ("every 15 minutes", "*/15 * * * *"),
        ("every 6 hours", "0 */6 * * *"),
        ("hourly", "0 * * * *"),
        ("every monday at 9am", "0 9 * * 1"),
        ("every friday at 5:15 pm", "15 17 * * 5"),
        ("weekly", "0 0 * * 0"),
        ("monthly", "0 0 1 * *"),
        ("on cron 0 3 * * 1-5 please", "0 3 * * 1-5"),
    ],
)
def test_schedules(text: str, cron: str) -> None:
    found = read_schedule(text)
    assert found is not None and found[0] == cron


def test_no_schedule() -> None:
    assert read_schedule("a bucket for logs") is None
    assert read_schedule("every 90 minutes") is None


@pytest.mark.parametrize(
    ("cron", "aws"),
    [
        ("0 2 * * *", "cron(0 2 * * ? *)"),
        ("*/15 * * * *", "cron(0/15 * * * ? *)"),
        ("30 6 * * 1-5", "cron(30 6 ? * MON-FRI *)"),
        ("0 0 1 * *", "cron(0 0 1 * ? *)"),
        ("0 9 * * 0,6", "cron(0 9 ? * SUN,SAT *)"),
    ],
)
def test_eventbridge_schedules(cron: str, aws: str) -> None:
    assert aws_schedule(cron) == aws


def test_eventbridge_refuses_both_day_fields() -> None:
    with pytest.raises(ValueError, match="both"):
        aws_schedule("0 0 1 * 1")
    with pytest.raises(ValueError, match="5-field"):
        aws_schedule("every day")


def test_counts_sizes_regions_and_names() -> None:
    f = read_features("deploy 3 replicas of nginx:1.27 in Ireland, 20 GB disk, named 'web-api', 80% cpu")
    assert f.count("replica") == 3
    assert f.image == "nginx:1.27"
    assert f.region == "eu-west-1" and f.size_gb == 20
    assert f.names == ["web-api"] and f.percent == 80


def test_later_statements_override_earlier_ones() -> None:
    f = read_features("a deployment with 3 replicas in us-east-1 ... make it 5 replicas in eu-central-1")
    assert f.count("replica") == 5 and f.region == "eu-central-1"


def test_ports_and_hosts() -> None:
    f = read_features("open port 80 and 443; ingress for shop.acme.io, mail ops@acme.io")
    assert f.ports == [80, 443]
    assert f.hosts == ["shop.acme.io"] and f.email == "ops@acme.io"


@pytest.mark.parametrize(
    ("text", "fmt"),
    [
        ("write Terraform for a bucket", "terraform"),
        ("a CloudFormation template", "cloudformation"),
        ("k8s manifests for nginx", "kubernetes"),
        ("terraform for a queue, now as cfn", "cloudformation"),
        ("a bucket", None),
    ],
)
def test_format_detection(text: str, fmt: str | None) -> None:
    assert detect_format(text) == fmt
