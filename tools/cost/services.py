"""Match what people call a service ("EC2", "load balancer", "AKS") to providers' ServiceName values.

Billing exports name services in full ("Amazon Elastic Compute Cloud", "AmazonCloudWatch"),
and the same service is spelled differently across export kinds (CUR, Cost Explorer, FOCUS),
so one common name maps to every spelling we know. Matching ignores case, spaces and
punctuation, and a leading vendor word ("Amazon", "AWS", "Azure", "OCI").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class ServiceAlias:
    name: str
    aliases: tuple[str, ...]
    service_names: tuple[str, ...]


_EKS = ("Amazon Elastic Kubernetes Service", "Amazon Elastic Container Service for Kubernetes", "Amazon EKS")
_AKS = ("Azure Kubernetes Service",)

KNOWN_SERVICES: tuple[ServiceAlias, ...] = (
    # AWS
    ServiceAlias(
        "EC2",
        ("ec2", "elastic compute cloud", "ec2 instances"),
        (
            "Amazon Elastic Compute Cloud",
            "Amazon Elastic Compute Cloud - Compute",
            "Amazon EC2",
            "EC2 - Other",
        ),
    ),
    ServiceAlias("S3", ("s3", "simple storage service"), ("Amazon Simple Storage Service", "Amazon S3")),
    ServiceAlias(
        "RDS", ("rds", "relational database service"), ("Amazon Relational Database Service", "Amazon RDS")
    ),
    ServiceAlias("Lambda", ("lambda",), ("AWS Lambda",)),
    ServiceAlias(
        "ELB",
        ("elb", "alb", "nlb", "load balancer", "load balancers", "load balancing", "elastic load balancer"),
        ("Elastic Load Balancing", "Amazon Elastic Load Balancing", "AWS Elastic Load Balancing"),
    ),
    ServiceAlias("CloudWatch", ("cloudwatch",), ("AmazonCloudWatch", "Amazon CloudWatch")),
    ServiceAlias("VPC", ("vpc", "virtual private cloud"), ("Amazon Virtual Private Cloud", "Amazon VPC")),
    ServiceAlias("EKS", ("eks", "elastic kubernetes service"), _EKS),
    ServiceAlias(
        "ECS", ("ecs", "elastic container service"), ("Amazon Elastic Container Service", "Amazon ECS")
    ),
    ServiceAlias("CloudFront", ("cloudfront",), ("Amazon CloudFront",)),
    ServiceAlias("DynamoDB", ("dynamodb", "dynamo"), ("Amazon DynamoDB",)),
    ServiceAlias("SQS", ("sqs", "simple queue service"), ("Amazon Simple Queue Service", "Amazon SQS")),
    ServiceAlias(
        "SNS", ("sns", "simple notification service"), ("Amazon Simple Notification Service", "Amazon SNS")
    ),
    ServiceAlias("KMS", ("kms", "key management service"), ("AWS Key Management Service", "AWS KMS")),
    ServiceAlias("Route 53", ("route 53", "route53"), ("Amazon Route 53",)),
    ServiceAlias("API Gateway", ("api gateway", "apigateway"), ("Amazon API Gateway",)),
    ServiceAlias(
        "ECR",
        ("ecr", "container registry", "elastic container registry"),
        ("Amazon EC2 Container Registry (ECR)", "Amazon Elastic Container Registry", "Amazon ECR"),
    ),
    ServiceAlias("EFS", ("efs", "elastic file system"), ("Amazon Elastic File System", "Amazon EFS")),
    ServiceAlias("WAF", ("waf", "web application firewall"), ("AWS WAF",)),
    ServiceAlias("CloudTrail", ("cloudtrail",), ("AWS CloudTrail",)),
    ServiceAlias("Step Functions", ("step functions", "sfn"), ("AWS Step Functions",)),
    ServiceAlias("Systems Manager", ("systems manager", "ssm"), ("AWS Systems Manager",)),
    ServiceAlias("Security Hub", ("security hub",), ("AWS Security Hub",)),
    ServiceAlias("GuardDuty", ("guardduty", "guard duty"), ("Amazon GuardDuty",)),
    ServiceAlias("Config", ("aws config",), ("AWS Config",)),
    ServiceAlias("Secrets Manager", ("secrets manager",), ("AWS Secrets Manager",)),
    ServiceAlias("ElastiCache", ("elasticache",), ("Amazon ElastiCache",)),
    ServiceAlias("Redshift", ("redshift",), ("Amazon Redshift",)),
    ServiceAlias("Kinesis", ("kinesis",), ("Amazon Kinesis", "Amazon Kinesis Firehose")),
    ServiceAlias("Athena", ("athena",), ("Amazon Athena",)),
    ServiceAlias("Glue", ("glue",), ("AWS Glue",)),
    ServiceAlias("SageMaker", ("sagemaker",), ("Amazon SageMaker",)),
    ServiceAlias("Backup", ("backup", "aws backup"), ("AWS Backup",)),
    ServiceAlias("ROSA", ("rosa", "openshift"), ("Red Hat OpenShift Service on AWS",)),
    # Microsoft Azure
    ServiceAlias(
        "Azure Virtual Machines",
        ("azure vm", "azure vms", "vm", "vms", "virtual machines"),
        ("Virtual Machines",),
    ),
    ServiceAlias("Azure VM Scale Sets", ("vmss", "scale sets"), ("Virtual Machine Scale Sets",)),
    ServiceAlias(
        "Azure Storage", ("azure storage", "storage accounts", "blob storage"), ("Storage Accounts",)
    ),
    ServiceAlias("AKS", ("aks", "azure kubernetes"), _AKS),
    ServiceAlias("Azure Machine Learning", ("azure ml", "aml"), ("Azure Machine Learning",)),
    ServiceAlias(
        "Azure Database for MySQL",
        ("azure mysql",),
        ("Azure DB for MySQL", "Azure Database for MySQL"),
    ),
    ServiceAlias("Azure SQL Database", ("azure sql",), ("SQL Database", "Azure SQL Database")),
    # Oracle Cloud
    ServiceAlias("OCI Compute", ("oci compute", "oracle compute"), ("COMPUTE",)),
    ServiceAlias("OCI Network", ("oci network", "oci networking", "oracle network"), ("NETWORK",)),
    ServiceAlias(
        "OCI Block Storage", ("oci block storage", "oci block volume", "block volume"), ("BLOCK_STORAGE",)
    ),
    ServiceAlias("OCI Object Storage", ("oci object storage",), ("OBJECT_STORAGE",)),
    # Across providers
    ServiceAlias("Kubernetes", ("kubernetes", "k8s"), _EKS + _AKS),
)

_VENDOR_PREFIXES = ("amazon", "aws", "azure", "microsoft", "oci", "oracle")


def compact(text: str) -> str:
    """Lower-case with everything but letters and digits removed: 'Route-53' == 'route 53'."""
    return re.sub(r"[^0-9a-z]", "", text.lower())


def _keys(text: str) -> set[str]:
    key = compact(text)
    keys = {key}
    for prefix in _VENDOR_PREFIXES:
        if key.startswith(prefix) and len(key) > len(prefix):
            keys.add(key.removeprefix(prefix))
    return keys


def _alias_index() -> dict[str, ServiceAlias]:
    index: dict[str, ServiceAlias] = {}
    texts = [
        (alias, text)
        for alias in KNOWN_SERVICES
        for text in (alias.name, *alias.aliases, *alias.service_names)
    ]
    # Names as written take precedence over vendor-stripped variants ("azure kubernetes" must
    # not claim plain "kubernetes"); among equals, the first declared service wins.
    for alias, text in texts:
        index.setdefault(compact(text), alias)
    for alias, text in texts:
        for key in _keys(text):
            index.setdefault(key, alias)
    return index


@dataclass(frozen=True)
class ServiceMatch:
    query: str
    # ServiceName values present in the data that the query stands for; empty = no match.
    names: tuple[str, ...]
    alias: ServiceAlias | None = None
    # Several data names contain the query and none is an exact or known match.
    candidates: tuple[str, ...] = ()

    @property
    def matched(self) -> bool:
        return bool(self.names)


def match_service(query: str, available: Iterable[str]) -> ServiceMatch:
    """Find the ServiceName values in `available` (the data's names) that `query` means.

    An exact ServiceName wins, then a known common name, then a single data name that
    contains the query.
    """
    names = sorted(set(available))
    wanted = compact(query)
    if not wanted:
        return ServiceMatch(query, ())
    exact = tuple(n for n in names if compact(n) == wanted)
    if exact:
        return ServiceMatch(query, exact)
    index = _alias_index()
    alias = index.get(wanted) or next((index[k] for k in _keys(query) if k in index), None)
    if alias is not None:
        spellings = {compact(s) for s in alias.service_names}
        return ServiceMatch(query, tuple(n for n in names if compact(n) in spellings), alias)
    contains = tuple(n for n in names if len(wanted) >= 3 and wanted in compact(n))
    if len(contains) == 1:
        return ServiceMatch(query, contains)
    return ServiceMatch(query, (), candidates=contains)
