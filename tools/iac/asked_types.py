"""The resource kinds a request names, and the resource types that prove a file builds them.

A model that is asked for a Redshift cluster and answers with an Aurora cluster has substituted
one resource for another; so has a catalogue template that drops the Route 53 record a request
named. Both are caught the same way: every kind the request names (a building block's noun, or one
of the kinds below that no block builds) must be declared in the file as one of its types. A kind
only mentioned as context ("a role for an existing Lambda", "an alarm on the queue") is not
required.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tools.iac.compose import mentions
from tools.iac.model import IacFormat

_F = re.IGNORECASE


@dataclass(frozen=True)
class AskedKind:
    """One kind of resource and the types (a trailing `*` is a prefix) that declare it, per format."""

    title: str
    terraform: tuple[str, ...] = ()
    cloudformation: tuple[str, ...] = ()
    kubernetes: tuple[str, ...] = ()
    # Block kinds closest to it, offered to a model as reviewed examples.
    near: tuple[str, ...] = ()
    # The block that builds it, where one does ("" for the kinds below that none builds).
    block: str = ""

    def types(self, fmt: IacFormat) -> tuple[str, ...]:
        return {
            "terraform": self.terraform,
            "cloudformation": self.cloudformation,
            "kubernetes": self.kubernetes,
        }[fmt]

    def found_in(self, declared: set[str], fmt: IacFormat) -> bool:
        return any(
            any(d.startswith(t[:-1]) for d in declared) if t.endswith("*") else t in declared
            for t in self.types(fmt)
        )


def _k(title: str, tf: str, cfn: str, k8s: str = "", near: str = "") -> AskedKind:
    return AskedKind(title, tuple(tf.split()), tuple(cfn.split()), tuple(k8s.split()), tuple(near.split()))


# Kinds no building block composes, by the words that name them.
OTHER_KINDS: tuple[tuple[re.Pattern[str], AskedKind], ...] = tuple(
    (re.compile(pattern, _F), kind)
    for pattern, kind in (
        (
            r"\bec2\s+instances?\b",
            _k("EC2 instance", "aws_instance", "AWS::EC2::Instance", near="security_group"),
        ),
        (r"\bebs\s+volumes?\b", _k("EBS volume", "aws_ebs_volume", "AWS::EC2::Volume", near="kms_key")),
        (
            r"(?<!/)\becs\b(?!/)|\bfargate\b",
            _k("ECS service", "aws_ecs_service", "AWS::ECS::Service", near="security_group log_group"),
        ),
        (
            r"\b(?:cloudwatch\s+)?alarms?\b",
            _k(
                "CloudWatch alarm",
                "aws_cloudwatch_metric_alarm aws_cloudwatch_composite_alarm",
                "AWS::CloudWatch::Alarm AWS::CloudWatch::CompositeAlarm",
                near="sns_topic",
            ),
        ),
        (r"\biam\s+roles?\b", _k("IAM role", "aws_iam_role", "AWS::IAM::Role", near="github_oidc")),
        (
            r"\balb\b|\bapplication\s+load\s+balancer\b|\bnlb\b|\bnetwork\s+load\s+balancer\b",
            _k(
                "load balancer",
                "aws_lb aws_alb",
                "AWS::ElasticLoadBalancingV2::LoadBalancer",
                near="security_group autoscaling_group",
            ),
        ),
        (
            r"\bcloudfront\b",
            _k(
                "CloudFront distribution",
                "aws_cloudfront_distribution",
                "AWS::CloudFront::Distribution",
                near="s3_bucket",
            ),
        ),
        (r"\bwaf\b", _k("WAF web ACL", "aws_wafv2_web_acl", "AWS::WAFv2::WebACL")),
        (
            r"\beventbridge\b",
            _k(
                "EventBridge rule or schedule",
                "aws_cloudwatch_event_rule aws_scheduler_schedule",
                "AWS::Events::Rule AWS::Scheduler::Schedule",
                near="lambda",
            ),
        ),
        (
            r"\bkinesis\b(?!\s+firehose)",
            _k("Kinesis stream", "aws_kinesis_stream", "AWS::Kinesis::Stream", near="kms_key sqs_queue"),
        ),
        (r"\beks\b", _k("EKS cluster", "aws_eks_cluster", "AWS::EKS::Cluster", near="kms_key")),
        (
            r"\broute\s?53\b",
            _k(
                "Route 53 record",
                "aws_route53_record aws_route53_zone",
                "AWS::Route53::RecordSet AWS::Route53::RecordSetGroup AWS::Route53::HostedZone",
            ),
        ),
        (
            r"\bbackup\s+plan\b",
            _k("AWS Backup plan", "aws_backup_plan", "AWS::Backup::BackupPlan", near="kms_key"),
        ),
        (
            r"\bssm\s+parameters?\b",
            _k("SSM parameter", "aws_ssm_parameter", "AWS::SSM::Parameter", near="secret"),
        ),
        (r"\b(?:new|a|an)\s+vpc\b", _k("VPC", "aws_vpc", "AWS::EC2::VPC", near="flow_logs")),
        (
            r"\bredshift\b",
            _k(
                "Redshift cluster",
                "aws_redshift_* aws_redshiftserverless_*",
                "AWS::Redshift::* AWS::RedshiftServerless::*",
                near="aurora_cluster kms_key",
            ),
        ),
        (
            r"\b(?:opensearch|elasticsearch)\b",
            _k(
                "OpenSearch domain",
                "aws_opensearch_* aws_elasticsearch_domain aws_opensearchserverless_*",
                "AWS::OpenSearchService::* AWS::Elasticsearch::Domain AWS::OpenSearchServerless::*",
                near="kms_key log_group",
            ),
        ),
        (
            r"\bmsk\b|\bmanaged\s+(?:streaming\s+for\s+)?kafka\b|\bkafka\s+cluster\b",
            _k("MSK cluster", "aws_msk_*", "AWS::MSK::*", near="kms_key security_group"),
        ),
        (r"\bemr\b", _k("EMR cluster", "aws_emr_* aws_emrserverless_*", "AWS::EMR::* AWS::EMRServerless::*")),
        (r"\bglue\b", _k("AWS Glue resource", "aws_glue_*", "AWS::Glue::*", near="s3_bucket")),
        (r"\bsagemaker\b", _k("SageMaker resource", "aws_sagemaker_*", "AWS::SageMaker::*")),
        (r"\bneptune\b", _k("Neptune cluster", "aws_neptune_*", "AWS::Neptune::*", near="aurora_cluster")),
        (
            r"\b(?:documentdb|docdb)\b",
            _k("DocumentDB cluster", "aws_docdb_*", "AWS::DocDB::*", near="aurora_cluster"),
        ),
        (
            r"\bamazon\s+mq\b|\bactivemq\b|\brabbitmq\s+broker\b",
            _k("Amazon MQ broker", "aws_mq_broker", "AWS::AmazonMQ::Broker"),
        ),
        (
            r"\bfirehose\b",
            _k(
                "Firehose delivery stream",
                "aws_kinesis_firehose_delivery_stream",
                "AWS::KinesisFirehose::DeliveryStream",
                near="s3_bucket",
            ),
        ),
        (
            r"\bappsync\b|\bgraphql\s+api\b",
            _k("AppSync API", "aws_appsync_*", "AWS::AppSync::*", near="lambda"),
        ),
        (r"\bcognito\b", _k("Cognito user pool", "aws_cognito_*", "AWS::Cognito::*")),
        (
            r"\bbeanstalk\b",
            _k("Elastic Beanstalk environment", "aws_elastic_beanstalk_*", "AWS::ElasticBeanstalk::*"),
        ),
        (r"\bapp\s*runner\b", _k("App Runner service", "aws_apprunner_*", "AWS::AppRunner::*")),
        (
            r"\btransit\s+gateway\b",
            _k("Transit Gateway", "aws_ec2_transit_gateway*", "AWS::EC2::TransitGateway*"),
        ),
        (
            r"\bnetwork\s+firewall\b",
            _k("Network Firewall", "aws_networkfirewall_*", "AWS::NetworkFirewall::*"),
        ),
        (
            r"\bglobal\s+accelerator\b",
            _k("Global Accelerator", "aws_globalaccelerator_*", "AWS::GlobalAccelerator::*"),
        ),
        (r"\baws\s+batch\b", _k("AWS Batch resource", "aws_batch_*", "AWS::Batch::*")),
        (r"\bcodebuild\b", _k("CodeBuild project", "aws_codebuild_*", "AWS::CodeBuild::*")),
        (r"\bcodepipeline\b", _k("CodePipeline pipeline", "aws_codepipeline*", "AWS::CodePipeline::*")),
        (
            r"\bmemcached\b",
            _k(
                "ElastiCache Memcached cluster",
                "aws_elasticache_cluster",
                "AWS::ElastiCache::CacheCluster",
                near="elasticache_redis",
            ),
        ),
        (r"\bses\b|\bsimple\s+email\s+service\b", _k("SES identity", "aws_ses* aws_sesv2_*", "AWS::SES::*")),
        (r"\bathena\b", _k("Athena workgroup", "aws_athena_*", "AWS::Athena::*", near="s3_bucket kms_key")),
        (r"\bbudgets?\b", _k("AWS budget", "aws_budgets_budget", "AWS::Budgets::Budget", near="sns_topic")),
        (r"\bguardduty\b", _k("GuardDuty detector", "aws_guardduty_detector", "AWS::GuardDuty::Detector")),
        (r"\bsecurity\s*hub\b", _k("Security Hub", "aws_securityhub_*", "AWS::SecurityHub::*")),
        (
            r"\baccess\s+analyzer\b",
            _k("IAM Access Analyzer", "aws_accessanalyzer_*", "AWS::AccessAnalyzer::*"),
        ),
        (
            r"\bcloudwatch\s+dashboard\b",
            _k("CloudWatch dashboard", "aws_cloudwatch_dashboard", "AWS::CloudWatch::Dashboard"),
        ),
        (r"\bssm\s+document\b", _k("SSM document", "aws_ssm_document", "AWS::SSM::Document")),
        (
            r"\bvertical\s*pod\s*autoscaler\b|\bvpa\b",
            _k("VerticalPodAutoscaler", "", "", "VerticalPodAutoscaler", near="hpa"),
        ),
        (r"\bkeda\b|\bscaledobject\b", _k("KEDA ScaledObject", "", "", "ScaledObject", near="hpa")),
        (r"\bhttproute\b|\bgateway\s+api\b", _k("Gateway API route", "", "", "HTTPRoute", near="ingress")),
    )
)

# "a role for an existing Lambda", "an alarm on the queue": the resource is context, not asked for.
_CONTEXT = re.compile(
    r"(?:(\S+)\s+)?\b(?:for|on|of)\s+(?:(?:an?|the|my|our|each|every|its)\s+)?(?:[\w.-]+\s+){0,2}$", _F
)
# "Terraform for a bucket", "write me code for a queue": "for" introduces what to build.
_WRITING_WORDS = frozenset(
    {
        *("terraform", "opentofu", "hcl", "tf", "cloudformation", "cfn", "kubernetes", "k8s", "yaml"),
        *("manifest", "manifests", "code", "iac", "template", "templates", "module", "file", "stack"),
        *("config", "configuration", "me", "something", "write", "generate", "create", "build"),
    }
)
# A role or policy is about other resources: what the request names after it is what it grants
# access to ("a role for a Lambda that reads bucket acme-reports"), unless added with "and a ...".
_ABOUT_OTHERS = re.compile(r"\broles?\b|\bpolic(?:y|ies)\b|\bpermissions?\b", _F)
_ALSO = re.compile(r"\b(?:and|plus|also)\s+(?:(?:an?|the|new)\s+)*(?:[\w.-]+\s+)?$", _F)
# Kubernetes objects a manifest usually refers to by name rather than creates.
_REFERRED_K8S = frozenset({"service", "secret_ref"})
# "autoscale the web deployment", "a PDB for the api statefulset": a workload already running.
_WORKLOADS = frozenset({"deployment", "statefulset", "daemonset"})
_THE = re.compile(r"\bthe\s+(?:[\w.-]+\s+)?$", _F)

# "a topic named alarms", "a queue called 'backup-jobs'": a name, not a kind to build.
_NAMED = re.compile(r"\b(?:named|called|name\s+it)\s+[\"'`]?[\w./@+-]+", _F)
# "on ECS task state changes", "EC2 instance events", "Security Hub findings": an event source a
# rule matches, not a resource to build.
_EVENTS_OF = re.compile(
    r"\s+(?:tasks?\s+|instances?\s+)?(?:state[\s-]changes?|state|events?|findings|api\s+calls?)\b", _F
)
# Kinds a block writes under another name where the request asks for it (cluster-wide RBAC).
_K8S_ALSO = {"Role": ("ClusterRole",), "RoleBinding": ("ClusterRoleBinding",)}

_TF_TYPE = re.compile(r'^\s*resource\s+"([\w-]+)"', re.M)
_CFN_TYPE = re.compile(r"^\s+Type:\s*[\"']?(AWS::[\w:]+)", re.M)
_K8S_KIND = re.compile(r"^kind:\s*[\"']?(\w+)", re.M)


def _is_context(before: str, fmt: IacFormat) -> bool:
    if re.search(r"\bexisting\s+(?:[\w.-]+\s+){0,2}$", before):
        return True
    if fmt != "kubernetes" and _ABOUT_OTHERS.search(before) and not _ALSO.search(before):
        return True
    m = _CONTEXT.search(before)
    return m is not None and (m.group(1) or "").strip(",.:;").lower() not in _WRITING_WORDS


def asked_kinds(request: str, fmt: IacFormat) -> list[AskedKind]:
    """The kinds `request` asks to be built, each with the types that prove it in `fmt`."""
    family = "kubernetes" if fmt == "kubernetes" else "aws"
    found: dict[str, AskedKind] = {}
    lower = request.lower()
    names = [n.span() for n in _NAMED.finditer(request)]

    def in_name(at: int) -> bool:
        return any(a < at < b for a, b in names)

    def not_asked(start: int, end: int) -> bool:
        return in_name(start) or _EVENTS_OF.match(request, end) is not None

    for m in mentions(request, family):
        block = m.block
        before = lower[: m.start]
        if (
            not_asked(m.start, m.end)
            or _is_context(before, fmt)
            or (fmt == "kubernetes" and block.kind in _REFERRED_K8S)
        ):
            continue
        if fmt == "kubernetes" and block.kind in _WORKLOADS and _THE.search(before):
            continue
        kind = AskedKind(
            block.title,
            (block.tf_type,) if block.tf_type else (),
            (block.cfn_type,) if block.cfn_type else (),
            (block.k8s_kind, *_K8S_ALSO.get(block.k8s_kind, ())) if block.k8s_kind else (),
            (block.kind,),
            block.kind,
        )
        if kind.types(fmt):
            found.setdefault(block.kind, kind)
    for pattern, kind in OTHER_KINDS:
        hits = (h for h in pattern.finditer(request) if not not_asked(h.start(), h.end()))
        if kind.types(fmt) and any(not _is_context(lower[: h.start()], fmt) for h in hits):
            # A block that builds it already named it (the blocks grow into this table).
            known = {t for k in found.values() for t in k.types(fmt)}
            if not known & set(kind.types(fmt)):
                found.setdefault(kind.title, kind)
    return list(found.values())


def declared_types(code: str, fmt: IacFormat) -> set[str]:
    pattern = {"terraform": _TF_TYPE, "cloudformation": _CFN_TYPE, "kubernetes": _K8S_KIND}[fmt]
    return set(pattern.findall(code))


def missing_kinds(kinds: list[AskedKind], code: str, fmt: IacFormat) -> list[AskedKind]:
    """The asked kinds `code` declares none of the types of."""
    declared = declared_types(code, fmt)
    return [k for k in kinds if not k.found_in(declared, fmt)]
