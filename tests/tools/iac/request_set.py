"""The evaluation set: varied plain-English requests, the template and format each must get, and
parameters the request states. Used by tests/tools/iac/test_requests.py and bench/iac_eval.py."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class RequestCase:
    request: str
    template: str
    format: str
    params: dict[str, Any] = field(default_factory=dict)


REQUESTS: tuple[RequestCase, ...] = (
    # S3
    RequestCase("write Terraform for a private S3 bucket with versioning", "s3_private_bucket", "terraform"),
    RequestCase(
        "CloudFormation template for an encrypted S3 bucket named acme-audit-logs in eu-west-1",
        "s3_private_bucket",
        "cloudformation",
        {"bucket_name": "acme-audit-logs", "region": "eu-west-1"},
    ),
    RequestCase(
        "terraform: s3 bucket 'team-data-prod' with SSE-S3 encryption, keep old versions 30 days",
        "s3_private_bucket",
        "terraform",
        {"bucket_name": "team-data-prod", "kms": False, "noncurrent_days": 30, "environment": "prod"},
    ),
    # Network
    RequestCase("a VPC with public and private subnets in 3 AZs", "vpc", "terraform", {"az_count": 3}),
    RequestCase(
        "cloudformation for a vpc 10.20.0.0/16 with a NAT gateway per AZ in Frankfurt",
        "vpc",
        "cloudformation",
        {"cidr": "10.20.0.0/16", "nat": "per_az", "region": "eu-central-1"},
    ),
    RequestCase(
        "terraform vpc named staging without NAT, 2 availability zones",
        "vpc",
        "terraform",
        {"name": "staging", "nat": "none", "az_count": 2},
    ),
    RequestCase(
        "security group allowing https from anywhere and ssh only from 10.0.0.0/8",
        "security_group",
        "terraform",
        {"public_ports": [443], "ssh_cidr": "10.0.0.0/8"},
    ),
    RequestCase(
        "CloudFormation security group for a web server on port 80 and 443",
        "security_group",
        "cloudformation",
        {"public_ports": [80, 443]},
    ),
    # Messaging
    RequestCase("CloudFormation for an SQS queue with a dead-letter queue", "sqs_with_dlq", "cloudformation"),
    RequestCase(
        "terraform sqs fifo queue named orders with a DLQ "
        "after 3 retries and a visibility timeout of 2 minutes",
        "sqs_with_dlq",
        "terraform",
        {"queue_name": "orders", "fifo": True, "max_receive_count": 3, "visibility_timeout_s": 120},
    ),
    RequestCase(
        "an SNS topic named alerts with an email subscription to ops@example.com",
        "sns_topic",
        "terraform",
        {"topic_name": "alerts", "email": "ops@example.com"},
    ),
    RequestCase("cloudformation sns topic for deploy notifications", "sns_topic", "cloudformation"),
    # Serverless
    RequestCase("a Lambda function triggered by S3 uploads", "lambda_s3_trigger", "terraform"),
    RequestCase(
        "CloudFormation: lambda in node triggered when a .csv file is uploaded to bucket acme-imports",
        "lambda_s3_trigger",
        "cloudformation",
        {"runtime": "nodejs22.x", "suffix": ".csv", "bucket_name": "acme-imports"},
    ),
    RequestCase(
        "a Lambda that runs every day at 2am", "scheduled_lambda", "terraform", {"schedule": "0 2 * * *"}
    ),
    RequestCase(
        "terraform for a python lambda called cleanup that runs every 15 minutes with 512 MB memory",
        "scheduled_lambda",
        "terraform",
        {"function_name": "cleanup", "schedule": "*/15 * * * *", "memory_mb": 512},
    ),
    RequestCase(
        "cloudformation scheduled lambda every monday at 9am",
        "scheduled_lambda",
        "cloudformation",
        {"schedule": "0 9 * * 1"},
    ),
    # Data
    RequestCase("RDS Postgres multi-AZ encrypted", "rds_postgres", "terraform", {"multi_az": True}),
    RequestCase(
        "CloudFormation for a postgres 16 database called "
        "orders-db, db.r6g.large, 200 GB, 14 days of backups",
        "rds_postgres",
        "cloudformation",
        {
            "identifier": "orders-db",
            "engine_version": "16",
            "instance_class": "db.r6g.large",
            "allocated_storage_gb": 200,
            "backup_retention_days": 14,
        },
    ),
    RequestCase(
        "a DynamoDB table called orders with partition key order_id and sort key created_at",
        "dynamodb_table",
        "terraform",
        {"table_name": "orders", "hash_key": "order_id", "range_key": "created_at"},
    ),
    RequestCase(
        "dynamodb table for sessions with TTL in cloudformation",
        "dynamodb_table",
        "cloudformation",
        {"ttl_attribute": "expires_at"},
    ),
    # Compute
    RequestCase(
        "an ECS Fargate service running ghcr.io/acme/api:1.4.2 with 3 tasks on port 8000",
        "ecs_fargate_service",
        "terraform",
        {"image": "ghcr.io/acme/api:1.4.2", "desired_count": 3, "container_port": 8000},
    ),
    RequestCase(
        "cloudformation for an ecs service named web",
        "ecs_fargate_service",
        "cloudformation",
        {"name": "web"},
    ),
    RequestCase(
        "an EC2 t3.small instance with a 50 GB disk",
        "ec2_instance",
        "terraform",
        {"instance_type": "t3.small", "root_volume_gb": 50},
    ),
    RequestCase(
        "CloudFormation for a graviton m7g.large ec2 instance named worker",
        "ec2_instance",
        "cloudformation",
        {"instance_type": "m7g.large", "name": "worker"},
    ),
    RequestCase(
        "an encrypted 200 GB EBS volume in eu-west-1",
        "ebs_volume",
        "terraform",
        {"size_gb": 200, "region": "eu-west-1", "availability_zone": "eu-west-1a"},
    ),
    RequestCase(
        "an ECR repository named api that keeps the last 50 images",
        "ecr_repository",
        "terraform",
        {"repository": "api", "keep_images": 50},
    ),
    # Identity and monitoring
    RequestCase(
        "IAM role with least privilege for a Lambda that reads bucket acme-reports",
        "iam_role_least_privilege",
        "terraform",
        {"service": "lambda", "bucket_name": "acme-reports", "access": "read"},
    ),
    RequestCase(
        "cloudformation iam role for ec2 instances to write to bucket acme-uploads",
        "iam_role_least_privilege",
        "cloudformation",
        {"service": "ec2", "access": "read-write", "bucket_name": "acme-uploads"},
    ),
    RequestCase("a KMS key with alias payments", "kms_key", "terraform", {"alias": "payments"}),
    RequestCase(
        "a secret in Secrets Manager called prod/db-password",
        "secrets_manager_secret",
        "terraform",
        {"name": "prod/db-password"},
    ),
    RequestCase(
        "CloudWatch alarm when CPU of i-0abc12345678 is above 90% email oncall@example.com",
        "cloudwatch_alarm",
        "terraform",
        {"metric": "ec2_cpu", "target": "i-0abc12345678", "threshold": 90.0, "email": "oncall@example.com"},
    ),
    RequestCase(
        "cloudformation alarm on lambda errors for function checkout",
        "cloudwatch_alarm",
        "cloudformation",
        {"metric": "lambda_errors", "target": "checkout"},
    ),
    RequestCase(
        "a log group /payments/api with 90 day retention",
        "cloudwatch_log_group",
        "terraform",
        {"name": "/payments/api", "retention_days": 90},
    ),
    # Kubernetes
    RequestCase(
        "a Kubernetes deployment for nginx with 3 replicas and a service",
        "k8s_deployment_service",
        "kubernetes",
        {"replicas": 3, "name": "nginx", "service": True},
    ),
    RequestCase(
        "k8s deployment named api with image ghcr.io/acme/api:2.3.1 on "
        "port 8000, 4 replicas, exposed with a load balancer, 512Mi memory",
        "k8s_deployment_service",
        "kubernetes",
        {
            "name": "api",
            "image": "ghcr.io/acme/api:2.3.1",
            "port": 8000,
            "replicas": 4,
            "service_type": "LoadBalancer",
            "memory_limit": "512Mi",
        },
    ),
    RequestCase(
        "kubernetes deployment for redis in the cache namespace",
        "k8s_deployment_service",
        "kubernetes",
        {"image": "redis", "namespace": "cache"},
    ),
    RequestCase(
        "an ingress for app.example.com to the web service on port 8080",
        "k8s_ingress",
        "kubernetes",
        {"host": "app.example.com", "service_name": "web", "service_port": 8080},
    ),
    RequestCase(
        "a Kubernetes CronJob that runs every day at 2am",
        "k8s_cronjob",
        "kubernetes",
        {"schedule": "0 2 * * *"},
    ),
    RequestCase(
        "k8s cronjob named backup every 6 hours using image ghcr.io/acme/backup:0.9.1",
        "k8s_cronjob",
        "kubernetes",
        {"name": "backup", "schedule": "0 */6 * * *", "image": "ghcr.io/acme/backup:0.9.1"},
    ),
    RequestCase(
        "a kubernetes job that runs a database migration with image ghcr.io/acme/migrate:1.2.0",
        "k8s_job",
        "kubernetes",
        {"image": "ghcr.io/acme/migrate:1.2.0"},
    ),
    RequestCase(
        "kubernetes deployment using a configmap with LOG_LEVEL=debug and a secret DATABASE_PASSWORD",
        "k8s_configmap_secret",
        "kubernetes",
        {"config": {"LOG_LEVEL": "debug"}, "secret_keys": ["DATABASE_PASSWORD"]},
    ),
    RequestCase(
        "an HPA for the api deployment between 2 and 10 replicas at 70% CPU",
        "k8s_hpa",
        "kubernetes",
        {"target": "api", "min_replicas": 2, "max_replicas": 10, "cpu_percent": 70},
    ),
    RequestCase(
        "autoscale the web deployment from 3 to 20 pods in kubernetes",
        "k8s_hpa",
        "kubernetes",
        {"min_replicas": 3, "max_replicas": 20},
    ),
    RequestCase(
        "a kubernetes statefulset for redis with 20Gi storage",
        "k8s_statefulset",
        "kubernetes",
        {"storage": "20Gi"},
    ),
    RequestCase(
        "a network policy that only allows traffic to the api "
        "pods on port 8000 from the ingress-nginx namespace",
        "k8s_network_policy",
        "kubernetes",
        {"app": "api", "port": 8000, "allow_from_namespace": "ingress-nginx"},
    ),
    RequestCase(
        "a k8s namespace called payments with a quota of 16 cpus and 32Gi",
        "k8s_namespace",
        "kubernetes",
        {"name": "payments", "cpu_quota": "16", "memory_quota": "32Gi"},
    ),
)
