"""What the model is shown and held to: the blocks' output for the asked kinds (bounded), and the
resource types that prove each asked kind is in a file."""

from __future__ import annotations

from tools.iac.asked_types import asked_kinds, declared_types, missing_kinds
from tools.iac.compose import compose
from tools.iac.fewshot import CUT, Example, block_example, select


def titles(request: str, fmt: str = "terraform") -> list[str]:
    return [k.title for k in asked_kinds(request, fmt)]  # type: ignore[arg-type]


def test_asked_kinds_are_what_the_request_builds_not_its_context() -> None:
    assert titles("write Terraform for a 3-node Redis cluster") == ["ElastiCache Redis replication group"]
    assert titles("terraform for a Redshift cluster named analytics") == ["Redshift cluster"]
    assert titles("an IAM role for an existing Lambda") == ["IAM role"]
    assert titles("a CloudWatch alarm on the orders queue") == ["CloudWatch alarm"]
    # Whether a block or the table of other kinds knows it, each asked kind counts once.
    both = asked_kinds("an SQS queue named orders with a Route 53 record", "terraform")
    assert len(both) == 2
    code = 'resource "aws_sqs_queue" "q" {}\nresource "aws_route53_record" "r" {}\n'
    assert missing_kinds(both, code, "terraform") == []
    assert titles("an HPA for the web deployment", "kubernetes") == ["HorizontalPodAutoscaler"]
    assert titles("autoscale the web deployment from 3 to 20 pods", "kubernetes") == []
    assert titles("a kubernetes deployment for nginx with a PDB", "kubernetes") == [
        "Deployment",
        "PodDisruptionBudget",
    ]
    # A role is about what it grants access to, unless more is added with "and a ...".
    assert titles("IAM role with least privilege for a Lambda that reads bucket acme-reports") == ["IAM role"]
    assert titles("a GitHub Actions OIDC role and an S3 bucket named x") == [
        "GitHub Actions OIDC role",
        "Private S3 bucket",
    ]


def test_a_missing_or_substituted_kind_is_found_in_every_format() -> None:
    redshift = asked_kinds("a Redshift cluster", "terraform")
    assert missing_kinds(redshift, 'resource "aws_rds_cluster" "a" {}\n', "terraform") == redshift
    assert missing_kinds(redshift, 'resource "aws_redshift_cluster" "a" {}\n', "terraform") == []
    # A type named only in a comment does not declare it.
    assert missing_kinds(redshift, '# resource "aws_redshift_cluster"\n', "terraform") == redshift
    queue = asked_kinds("an SQS queue", "cloudformation")
    assert missing_kinds(queue, "Resources:\n  Q:\n    Type: AWS::SNS::Topic\n", "cloudformation") == queue
    assert missing_kinds(queue, "Resources:\n  Q:\n    Type: 'AWS::SQS::Queue'\n", "cloudformation") == []
    cron = asked_kinds("a kubernetes cronjob", "kubernetes")
    assert declared_types("apiVersion: batch/v1\nkind: Job\n", "kubernetes") == {"Job"}
    assert missing_kinds(cron, "apiVersion: batch/v1\nkind: Job\n", "kubernetes") == cron


def test_examples_are_the_blocks_output_for_the_asked_kinds() -> None:
    request = "CloudFormation for a DynamoDB table named orders and a Redshift cluster"
    examples = select(
        request, "cloudformation", compose(request, "aws"), asked_kinds(request, "cloudformation")
    )
    code = "".join(e.code for e in examples)
    # The composition of what the blocks build, with the request's own values ...
    assert "AWS::DynamoDB::Table" in code and "orders" in examples[0].code
    # ... then the blocks closest to the kind none builds.
    assert "AWS::RDS::DBCluster" in code and "AWS::KMS::Key" in code
    assert all("AWS::" in e.code and 'resource "' not in e.code for e in examples)


def test_the_offline_answer_comes_first_and_kinds_it_shows_are_not_repeated() -> None:
    request = "terraform for an SQS queue named orders and an AWS budget"
    offline = Example("offline", 'resource "aws_sqs_queue" "orders" {}\nresource "aws_sns_topic" "t" {}\n')
    kinds = asked_kinds(request, "terraform")
    examples = select(request, "terraform", compose(request, "aws"), kinds, offline)
    assert examples[0] is offline
    # The budget's nearest block is a topic, which the offline answer already shows.
    assert len(examples) == 1
    without = select(request, "terraform", compose(request, "aws"), kinds)
    assert [e.title for e in without][-1] == "building block: SNS topic"


def test_examples_are_bounded() -> None:
    request = "terraform for a Lambda function, a DynamoDB table and a Redshift cluster"
    kinds = asked_kinds(request, "terraform")
    comp = compose(request, "aws")
    everything = select(request, "terraform", comp, kinds, limit=10**6)
    assert len(everything) >= 2
    limit = len(everything[0].code) + 10
    bounded = select(request, "terraform", comp, kinds, limit=limit)
    assert sum(len(e.code) for e in bounded) <= limit and len(bounded) < len(everything)
    # Even the closest example alone too long: its beginning, marked as cut.
    cut = select(request, "terraform", comp, kinds, limit=500)
    assert len(cut) == 1 and cut[0].code.endswith(CUT) and len(cut[0].code) <= 500


def test_every_block_renders_an_example_in_each_of_its_formats() -> None:
    from tools.iac.blocks import BLOCKS

    for block in BLOCKS:
        for fmt in block.formats:
            example = block_example(block.kind, fmt)
            assert example is not None and example.code, (block.kind, fmt)
