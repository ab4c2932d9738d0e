"""Extra sandbox resources for savings_opportunities: waste a real account accumulates.

An idle batch host (CloudWatch says ~1% CPU, almost no traffic) next to a busy API host, a gp2
data volume on it, an Elastic IP reserved for nothing, and a snapshot whose volume was deleted.
Volumes and snapshots are encrypted and private and the instances require IMDSv2; what a
scan does report here is real waste too: the two spare addresses, and the API host's public
Elastic IP (the seed plants those).

CloudWatch keeps metrics for the two weeks before the demo's pinned date (2024-10-15) and the
two weeks before now, so idle detection works with a pinned clock and a real one alike.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sandbox.manifest import SANDBOX_AMI, SeededResource
from tools.inventory.aws import AwsClients

DEMO_NOW = datetime(2024, 10, 15, tzinfo=UTC)
METRIC_DAYS = 15
_STEP_HOURS = 6
_TAGS = {"env": "prod", "team": "data", "owner": "li.wei@acme.example", "cost-center": "cc-data"}


def _tags(name: str, **extra: str) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in {"Name": name, **_TAGS, **extra}.items()]


def seed_savings(
    aws: AwsClients, now: datetime | None = None, *, placement: dict[str, Any] | None = None
) -> list[SeededResource]:
    """Create the savings resources; returns them for the seed manifest.

    `placement` goes to run_instances (subnet, security groups); without it the instances land
    in the default VPC.
    """
    region = aws.regions[0]
    other = aws.regions[1] if len(aws.regions) > 1 else region
    ec2 = aws.client("ec2", region)
    out: list[SeededResource] = []

    def add(type_: str, id_: str, name: str, where: str = region) -> str:
        out.append(SeededResource(type=type_, id=id_, name=name, region=where))
        return id_

    idle = _instance(aws, region, "batch-runner-old", "m5.large", add, placement or {})
    busy = _instance(aws, region, "api-busy-1", "t3.large", add, placement or {})
    ends = [DEMO_NOW, (now or datetime.now(UTC)).replace(minute=0, second=0, microsecond=0)]
    _metrics(aws, region, idle, cpu=1.2, network_mb=2.0, ends=ends)
    _metrics(aws, region, busy, cpu=46.0, network_mb=900.0, ends=ends)

    data = ec2.create_volume(
        AvailabilityZone=_zone(aws, region, busy),
        Size=100,
        VolumeType="gp2",
        Encrypted=True,
        TagSpecifications=[{"ResourceType": "volume", "Tags": _tags("reports-data")}],
    )["VolumeId"]
    ec2.get_waiter("volume_available").wait(VolumeIds=[data])
    ec2.attach_volume(VolumeId=data, InstanceId=busy, Device="/dev/sdg")
    add("ebs_volume", data, "reports-data")

    # A snapshot kept after its volume was deleted (a finished migration).
    temp = ec2.create_volume(
        AvailabilityZone=f"{region}a",
        Size=120,
        VolumeType="gp3",
        Encrypted=True,
        TagSpecifications=[{"ResourceType": "volume", "Tags": _tags("migration-2023")}],
    )["VolumeId"]
    snap = ec2.create_snapshot(
        VolumeId=temp,
        Description="pre-migration copy",
        TagSpecifications=[{"ResourceType": "snapshot", "Tags": _tags("migration-2023-final")}],
    )["SnapshotId"]
    ec2.delete_volume(VolumeId=temp)
    add("snapshot", snap, "migration-2023-final")
    kept = ec2.create_snapshot(
        VolumeId=data,
        Description="nightly",
        TagSpecifications=[{"ResourceType": "snapshot", "Tags": _tags("reports-data-nightly")}],
    )["SnapshotId"]
    add("snapshot", kept, "reports-data-nightly")

    used = ec2.allocate_address(
        Domain="vpc", TagSpecifications=[{"ResourceType": "elastic-ip", "Tags": _tags("api-busy-ip")}]
    )
    ec2.associate_address(AllocationId=used["AllocationId"], InstanceId=busy)
    add("elastic_ip", used["AllocationId"], "api-busy-ip")
    for where, name in ((region, "old-nat-ip"), (other, "eu-legacy-ftp-ip")):
        spare = aws.client("ec2", where).allocate_address(
            Domain="vpc", TagSpecifications=[{"ResourceType": "elastic-ip", "Tags": _tags(name)}]
        )
        add("elastic_ip", spare["AllocationId"], name, where)
    return out


def _instance(
    aws: AwsClients, region: str, name: str, itype: str, add: object, placement: dict[str, Any]
) -> str:
    ec2 = aws.client("ec2", region)
    inst = ec2.run_instances(
        ImageId=SANDBOX_AMI,
        MinCount=1,
        MaxCount=1,
        InstanceType=itype,
        BlockDeviceMappings=[
            {"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 30, "VolumeType": "gp3", "Encrypted": True}}
        ],
        MetadataOptions={"HttpTokens": "required", "HttpEndpoint": "enabled"},
        TagSpecifications=[{"ResourceType": "instance", "Tags": _tags(name)}],
        **placement,
    )["Instances"][0]["InstanceId"]
    assert callable(add)
    add("ec2_instance", inst, name)
    vols = ec2.describe_volumes(Filters=[{"Name": "attachment.instance-id", "Values": [inst]}])["Volumes"]
    for vol in vols:
        ec2.create_tags(Resources=[vol["VolumeId"]], Tags=_tags(f"{name}-root"))
        add("ebs_volume", vol["VolumeId"], f"{name}-root")
    return str(inst)


def _zone(aws: AwsClients, region: str, instance_id: str) -> str:
    reservations = aws.client("ec2", region).describe_instances(InstanceIds=[instance_id])["Reservations"]
    return str(reservations[0]["Instances"][0]["Placement"]["AvailabilityZone"])


def _metrics(
    aws: AwsClients, region: str, instance_id: str, *, cpu: float, network_mb: float, ends: list[datetime]
) -> None:
    """Datapoints every six hours for the two weeks before each end."""
    cw = aws.client("cloudwatch", region)
    dims = [{"Name": "InstanceId", "Value": instance_id}]
    batch: list[dict[str, object]] = []
    per_step = network_mb * 1024 * 1024 / (24 / _STEP_HOURS) / 2
    for end in ends:
        for i in range(METRIC_DAYS * 24 // _STEP_HOURS):
            at = end - timedelta(hours=_STEP_HOURS * (i + 1))
            wobble = 1 + 0.15 * ((i * 7) % 5 - 2) / 2
            batch += [
                {
                    "MetricName": "CPUUtilization",
                    "Dimensions": dims,
                    "Timestamp": at,
                    "Value": cpu * wobble,
                    "Unit": "Percent",
                },
                {
                    "MetricName": "NetworkIn",
                    "Dimensions": dims,
                    "Timestamp": at,
                    "Value": per_step * wobble,
                    "Unit": "Bytes",
                },
                {
                    "MetricName": "NetworkOut",
                    "Dimensions": dims,
                    "Timestamp": at,
                    "Value": per_step * wobble,
                    "Unit": "Bytes",
                },
            ]
    for start in range(0, len(batch), 150):
        cw.put_metric_data(Namespace="AWS/EC2", MetricData=batch[start : start + 150])
