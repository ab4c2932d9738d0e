"""Amazon MSK (managed Kafka) provisioned cluster: brokers in the private subnets with no public
access, clients authenticate with IAM over TLS (no unauthenticated access, no plaintext),
encrypted at rest with the shared CMK and in transit inside the cluster, broker logs in an
encrypted log group, a security group that allows the IAM/TLS port from the private network."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from pydantic import Field

from tools.iac import yamlout
from tools.iac.blocks.base import BlockParams, BlockSpec, Scene, Unit, cfn, named, resource
from tools.iac.blocks.cloudwatch_log_group import log_group
from tools.iac.blocks.security_group import group_ref, security_group
from tools.iac.features import Features
from tools.iac.hcl import Block, ref

# Kafka clients authenticated by IAM connect over TLS on this port.
IAM_TLS_PORT = 9098


class MskParams(BlockParams):
    name: str = Field(default="events", pattern=r"^[a-zA-Z0-9][a-zA-Z0-9-]{0,63}$")
    brokers: int = Field(default=3, ge=2, le=30)
    instance_type: str = Field(default="kafka.m7g.large", pattern=r"^kafka\.[a-z0-9]+\.[a-z0-9]+$")
    kafka_version: str = Field(default="3.8.x", pattern=r"^\d+\.\d+\.(?:\d+|x)$")
    volume_gb: int = Field(default=1000, ge=1, le=16384)


class MskCluster(BlockSpec):
    kind: ClassVar[str] = "msk_cluster"
    title: ClassVar[str] = "MSK (Kafka) cluster"
    nouns: ClassVar[tuple[str, ...]] = (
        r"\b(?:amazon\s+|aws\s+)?msk(?:\s+(?:kafka\s+)?cluster)?\b(?!\s+serverless)",
        r"\bmanaged\s+(?:streaming\s+for\s+)?kafka(?:\s+\(msk\))?(?:\s+cluster)?\b",
        r"\bkafka\s+cluster\b",
    )
    params_model: ClassVar[type[BlockParams]] = MskParams
    tf_type: ClassVar[str] = "aws_msk_cluster"
    cfn_type: ClassVar[str] = "AWS::MSK::Cluster"
    default_name: ClassVar[str] = "events"
    design: ClassVar[tuple[str, ...]] = (
        "MSK: private brokers (no public access), IAM client authentication over TLS only, encryption at "
        "rest (shared CMK) and in the cluster, broker logs to an encrypted log group.",
    )
    examples: ClassVar[tuple[str, ...]] = ("an msk cluster with 3 brokers",)

    def read(self, f: Features, text: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        name = named(f, text, "cluster", "msk")
        if name:
            out["name"] = name
        m = re.search(
            r"\b(\d{1,2})\s*(?:x\s+)?(?:kafka\s+)?(?:brokers?|broker\s+nodes?|nodes?)\b", text, re.I
        )
        if m:
            out["brokers"] = int(m.group(1))
        m = re.search(r"\b(kafka\.[a-z0-9]+\.[a-z0-9]+)\b", text, re.I)
        if m:
            out["instance_type"] = m.group(1).lower()
        m = re.search(r"\bkafka\s*(?:version\s*)?(\d\.\d{1,2})(?:\.(\d+|x))?\b", text, re.I)
        if m:
            out["kafka_version"] = f"{m.group(1)}.{m.group(2) or 'x'}"
        if f.size_gb:
            out["volume_gb"] = f.size_gb
        return out

    def notes(self, u: Unit, s: Scene) -> list[str]:
        p: MskParams = u.params
        return [
            f"Give one private subnet per zone; {p.brokers} brokers must be a multiple of the number of "
            "subnets. Clients use the IAM bootstrap brokers (port 9098) and need kafka-cluster:* "
            "permissions on this cluster."
        ]

    def terraform(self, u: Unit, s: Scene) -> list[Block]:
        p: MskParams = u.params
        sg, _ = security_group(
            s,
            f"{u.label}_kafka",
            f"{u.lid}KafkaSg",
            f"MSK {p.name}: Kafka over TLS with IAM from the private network",
            [(IAM_TLS_PORT, s.client_cidr(), "Kafka (IAM over TLS) from the private network")],
        )
        logs, _ = log_group(s, f"{u.label}_logs", f"{u.lid}Logs", f"/aws/msk/{p.name}")
        cluster = resource(
            "aws_msk_cluster",
            u.label,
            ("cluster_name", p.name),
            ("kafka_version", p.kafka_version),
            ("number_of_broker_nodes", p.brokers),
            ("enhanced_monitoring", "PER_BROKER"),
            Block(
                "broker_node_group_info",
                body=[
                    ("instance_type", p.instance_type),
                    ("client_subnets", s.private_subnets()),
                    ("security_groups", [group_ref(s, f"{u.label}_kafka", f"{u.lid}KafkaSg")]),
                    Block(
                        "storage_info",
                        body=[Block("ebs_storage_info", body=[("volume_size", p.volume_gb)])],
                    ),
                    Block(
                        "connectivity_info",
                        body=[Block("public_access", body=[("type", "DISABLED")])],
                    ),
                ],
            ),
            Block(
                "encryption_info",
                body=[
                    ("encryption_at_rest_kms_key_arn", s.key_arn()),
                    Block("encryption_in_transit", body=[("client_broker", "TLS"), ("in_cluster", True)]),
                ],
            ),
            Block(
                "client_authentication",
                body=[("unauthenticated", False), Block("sasl", body=[("iam", True)])],
            ),
            Block(
                "logging_info",
                body=[
                    Block(
                        "broker_logs",
                        body=[
                            Block(
                                "cloudwatch_logs",
                                body=[
                                    ("enabled", True),
                                    ("log_group", ref(f"aws_cloudwatch_log_group.{u.label}_logs.name")),
                                ],
                            )
                        ],
                    )
                ],
            ),
        )
        s.output(
            f"{u.label}_bootstrap_brokers",
            ref(f"aws_msk_cluster.{u.label}.bootstrap_brokers_sasl_iam"),
            "Bootstrap brokers (IAM over TLS).",
        )
        return [*sg, *logs, cluster]

    def cloudformation(self, u: Unit, s: Scene) -> dict[str, Any]:
        p: MskParams = u.params
        _, out = security_group(
            s,
            f"{u.label}_kafka",
            f"{u.lid}KafkaSg",
            f"MSK {p.name}: Kafka over TLS with IAM from the private network",
            [(IAM_TLS_PORT, s.client_cidr(), "Kafka (IAM over TLS) from the private network")],
        )
        _, logs = log_group(s, f"{u.label}_logs", f"{u.lid}Logs", f"/aws/msk/{p.name}")
        out.update(logs)
        out[u.lid] = cfn(
            "AWS::MSK::Cluster",
            {
                "ClusterName": p.name,
                "KafkaVersion": p.kafka_version,
                "NumberOfBrokerNodes": p.brokers,
                "EnhancedMonitoring": "PER_BROKER",
                "BrokerNodeGroupInfo": {
                    "InstanceType": p.instance_type,
                    "ClientSubnets": s.private_subnets(),
                    "SecurityGroups": [group_ref(s, f"{u.label}_kafka", f"{u.lid}KafkaSg")],
                    "StorageInfo": {"EBSStorageInfo": {"VolumeSize": p.volume_gb}},
                    "ConnectivityInfo": {"PublicAccess": {"Type": "DISABLED"}},
                },
                "EncryptionInfo": {
                    "EncryptionAtRest": {"DataVolumeKMSKeyId": s.key_arn()},
                    "EncryptionInTransit": {"ClientBroker": "TLS", "InCluster": True},
                },
                "ClientAuthentication": {
                    "Sasl": {"Iam": {"Enabled": True}},
                    "Unauthenticated": {"Enabled": False},
                },
                "LoggingInfo": {
                    "BrokerLogs": {
                        "CloudWatchLogs": {"Enabled": True, "LogGroup": yamlout.ref(f"{u.lid}Logs")}
                    }
                },
                # MSK tags are a map, not the usual list of Key/Value pairs.
                "Tags": {t["Key"]: t["Value"] for t in s.cfn_tags(p.name)},
            },
        )
        s.output(f"{u.label}_arn", yamlout.ref(u.lid), "ARN of the cluster.")
        return out
