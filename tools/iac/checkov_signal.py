"""Which Checkov failures fail generated code. Every failed check does, except the advisory ones
listed here: checks that ask for something that depends on the workload, costs money for every
user, or needs resources the request did not ask for (a second region, a log bucket, a VPC for a
function). Each is listed with why it is advisory; the answer still shows them as warnings."""

from __future__ import annotations

ADVISORY: dict[str, str] = {
    # S3
    "CKV_AWS_18": "access logging needs a separate log bucket",
    "CKV_AWS_144": "cross-region replication needs a second region and doubles storage",
    "CKV2_AWS_62": "event notifications only where something consumes them",
    "CKV_AWS_145": "SSE-S3 encrypts at rest too; it is written only when asked for (a KMS key is the "
    "default), and the security rules still fail an unencrypted bucket",
    # Lambda
    "CKV_AWS_116": "a function DLQ only for asynchronous invocations (queues have their own)",
    "CKV_AWS_117": "VPC placement only when the function reaches private resources",
    "CKV_AWS_115": "reserved concurrency caps throughput; set it per workload",
    "CKV_AWS_272": "code signing needs a signing profile and pipeline",
    # API / load balancing / CDN
    "CKV2_AWS_28": "a WAF in front of a load balancer is a separate ask (add 'with a WAF')",
    "CKV2_AWS_29": "a WAF in front of an API is a separate ask (add 'with a WAF')",
    "CKV2_AWS_47": "Log4j rule set only with a WAF",
    "CKV2_AWS_32": "response headers policy depends on the site",
    "CKV_AWS_68": "a WAF in front of CloudFront is a separate ask (add 'with a WAF')",
    "CKV_AWS_310": "origin failover needs a second origin",
    "CKV_AWS_374": "geo restriction depends on the audience",
    "CKV_AWS_86": "CloudFront access logging needs a separate log bucket",
    "CKV_AWS_91": "load balancer access logging needs a separate log bucket",
    "CKV2_AWS_76": "Log4j rule set only with a WAF",
    # Data stores
    "CKV_AWS_118": "enhanced monitoring needs a monitoring role; Performance Insights is on",
    "CKV_AWS_129": "log exports depend on the engine and cost per GB",
    "CKV2_AWS_30": "query logging depends on the engine and costs per GB",
    "CKV_AWS_324": "log exports depend on the engine and cost per GB",
    # Messaging
    "CKV_AWS_27": "the CloudFormation check does not see SqsManagedSseEnabled (SSE-SQS, as the Terraform "
    "check does); the security rules still fail an unencrypted queue",
    "CKV_AWS_325": "audit log exports cost per GB",
    "CKV2_AWS_16": "auto scaling for on-demand tables is not needed",
    "CKV2_AWS_60": "copy tags to snapshots is housekeeping",
    "CKV_AWS_326": "backtracking only for Aurora MySQL",
    "CKV2_AWS_8": "backups are set in the cluster's retention; AWS Backup plans are a separate ask",
    "CKV2_AWS_27": "logging every statement costs per GB and can log sensitive values",
    "CKV_AWS_252": "an SNS notification per delivered log file is noise; alert from the log group",
    "CKV_AWS_157": "Multi-AZ is availability, not security; on unless single-AZ is asked for",
    # Compute / network
    "CKV_AWS_126": "detailed monitoring costs per instance",
    "CKV_AWS_135": "EBS optimisation is default on current instance types",
    "CKV2_AWS_41": "an instance profile only when the instance calls AWS APIs",
    "CKV2_AWS_11": "VPC flow logs are a separate ask (add 'with flow logs')",
    "CKV2_AWS_12": "the default security group is not managed here",
    "CKV2_AWS_5": "security groups are attached by the resources passed their ids",
    "CKV_AWS_260": "HTTP from anywhere is written only when a public web server asks for port 80; the "
    "security rules still fail admin and database ports open to the world",
    "CKV_AWS_394": "zones are picked from those available at plan time: zone names map to different "
    "zones in each account, and not every region has an 'a' zone, so pinning them is per deployment",
    "CKV_AWS_338": "one year of log retention is the default; longer costs more",
    "CKV_AWS_290": "write access is scoped by resource; Checkov cannot tell",
    "CKV_AWS_355": "the '*' resource is for actions that do not support resource scoping (X-Ray)",
    "CKV_AWS_111": "write access is scoped by resource; Checkov cannot tell",
    "CKV_AWS_109": "the key policy's '*' resource means this key",
    "CKV_AWS_356": "the '*' resource is for actions that do not support resource scoping",
    # Kubernetes
    "CKV_K8S_8": "a liveness probe needs an endpoint the image serves; added where the port is known",
    "CKV_K8S_9": "a readiness probe needs an endpoint the image serves; added where the port is known",
    "CKV_K8S_43": "image digests are pinned by tags here; use digests in production",
    "CKV_K8S_15": "IfNotPresent suits pinned tags",
    "CKV_K8S_35": "secrets are mounted from Secret objects; Checkov prefers files",
    "CKV_K8S_21": "the namespace is set from the request ('default' when none is named)",
}


def is_advisory(check_id: str) -> bool:
    return check_id in ADVISORY
