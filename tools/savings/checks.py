"""The savings checks, one function per kind of waste, each over one region.

Every opportunity names the remediate action that would realise it (run through the approval
gate like any change) and the monthly saving estimated from the bill's own unit prices.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, Literal

from tools.savings.prices import HOURS_PER_MONTH, Price, PriceBook

Kind = Literal["idle_instance", "unattached_volume", "unassociated_address", "old_snapshot", "gp2_volume"]
KINDS: tuple[Kind, ...] = (
    "idle_instance",
    "unattached_volume",
    "unassociated_address",
    "old_snapshot",
    "gp2_volume",
)
_MB = 1024 * 1024
_IMAGE_SNAPSHOT_PREFIXES = (
    "Created by CreateImage",
    "Auto-created snapshot for AMI",
    "Copied for DestinationAmi",
)


@dataclass
class Opportunity:
    kind: Kind
    resource_id: str
    region: str
    title: str
    detail: str
    monthly_saving: Decimal | None
    price_source: str
    remediation_action: str
    remediation_params: dict[str, Any] = field(default_factory=dict)
    name: str = ""
    currency: str = "USD"


@dataclass(frozen=True)
class Thresholds:
    lookback_days: int = 14
    # Idle: every day's average CPU under this, and little network traffic.
    cpu_percent: float = 5.0
    network_mb_per_day: float = 50.0
    # Days of metrics needed before calling an instance idle.
    min_days: int = 7
    snapshot_age_days: int = 90


def _name(tags: list[dict[str, str]] | None) -> str:
    return next((t["Value"] for t in tags or [] if t.get("Key") == "Name"), "")


def _saving(price: Price | None, quantity: Decimal) -> tuple[Decimal | None, str, str]:
    if price is None:
        return None, "no price in the bill", "USD"
    return (price.unit_price * quantity).quantize(Decimal("0.01")), price.source, price.currency


def idle_instances(
    aws: Any, region: str, now: datetime, limits: Thresholds, prices: PriceBook
) -> list[Opportunity]:
    ec2 = aws.client("ec2", region)
    cw = aws.client("cloudwatch", region)
    found: list[Opportunity] = []
    pages = ec2.get_paginator("describe_instances").paginate(
        Filters=[{"Name": "instance-state-name", "Values": ["running"]}]
    )
    start = now - timedelta(days=limits.lookback_days)
    for page in pages:
        for reservation in page.get("Reservations", []):
            for inst in reservation.get("Instances", []):
                iid = inst["InstanceId"]
                cpu = _daily(cw, iid, "CPUUtilization", "Average", start, now)
                if len(cpu) < limits.min_days or max(cpu.values()) >= limits.cpu_percent:
                    continue
                net_in = _daily(cw, iid, "NetworkIn", "Sum", start, now)
                net_out = _daily(cw, iid, "NetworkOut", "Sum", start, now)
                net = [(net_in.get(d, 0.0) + net_out.get(d, 0.0)) / _MB for d in cpu]
                if max(net) >= limits.network_mb_per_day:
                    continue
                itype = inst.get("InstanceType", "")
                saving, source, currency = _saving(prices.instance_hour(itype, region), HOURS_PER_MONTH)
                peak = max(cpu.values())
                name = _name(inst.get("Tags"))
                found.append(
                    Opportunity(
                        kind="idle_instance",
                        resource_id=iid,
                        region=region,
                        name=name,
                        title=f"Idle EC2 instance {name or iid} ({itype})",
                        detail=(
                            f"CPU never above {peak:.1f}% and network under {max(net):.1f} MB/day on "
                            f"{len(cpu)} days of the last {limits.lookback_days}; "
                            "stopping it saves its hours."
                        ),
                        monthly_saving=saving,
                        price_source=source,
                        currency=currency,
                        remediation_action="stop_instance",
                        remediation_params={},
                    )
                )
    return found


def _daily(
    cw: Any, instance_id: str, metric: str, stat: str, start: datetime, end: datetime
) -> dict[str, float]:
    points = cw.get_metric_statistics(
        Namespace="AWS/EC2",
        MetricName=metric,
        Dimensions=[{"Name": "InstanceId", "Value": instance_id}],
        StartTime=start,
        EndTime=end,
        Period=86400,
        Statistics=[stat],
    ).get("Datapoints", [])
    return {p["Timestamp"].astimezone(UTC).date().isoformat(): float(p[stat]) for p in points}


def unattached_volumes(aws: Any, region: str, prices: PriceBook) -> list[Opportunity]:
    ec2 = aws.client("ec2", region)
    found: list[Opportunity] = []
    for page in ec2.get_paginator("describe_volumes").paginate(
        Filters=[{"Name": "status", "Values": ["available"]}]
    ):
        for vol in page.get("Volumes", []):
            vtype, size = vol.get("VolumeType", "gp2"), int(vol.get("Size", 0))
            saving, source, currency = _saving(prices.volume_gb_month(vtype, region), Decimal(size))
            name = _name(vol.get("Tags"))
            found.append(
                Opportunity(
                    kind="unattached_volume",
                    resource_id=vol["VolumeId"],
                    region=region,
                    name=name,
                    title=f"Unattached EBS volume {name or vol['VolumeId']} ({size} GiB {vtype})",
                    detail="Attached to nothing; deleting it (after a snapshot) stops its storage charge.",
                    monthly_saving=saving,
                    price_source=source,
                    currency=currency,
                    # The action always takes a snapshot before deleting.
                    remediation_action="delete_volume",
                    remediation_params={},
                )
            )
    return found


def gp2_volumes(aws: Any, region: str, prices: PriceBook) -> list[Opportunity]:
    """Attached gp2 volumes: gp3 gives the same baseline for less.

    Unattached ones are reported for deletion instead."""
    ec2 = aws.client("ec2", region)
    found: list[Opportunity] = []
    for page in ec2.get_paginator("describe_volumes").paginate(
        Filters=[{"Name": "volume-type", "Values": ["gp2"]}, {"Name": "status", "Values": ["in-use"]}]
    ):
        for vol in page.get("Volumes", []):
            size = int(vol.get("Size", 0))
            gp2, gp3 = prices.volume_gb_month("gp2", region), prices.volume_gb_month("gp3", region)
            saving: Decimal | None = None
            source = "no price in the bill"
            currency = "USD"
            if gp2 is not None and gp3 is not None:
                saving = max(Decimal(0), (gp2.unit_price - gp3.unit_price) * size).quantize(Decimal("0.01"))
                source = gp2.source if gp2.source == gp3.source else f"{gp2.source} / {gp3.source}"
                currency = gp2.currency
            name = _name(vol.get("Tags"))
            found.append(
                Opportunity(
                    kind="gp2_volume",
                    resource_id=vol["VolumeId"],
                    region=region,
                    name=name,
                    title=f"gp2 volume {name or vol['VolumeId']} ({size} GiB) should be gp3",
                    detail="gp3 costs about 20% less per GiB with at least gp2's baseline performance; "
                    "the change is online.",
                    monthly_saving=saving,
                    price_source=source,
                    currency=currency,
                    remediation_action="modify_volume_type",
                    remediation_params={"volume_type": "gp3"},
                )
            )
    return found


def unassociated_addresses(aws: Any, region: str, prices: PriceBook) -> list[Opportunity]:
    ec2 = aws.client("ec2", region)
    found: list[Opportunity] = []
    for addr in ec2.describe_addresses().get("Addresses", []):
        if addr.get("AssociationId") or addr.get("InstanceId") or addr.get("NetworkInterfaceId"):
            continue
        allocation = addr.get("AllocationId") or addr.get("PublicIp", "")
        saving, source, currency = _saving(prices.idle_ip_hour(region), HOURS_PER_MONTH)
        name = _name(addr.get("Tags"))
        ip = addr.get("PublicIp", allocation)
        found.append(
            Opportunity(
                kind="unassociated_address",
                resource_id=allocation,
                region=region,
                name=name,
                title=f"Unassociated Elastic IP {name} ({ip})" if name else f"Unassociated Elastic IP {ip}",
                detail="Reserved but attached to nothing; idle public IPv4 addresses are billed by the hour.",
                monthly_saving=saving,
                price_source=source,
                currency=currency,
                remediation_action="release_address",
                remediation_params={},
            )
        )
    return found


def old_snapshots(
    aws: Any, region: str, now: datetime, limits: Thresholds, prices: PriceBook
) -> list[Opportunity]:
    """Snapshots older than the limit, or whose volume is gone, and that no image uses."""
    ec2 = aws.client("ec2", region)
    in_use: set[str] = set()
    for image in ec2.describe_images(Owners=["self"]).get("Images", []):
        for mapping in image.get("BlockDeviceMappings", []):
            snap = mapping.get("Ebs", {}).get("SnapshotId")
            if snap:
                in_use.add(snap)
    volumes = {
        v["VolumeId"] for page in ec2.get_paginator("describe_volumes").paginate() for v in page["Volumes"]
    }
    found: list[Opportunity] = []
    for page in ec2.get_paginator("describe_snapshots").paginate(OwnerIds=["self"]):
        for snap in page.get("Snapshots", []):
            sid = snap["SnapshotId"]
            # Snapshots behind an image are cleaned up with the image (deregistering it first).
            if sid in in_use or snap.get("Description", "").startswith(_IMAGE_SNAPSHOT_PREFIXES):
                continue
            started = snap.get("StartTime")
            age = (now - started).days if isinstance(started, datetime) else 0
            orphaned = bool(snap.get("VolumeId")) and snap["VolumeId"] not in volumes
            if age < limits.snapshot_age_days and not orphaned:
                continue
            size = int(snap.get("VolumeSize", 0))
            # Snapshots are incremental: the full volume size is an upper bound of what is stored.
            saving, source, currency = _saving(prices.snapshot_gb_month(region), Decimal(size))
            why = f"{age} days old" if age >= limits.snapshot_age_days else "its volume no longer exists"
            name = _name(snap.get("Tags"))
            found.append(
                Opportunity(
                    kind="old_snapshot",
                    resource_id=sid,
                    region=region,
                    name=name,
                    title=f"Old EBS snapshot {name or sid} ({size} GiB)",
                    detail=f"Not used by any image and {why}; "
                    "saving is an upper bound (snapshots are incremental).",
                    monthly_saving=saving,
                    price_source=source,
                    currency=currency,
                    remediation_action="delete_snapshot",
                    remediation_params={},
                )
            )
    return found
