"""The explicit catalogue of templates. Add a template: write it, then list it here."""

from __future__ import annotations

from tools.iac.catalogue.base import Template
from tools.iac.catalogue.compute import EC2_INSTANCE, ECS_SERVICE, LAMBDA_S3
from tools.iac.catalogue.database import RDS_POSTGRES
from tools.iac.catalogue.identity import IAM_ROLE, KMS_KEY, SECRET
from tools.iac.catalogue.kubernetes import (
    CONFIG_SECRET,
    CRONJOB,
    DEPLOYMENT,
    HPA,
    INGRESS,
    JOB,
    NAMESPACE,
    NETWORK_POLICY,
    STATEFULSET,
)
from tools.iac.catalogue.messaging import SCHEDULED_LAMBDA, SNS_TOPIC, SQS_QUEUE
from tools.iac.catalogue.monitoring import CLOUDWATCH_ALARM, LOG_GROUP
from tools.iac.catalogue.network import SECURITY_GROUP, VPC
from tools.iac.catalogue.storage import DYNAMODB_TABLE, EBS_VOLUME, ECR_REPOSITORY, S3_BUCKET

TEMPLATES: tuple[Template, ...] = (
    # AWS
    S3_BUCKET,
    VPC,
    SECURITY_GROUP,
    SQS_QUEUE,
    SNS_TOPIC,
    LAMBDA_S3,
    SCHEDULED_LAMBDA,
    RDS_POSTGRES,
    DYNAMODB_TABLE,
    ECS_SERVICE,
    EC2_INSTANCE,
    EBS_VOLUME,
    ECR_REPOSITORY,
    IAM_ROLE,
    KMS_KEY,
    SECRET,
    CLOUDWATCH_ALARM,
    LOG_GROUP,
    # Kubernetes
    DEPLOYMENT,
    INGRESS,
    CRONJOB,
    JOB,
    CONFIG_SECRET,
    HPA,
    STATEFULSET,
    NETWORK_POLICY,
    NAMESPACE,
)


def get_template(template_id: str) -> Template | None:
    return next((t for t in TEMPLATES if t.id == template_id), None)


def template_ids() -> list[str]:
    return [t.id for t in TEMPLATES]
