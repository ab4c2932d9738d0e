"""Words the offline planner understands: services and regions by their everyday names."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from tools.cost.providers import KNOWN_PROVIDERS
from tools.cost.services import KNOWN_SERVICES


@dataclass(frozen=True)
class Service:
    """One cloud service and what it means to each tool.

    `cost` is the common name cost_query accepts, `scan` the security_scan service (None when
    the scanner does not cover it), `resource_type` the describe_resources type (None when the
    inventory does not list it).
    """

    key: str
    cost: str | None
    scan: str | None
    resource_type: str | None
    # Regex fragments matched as whole words, case-insensitive.
    aliases: tuple[str, ...]


SERVICES: tuple[Service, ...] = (
    Service(
        "security_group",
        None,
        "ec2",
        "security_group",
        (r"security[ -]groups?", r"sgs?", r"firewall rules?", r"firewalls?"),
    ),
    Service(
        "ebs",
        "EBS",
        "ebs",
        "ebs_volume",
        (r"ebs volumes?", r"ebs", r"elastic block store", r"volumes?", r"disks?", r"snapshots?"),
    ),
    Service(
        "rds",
        "RDS",
        "rds",
        "rds_instance",
        (
            r"rds (?:instances?|databases?|snapshots?)",
            r"db (?:instances?|snapshots?)",
            r"relational database service",
            r"rds",
            r"databases?",
            r"dbs",
            r"db",
            r"postgres(?:ql)?",
            r"mysql",
            r"mariadb",
            r"aurora",
        ),
    ),
    Service(
        "ec2",
        "EC2",
        "ec2",
        "ec2_instance",
        (
            r"ec2 instances?",
            r"elastic compute cloud",
            r"ec2",
            r"instances?",
            r"virtual machines?",
            r"vms?",
            r"servers?",
            r"compute",
        ),
    ),
    Service(
        "s3",
        "S3",
        "s3",
        "s3_bucket",
        (r"s3 buckets?", r"simple storage service", r"s3", r"buckets?", r"object storage"),
    ),
    Service(
        "iam",
        None,
        "iam",
        "iam_user",
        (r"iam users?", r"iam", r"users?", r"access keys?"),
    ),
    Service(
        "lambda",
        "Lambda",
        "lambda",
        "lambda_function",
        (r"lambda functions?", r"lambdas?", r"functions?", r"serverless"),
    ),
    Service(
        "elb",
        "ELB",
        "elb",
        "load_balancer",
        (r"elastic load balanc(?:ing|ers?)", r"load[ -]balanc(?:ers?|ing)", r"elbs?", r"albs?", r"nlbs?"),
    ),
    Service("cloudwatch", "CloudWatch", "cloudwatch", None, (r"cloud ?watch(?: logs| alarms?)?",)),
    Service("vpc", "VPC", "ec2", "vpc", (r"vpcs?", r"nat gateways?", r"virtual private cloud")),
    Service("eks", "EKS", "eks", "eks_cluster", (r"eks", r"kubernetes", r"k8s")),
    Service("ecs", "ECS", None, None, (r"ecs", r"fargate")),
    Service("dynamodb", "DynamoDB", "dynamodb", "dynamodb_table", (r"dynamo ?db", r"dynamo")),
    Service("cloudfront", "CloudFront", "cloudfront", "cloudfront_distribution", (r"cloud ?front", r"cdn")),
    Service("sqs", "SQS", "sqs", "sqs_queue", (r"sqs", r"queues?")),
    Service("sns", "SNS", "sns", "sns_topic", (r"sns(?: topics?)?",)),
    Service("kms", "KMS", "kms", None, (r"kms(?: keys?)?", r"key management service", r"encryption keys?")),
    Service("route53", "Route 53", None, None, (r"route ?53", r"dns", r"hosted zones?")),
    Service("ecr", "ECR", "ecr", "ecr_repository", (r"ecr", r"container registry")),
    Service("efs", "EFS", "efs", "efs_file_system", (r"efs", r"elastic file system")),
    Service("apigateway", "API Gateway", "apigateway", "api_gateway_stage", (r"api ?gateway",)),
    Service("stepfunctions", "Step Functions", None, None, (r"step functions?",)),
    Service(
        "cloudtrail", "CloudTrail", "cloudtrail", None, (r"cloud ?trails?", r"audit (?:trails?|logging)")
    ),
    Service("config", "Config", "config", None, (r"aws config", r"config (?:rules?|recorders?)")),
    Service("waf", "WAF", None, None, (r"waf",)),
    Service("securityhub", "Security Hub", "securityhub", None, (r"security ?hub",)),
    Service("ssm", "Systems Manager", None, None, (r"systems manager", r"ssm")),
    Service(
        "elasticache",
        "ElastiCache",
        "elasticache",
        "elasticache_replication_group",
        (r"elasticache", r"redis", r"memcached"),
    ),
    Service("redshift", "Redshift", None, None, (r"redshift",)),
    Service(
        "secretsmanager", "Secrets Manager", "secretsmanager", "secret", (r"secrets? manager", r"secrets")
    ),
    Service("guardduty", "GuardDuty", "guardduty", None, (r"guard ?duty",)),
    Service("accessanalyzer", None, "accessanalyzer", None, (r"access analy[sz]er",)),
    Service("account", None, "account", None, (r"account contacts?", r"alternate contacts?")),
    Service("organizations", "Organizations", "organizations", None, (r"organi[sz]ations", r"aws orgs?")),
)

# Services the scanner covers, as a user would name them.
SCAN_LABELS = {
    "s3": "S3",
    "ec2": "EC2 (incl. security groups)",
    "iam": "IAM",
    "ebs": "EBS",
    "rds": "RDS",
    "kms": "KMS",
    "cloudtrail": "CloudTrail",
    "cloudwatch": "CloudWatch",
    "config": "AWS Config",
    "lambda": "Lambda",
    "elb": "Elastic Load Balancing",
    "eks": "EKS",
    "dynamodb": "DynamoDB",
    "sqs": "SQS",
    "sns": "SNS",
    "secretsmanager": "Secrets Manager",
    "ecr": "ECR",
    "cloudfront": "CloudFront",
    "apigateway": "API Gateway",
    "elasticache": "ElastiCache",
    "efs": "EFS",
    "guardduty": "GuardDuty",
    "securityhub": "Security Hub",
    "accessanalyzer": "IAM Access Analyzer",
    "account": "account contacts",
    "organizations": "Organizations",
}
RESOURCE_LABELS = {
    "ec2_instance": "EC2 instances",
    "security_group": "security groups",
    "s3_bucket": "S3 buckets",
    "iam_user": "IAM users",
    "rds_instance": "RDS instances",
    "ebs_volume": "EBS volumes",
    "vpc": "VPCs",
    "lambda_function": "Lambda functions",
    "load_balancer": "load balancers",
    "eks_cluster": "EKS clusters",
    "dynamodb_table": "DynamoDB tables",
    "sqs_queue": "SQS queues",
    "sns_topic": "SNS topics",
    "ecr_repository": "ECR repositories",
    "cloudfront_distribution": "CloudFront distributions",
    "api_gateway_stage": "API Gateway stages",
    "elasticache_replication_group": "ElastiCache replication groups",
    "efs_file_system": "EFS file systems",
}

# Region display names (and common city names) -> region ids. Longer names are tried first.
REGION_NAMES: dict[str, str] = {
    "n. virginia": "us-east-1",
    "n virginia": "us-east-1",
    "north virginia": "us-east-1",
    "northern virginia": "us-east-1",
    "virginia": "us-east-1",
    "ohio": "us-east-2",
    "n. california": "us-west-1",
    "northern california": "us-west-1",
    "california": "us-west-1",
    "oregon": "us-west-2",
    "ireland": "eu-west-1",
    "dublin": "eu-west-1",
    "london": "eu-west-2",
    "paris": "eu-west-3",
    "frankfurt": "eu-central-1",
    "zurich": "eu-central-2",
    "stockholm": "eu-north-1",
    "milan": "eu-south-1",
    "spain": "eu-south-2",
    "tokyo": "ap-northeast-1",
    "seoul": "ap-northeast-2",
    "osaka": "ap-northeast-3",
    "singapore": "ap-southeast-1",
    "sydney": "ap-southeast-2",
    "jakarta": "ap-southeast-3",
    "melbourne": "ap-southeast-4",
    "mumbai": "ap-south-1",
    "hyderabad": "ap-south-2",
    "hong kong": "ap-east-1",
    "canada": "ca-central-1",
    "montreal": "ca-central-1",
    "calgary": "ca-west-1",
    "são paulo": "sa-east-1",
    "sao paulo": "sa-east-1",
    "bahrain": "me-south-1",
    "uae": "me-central-1",
    "cape town": "af-south-1",
    "tel aviv": "il-central-1",
}

REGION_ID_PATTERN = (
    r"(?:us|eu|ap|sa|ca|me|af|il|mx|cn)-(?:gov-)?"
    r"(?:north|south|east|west|central|northeast|southeast|northwest|southwest)-\d"
)

MONTHS: dict[str, int] = {
    "january": 1,
    "jan": 1,
    "february": 2,
    "feb": 2,
    "march": 3,
    "mar": 3,
    "april": 4,
    "apr": 4,
    "may": 5,
    "june": 6,
    "jun": 6,
    "july": 7,
    "jul": 7,
    "august": 8,
    "aug": 8,
    "september": 9,
    "sept": 9,
    "sep": 9,
    "october": 10,
    "oct": 10,
    "november": 11,
    "nov": 11,
    "december": 12,
    "dec": 12,
}

NUMBER_WORDS: dict[str, int] = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "ninety": 90,
}

# Tag keys people group costs by without saying "tag".
COMMON_TAG_KEYS = (
    "team",
    "env",
    "environment",
    "project",
    "owner",
    "application",
    "app",
    "cost-center",
    "costcenter",
    "cost center",
    "department",
    "product",
    "stage",
)

ADMIN_PORTS = {"ssh": 22, "rdp": 3389}

# Ports by the service listening on them, for closing ingress ("block postgres from the
# internet"). Keys are regex fragments matched as whole words.
SERVICE_PORTS: dict[str, int] = {
    r"ssh": 22,
    r"rdp|remote\s+desktop": 3389,
    r"postgres(?:ql)?|psql": 5432,
    r"mysql|mariadb|aurora\s+mysql": 3306,
    r"mssql|sql\s+server": 1433,
    r"oracle(?:\s+db)?": 1521,
    r"redis": 6379,
    r"memcached?": 11211,
    r"mongo(?:db)?": 27017,
    r"elasticsearch|opensearch": 9200,
    r"kafka": 9092,
    r"telnet": 23,
    r"ftp": 21,
    r"smtp": 25,
    r"smb|cifs": 445,
    r"winrm": 5985,
    r"vnc": 5900,
    r"https": 443,
    r"http": 80,
}


# Cloud providers by what people call them (lower case) -> FOCUS ProviderName, from the cost
# tool's own table. "amazon" alone is left out: it starts service names ("Amazon S3").
PROVIDER_WORDS: dict[str, str] = {
    alias: provider.name for provider in KNOWN_PROVIDERS for alias in provider.aliases if alias != "amazon"
}

# A word shaped like a region id, known or not ("mars-north-7", "eu-west-9").
REGION_LIKE_PATTERN = (
    r"[a-z]{2,}(?:-gov)?-(?:north|south|east|west|central|northeast|southeast|northwest|southwest)-\d{1,2}"
)


@cache
def aws_regions() -> frozenset[str]:
    """Every region id botocore knows (all partitions), plus the ones REGION_NAMES names."""
    import botocore.session

    session = botocore.session.get_session()
    regions = set(REGION_NAMES.values())
    for partition in session.get_available_partitions():
        regions.update(session.get_available_regions("ec2", partition_name=partition))
    return frozenset(regions)


_PLAIN = re.compile(r"[a-z0-9][a-z0-9 ]*")


@cache
def service_vocabulary() -> dict[str, str]:
    """Every service word the planner or the cost tool knows (lower case) -> the name to show."""
    words: dict[str, str] = {}
    for service in SERVICES:
        shown = service.cost or service.key.upper()
        words.setdefault(service.key, shown)
        for alias in service.aliases:
            if _PLAIN.fullmatch(alias):
                words.setdefault(alias, shown)
    for known in KNOWN_SERVICES:
        for text in (known.name, *known.aliases):
            words.setdefault(text.lower(), known.name)
    return words
