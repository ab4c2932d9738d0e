"""What the generated company runs: its accounts, regions, and the kinds of billed resource.

Pure data: each kind says what its FOCUS rows look like and how its daily usage behaves.
"""

from __future__ import annotations

from dataclasses import dataclass

BILLING_ACCOUNT_ID = "900000000000"
BILLING_ACCOUNT_NAME = "Acme Corp"

REGIONS = {
    "us-east-1": "US East (N. Virginia)",
    "us-west-2": "US West (Oregon)",
    "eu-west-1": "EU (Ireland)",
    "eu-central-1": "EU (Frankfurt)",
    "ap-southeast-1": "Asia Pacific (Singapore)",
}
REGION_WEIGHTS = (0.45, 0.15, 0.2, 0.1, 0.1)
ACCOUNTS = (
    ("900000000101", "acme-prod-web", "prod", "web"),
    ("900000000102", "acme-prod-data", "prod", "data"),
    ("900000000103", "acme-staging", "staging", "web"),
    ("900000000104", "acme-dev", "dev", "platform"),
    ("900000000105", "acme-ml", "prod", "ml"),
    ("900000000106", "acme-shared-services", "prod", "platform"),
    ("900000000107", "acme-security", "prod", "security"),
    ("900000000108", "acme-sandbox", "dev", "platform"),
)
APPLICATIONS = ("storefront", "checkout", "search", "catalog", "analytics", "billing", "auth", "reporting")

EC2 = "Amazon Elastic Compute Cloud"
VPC = "Amazon Virtual Private Cloud"


@dataclass(frozen=True)
class Kind:
    """A kind of billed resource: what its rows look like and how its usage behaves."""

    key: str
    service: str
    category: str
    usage_type: str
    description: str
    unit: str
    unit_price: float
    # Usage per day: a resource draws its base from [low, high].
    low: float
    high: float
    weekend: float = 1.0
    noise: float = 0.04
    resource_type: str | None = None
    id_prefix: str = "r-"
    weight: float = 1.0
    # Fraction of list price actually paid (commitments, discounts).
    effective: float = 1.0


def _instance(size: str, price: float, weight: float, weekend: float = 0.85) -> Kind:
    return Kind(
        f"ec2-{size}",
        EC2,
        "Compute",
        f"BoxUsage:{size}",
        f"${price} per On Demand Linux {size} Instance Hour",
        "Hours",
        price,
        24,
        24 * 6,
        weekend=weekend,
        noise=0.05,
        resource_type="instance",
        id_prefix="i-",
        weight=weight,
        effective=0.72,
    )


def _volume(vtype: str, name: str, price: float, weight: float) -> Kind:
    return Kind(
        f"ebs-{vtype}",
        EC2,
        "Storage",
        f"EBS:VolumeUsage.{vtype}",
        f"${price} per GB-month of {name} provisioned storage",
        "GB-Mo",
        price,
        50 / 30,
        2000 / 30,
        noise=0.005,
        resource_type="volume",
        id_prefix="vol-",
        weight=weight,
    )


KINDS: tuple[Kind, ...] = (
    _instance("t3.medium", 0.0416, 3.0),
    _instance("t3.large", 0.0832, 2.0),
    _instance("m5.large", 0.096, 2.5),
    _instance("m5.xlarge", 0.192, 1.5),
    _instance("c5.2xlarge", 0.34, 1.0, weekend=0.7),
    _instance("r5.large", 0.126, 1.0, weekend=1.0),
    _volume("gp3", "General Purpose (gp3)", 0.08, 3.0),
    _volume("gp2", "General Purpose SSD (gp2)", 0.10, 1.5),
    _volume("st1", "Throughput Optimized HDD (st1)", 0.045, 0.4),
    Kind(
        "ebs-snapshot",
        EC2,
        "Storage",
        "EBS:SnapshotUsage",
        "$0.05 per GB-Month of snapshot data stored",
        "GB-Mo",
        0.05,
        20 / 30,
        800 / 30,
        noise=0.01,
        id_prefix="snap-",
        weight=1.2,
    ),
    Kind(
        "nat-hours",
        EC2,
        "Networking",
        "NatGateway-Hours",
        "$0.045 per NAT Gateway Hour",
        "Hours",
        0.045,
        24,
        24,
        noise=0.0,
        id_prefix="nat-",
        weight=0.6,
    ),
    Kind(
        "nat-bytes",
        EC2,
        "Networking",
        "NatGateway-Bytes",
        "$0.045 per GB Data Processed by NAT Gateways",
        "GB",
        0.045,
        20,
        400,
        weekend=0.6,
        noise=0.15,
        id_prefix="nat-",
        weight=0.6,
    ),
    Kind(
        "ec2-transfer",
        EC2,
        "Networking",
        "DataTransfer-Out-Bytes",
        "$0.09 per GB - first 10 TB / month data transfer out",
        "GB",
        0.09,
        5,
        150,
        weekend=0.7,
        noise=0.12,
        id_prefix="i-",
        weight=1.0,
    ),
    Kind(
        "public-ipv4",
        VPC,
        "Networking",
        "PublicIPv4:InUseAddress",
        "$0.005 per In-use public IPv4 address per hour",
        "Hours",
        0.005,
        24,
        24 * 4,
        noise=0.0,
        id_prefix="eipalloc-",
        weight=0.8,
    ),
    Kind(
        "idle-ipv4",
        VPC,
        "Networking",
        "PublicIPv4:IdleAddress",
        "$0.005 per Idle public IPv4 address per hour",
        "Hours",
        0.005,
        24,
        24,
        noise=0.0,
        id_prefix="eipalloc-",
        weight=0.3,
    ),
    Kind(
        "s3-storage",
        "Amazon Simple Storage Service",
        "Storage",
        "TimedStorage-ByteHrs",
        "$0.023 per GB - first 50 TB / month of storage used",
        "GB-Mo",
        0.023,
        500 / 30,
        40000 / 30,
        noise=0.003,
        id_prefix="bucket-",
        weight=1.5,
    ),
    Kind(
        "s3-requests",
        "Amazon Simple Storage Service",
        "Storage",
        "Requests-Tier1",
        "$0.005 per 1,000 PUT, COPY, POST, or LIST requests",
        "1K Requests",
        0.005,
        50,
        5000,
        weekend=0.5,
        noise=0.2,
        id_prefix="bucket-",
        weight=0.8,
    ),
    Kind(
        "rds-instance",
        "Amazon Relational Database Service",
        "Databases",
        "InstanceUsage:db.m5.large",
        "$0.171 per RDS db.m5.large instance hour (or partial hour) running MySQL",
        "Hours",
        0.171,
        24,
        48,
        noise=0.0,
        resource_type="db",
        id_prefix="db-",
        weight=1.2,
        effective=0.8,
    ),
    Kind(
        "rds-storage",
        "Amazon Relational Database Service",
        "Databases",
        "RDS:GP2-Storage",
        "$0.115 per GB-month of provisioned GP2 storage running MySQL",
        "GB-Mo",
        0.115,
        100 / 30,
        1000 / 30,
        noise=0.003,
        id_prefix="db-",
        weight=1.0,
    ),
    Kind(
        "lambda-compute",
        "AWS Lambda",
        "Compute",
        "Lambda-GB-Second",
        "AWS Lambda - Total Compute - US East (Northern Virginia)",
        "Lambda-GB-Second",
        0.0000166667,
        100000,
        5000000,
        weekend=0.45,
        noise=0.12,
        id_prefix="fn-",
        weight=1.0,
    ),
    Kind(
        "lambda-requests",
        "AWS Lambda",
        "Compute",
        "Request",
        "AWS Lambda - Total Requests",
        "Requests",
        0.0000002,
        200000,
        20000000,
        weekend=0.45,
        noise=0.12,
        id_prefix="fn-",
        weight=0.6,
    ),
    Kind(
        "elb-hours",
        "Elastic Load Balancing",
        "Networking",
        "LoadBalancerUsage",
        "$0.0225 per Application LoadBalancer-hour (or partial hour)",
        "Hours",
        0.0225,
        24,
        24,
        noise=0.0,
        id_prefix="app/",
        weight=0.8,
    ),
    Kind(
        "elb-lcu",
        "Elastic Load Balancing",
        "Networking",
        "LCUUsage",
        "$0.008 per used Application load balancer capacity unit-hour (or partial hour)",
        "LCU-Hrs",
        0.008,
        24,
        600,
        weekend=0.65,
        noise=0.1,
        id_prefix="app/",
        weight=0.8,
    ),
    Kind(
        "cloudwatch-metrics",
        "AmazonCloudWatch",
        "Management and Governance",
        "CW:MetricMonitorUsage",
        "$0.30 per metric-month - first 10,000 metrics",
        "Metrics",
        0.30,
        50 / 30,
        3000 / 30,
        noise=0.01,
        id_prefix="cw-",
        weight=0.8,
    ),
    Kind(
        "cloudwatch-logs",
        "AmazonCloudWatch",
        "Management and Governance",
        "DataProcessing-Bytes",
        "$0.50 per GB custom log data ingested",
        "GB",
        0.50,
        1,
        60,
        weekend=0.7,
        noise=0.1,
        id_prefix="log-",
        weight=0.8,
    ),
    Kind(
        "dynamodb",
        "Amazon DynamoDB",
        "Databases",
        "ReadRequestUnits",
        "$0.25 per million read request units",
        "ReadRequestUnits",
        0.00000025,
        1e6,
        2e8,
        weekend=0.6,
        noise=0.12,
        id_prefix="table/",
        weight=0.6,
    ),
    Kind(
        "cloudfront",
        "Amazon CloudFront",
        "Networking",
        "DataTransfer-Out-Bytes",
        "$0.085 per GB - first 10 TB / month data transfer out beyond the global free tier",
        "GB",
        0.085,
        20,
        2000,
        weekend=0.8,
        noise=0.1,
        id_prefix="E",
        weight=0.5,
    ),
)
KIND_INDEX = {k.key: i for i, k in enumerate(KINDS)}
