from __future__ import annotations

import pytest

from tools.cost.services import KNOWN_SERVICES, compact, match_service

SAMPLE_NAMES = [
    "Amazon Elastic Compute Cloud",
    "Amazon EC2 Container Registry (ECR)",
    "Elastic Load Balancing",
    "AmazonCloudWatch",
    "Amazon Simple Storage Service",
    "Amazon Relational Database Service",
    "AWS Lambda",
    "Amazon Route 53",
    "Amazon Elastic Container Service",
    "Amazon Elastic Container Service for Kubernetes",
    "Azure Kubernetes Service",
    "Virtual Machines",
    "Storage Accounts",
    "COMPUTE",
]


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("EC2", ("Amazon Elastic Compute Cloud",)),
        ("ec2", ("Amazon Elastic Compute Cloud",)),
        ("Amazon EC2", ("Amazon Elastic Compute Cloud",)),
        ("Amazon Elastic Compute Cloud", ("Amazon Elastic Compute Cloud",)),
        ("amazon elastic compute cloud", ("Amazon Elastic Compute Cloud",)),
        ("S3", ("Amazon Simple Storage Service",)),
        ("RDS", ("Amazon Relational Database Service",)),
        ("Lambda", ("AWS Lambda",)),
        ("ELB", ("Elastic Load Balancing",)),
        ("load balancer", ("Elastic Load Balancing",)),
        ("CloudWatch", ("AmazonCloudWatch",)),
        ("Amazon CloudWatch", ("AmazonCloudWatch",)),
        ("route53", ("Amazon Route 53",)),
        ("ECR", ("Amazon EC2 Container Registry (ECR)",)),
        ("ECS", ("Amazon Elastic Container Service",)),
        ("EKS", ("Amazon Elastic Container Service for Kubernetes",)),
        ("AKS", ("Azure Kubernetes Service",)),
        ("azure vm", ("Virtual Machines",)),
        ("Storage Accounts", ("Storage Accounts",)),
        ("oracle compute", ("COMPUTE",)),
        ("compute", ("COMPUTE",)),
        ("kubernetes", ("Amazon Elastic Container Service for Kubernetes", "Azure Kubernetes Service")),
        ("Route", ("Amazon Route 53",)),
    ],
)
def test_common_names_match_provider_service_names(query: str, names: tuple[str, ...]) -> None:
    match = match_service(query, SAMPLE_NAMES)
    assert match.names == names


def test_cloudwatch_spellings_across_exports() -> None:
    both = ["AmazonCloudWatch", "Amazon CloudWatch"]
    assert match_service("cloudwatch", both).names == ("Amazon CloudWatch", "AmazonCloudWatch")


def test_ec2_includes_ec2_other_where_present() -> None:
    names = ["Amazon Elastic Compute Cloud - Compute", "EC2 - Other", "Amazon Elastic Container Service"]
    assert match_service("EC2", names).names == ("Amazon Elastic Compute Cloud - Compute", "EC2 - Other")


def test_known_service_absent_from_data() -> None:
    match = match_service("DynamoDB", SAMPLE_NAMES)
    assert not match.matched
    assert match.alias is not None and match.alias.name == "DynamoDB"


def test_unknown_and_ambiguous() -> None:
    assert not match_service("Quantum Ledger Thing", SAMPLE_NAMES).matched
    assert not match_service("", SAMPLE_NAMES).matched
    vague = match_service("elastic", SAMPLE_NAMES)
    assert not vague.matched
    assert "Elastic Load Balancing" in vague.candidates


def test_every_declared_alias_resolves_to_its_own_service() -> None:
    for alias in KNOWN_SERVICES:
        spellings = {compact(n) for n in alias.service_names}
        # A text that is itself one of the ServiceNames matches only that name, by design.
        for text in (t for t in (alias.name, *alias.aliases) if compact(t) not in spellings):
            match = match_service(text, alias.service_names)
            assert {compact(n) for n in match.names} == {compact(n) for n in alias.service_names}, text
