"""What the generator cannot write offline, named so the answer can say so instead of writing
something else: output formats other than Terraform, CloudFormation and Kubernetes (plain
manifests or a Helm chart, tools/iac/helm.py), and resource kinds no block or template builds
(with the closest thing that is supported)."""

from __future__ import annotations

import re
from dataclasses import dataclass

_F = re.IGNORECASE


@dataclass(frozen=True)
class Unsupported:
    pattern: re.Pattern[str]
    label: str
    closest: str = ""


FORMATS: tuple[Unsupported, ...] = (
    Unsupported(re.compile(r"\bpulumi\b", _F), "Pulumi"),
    Unsupported(re.compile(r"\bbicep\b", _F), "Bicep"),
    Unsupported(re.compile(r"\barm\s+templates?\b|\bazure\s+resource\s+manager\b", _F), "ARM templates"),
    Unsupported(re.compile(r"\b(?:aws\s+)?cdk\b|\bcloud\s+development\s+kit\b", _F), "AWS CDK"),
    Unsupported(re.compile(r"\bansible\b", _F), "Ansible"),
    Unsupported(re.compile(r"\bcrossplane\b", _F), "Crossplane"),
    Unsupported(
        re.compile(r"\bserverless\s+framework\b|\bserverless\.ya?ml\b", _F), "the Serverless Framework"
    ),
    Unsupported(re.compile(r"\b(?:aws\s+)?sam\s+templates?\b|\bsam\s+(?:app|application)\b", _F), "AWS SAM"),
    Unsupported(re.compile(r"\bkustomiz(?:e|ation)\b", _F), "Kustomize overlays"),
    Unsupported(re.compile(r"\bcdktf\b|\bterragrunt\b", _F), "CDKTF / Terragrunt"),
    Unsupported(re.compile(r"\bdocker[\s-]compose\b", _F), "Docker Compose"),
)

KINDS: tuple[Unsupported, ...] = (
    Unsupported(re.compile(r"\bredshift\b", _F), "a Redshift cluster", "an Aurora PostgreSQL cluster"),
    # OpenSearch domains are built (tools/iac/blocks/opensearch_domain.py); serverless collections not.
    Unsupported(
        re.compile(r"\b(?:opensearch|elasticsearch)\s+serverless\b", _F),
        "an OpenSearch Serverless collection",
        "an OpenSearch domain",
    ),
    # Provisioned MSK clusters are built (tools/iac/blocks/msk_cluster.py); MSK Serverless is not.
    Unsupported(
        re.compile(r"\bmsk\s+serverless\b", _F),
        "an MSK Serverless cluster",
        "a provisioned MSK cluster",
    ),
    Unsupported(re.compile(r"\bemr\b", _F), "an EMR cluster", "an ECS Fargate service"),
    Unsupported(
        re.compile(r"\bglue\s+(?:jobs?|crawlers?|catalog)\b", _F),
        "AWS Glue",
        "a Step Functions state machine",
    ),
    Unsupported(
        re.compile(r"\bsagemaker\b|\bbedrock\b", _F), "SageMaker / Bedrock resources", "a Lambda function"
    ),
    Unsupported(re.compile(r"\bneptune\b", _F), "a Neptune cluster", "an Aurora PostgreSQL cluster"),
    Unsupported(
        re.compile(r"\b(?:documentdb|docdb)\b", _F), "a DocumentDB cluster", "an Aurora PostgreSQL cluster"
    ),
    Unsupported(
        re.compile(r"\bamazon\s+mq\b|\bactivemq\b|\brabbitmq\s+broker\b", _F),
        "an Amazon MQ broker",
        "an SQS queue",
    ),
    Unsupported(
        re.compile(r"\b(?:kinesis\s+)?firehose\b", _F), "a Firehose delivery stream", "a Kinesis data stream"
    ),
    Unsupported(
        re.compile(r"\bappsync\b|\bgraphql\s+api\b", _F), "an AppSync API", "an HTTP API in front of a Lambda"
    ),
    # Cognito user pools are built (tools/iac/blocks/cognito_user_pool.py); identity pools are not.
    Unsupported(
        re.compile(r"\bcognito\s+identity\s+pools?\b|\bidentity\s+pools?\b", _F),
        "a Cognito identity pool",
        "a Cognito user pool",
    ),
    Unsupported(
        re.compile(r"\bbeanstalk\b", _F), "an Elastic Beanstalk environment", "an ECS Fargate service"
    ),
    Unsupported(re.compile(r"\bapp\s*runner\b", _F), "an App Runner service", "an ECS Fargate service"),
    Unsupported(re.compile(r"\btransit\s+gateway\b", _F), "a Transit Gateway", "a VPC"),
    Unsupported(
        re.compile(r"\bdirect\s+connect\b|\bsite[\s-]to[\s-]site\s+vpn\b|\bvpn\s+gateway\b", _F),
        "VPN / Direct Connect",
        "a VPC",
    ),
    Unsupported(re.compile(r"\bnetwork\s+firewall\b", _F), "AWS Network Firewall", "a security group"),
    Unsupported(re.compile(r"\bglobal\s+accelerator\b", _F), "Global Accelerator", "an ALB"),
    Unsupported(re.compile(r"\bwork\s?spaces\b", _F), "WorkSpaces", "an EC2 instance"),
    Unsupported(re.compile(r"\blightsail\b", _F), "Lightsail", "an EC2 instance"),
    Unsupported(
        re.compile(r"\baws\s+batch\b|\bbatch\s+compute\s+environment\b", _F),
        "AWS Batch",
        "a Kubernetes Job or an ECS service",
    ),
    Unsupported(
        re.compile(r"\bcodepipeline\b|\bcodebuild\b|\bcodedeploy\b", _F),
        "AWS CodePipeline / CodeBuild",
        "GitHub Actions OIDC role",
    ),
    Unsupported(
        re.compile(r"\bmemcached\s+cluster\b|\belasticache\s+memcached\b", _F),
        "an ElastiCache Memcached cluster",
        "an ElastiCache Redis replication group",
    ),
    Unsupported(re.compile(r"\bses\b|\bsimple\s+email\s+service\b", _F), "SES", "an SNS topic"),
    Unsupported(
        re.compile(r"\b(?:azure|gcp|google\s+cloud|gke|aks|cloud\s+run)\b", _F),
        "resources on other clouds (CloudPilot writes AWS and Kubernetes)",
        "",
    ),
    Unsupported(
        re.compile(r"\bvertical\s*pod\s*autoscaler\b|\bvpa\b", _F),
        "a VerticalPodAutoscaler (a CRD)",
        "a HorizontalPodAutoscaler",
    ),
    Unsupported(
        re.compile(r"\bkeda\b|\bscaledobject\b", _F),
        "a KEDA ScaledObject (a CRD)",
        "a HorizontalPodAutoscaler",
    ),
    Unsupported(
        re.compile(r"\bistio\b|\bvirtual\s*service\b|\blinkerd\b", _F),
        "service-mesh objects (CRDs)",
        "a NetworkPolicy",
    ),
    Unsupported(
        re.compile(r"\bcert[\s-]manager\s+certificate\b|\bclusterissuer\b", _F),
        "cert-manager objects (CRDs)",
        "an Ingress with TLS",
    ),
    Unsupported(
        re.compile(r"\bcustom\s+resource\s+definition\b|\bcrds?\b|\boperator\b", _F),
        "custom resources / operators",
        "",
    ),
    Unsupported(
        re.compile(r"\bpod\s*security\s*polic(?:y|ies)\b|\bpsp\b", _F),
        "a PodSecurityPolicy (removed in Kubernetes 1.25)",
        "Pod Security admission labels on a Namespace",
    ),
    Unsupported(re.compile(r"\bhttproute\b|\bgateway\s+api\b", _F), "Gateway API routes", "an Ingress"),
)


def unsupported_format(text: str) -> str | None:
    for item in FORMATS:
        if item.pattern.search(text):
            return item.label
    return None


def unsupported_kinds(text: str) -> list[Unsupported]:
    return [item for item in KINDS if item.pattern.search(text)]


SUPPORTED_FORMATS = "Terraform, CloudFormation, Kubernetes (plain manifests or a Helm chart)"
