"""The explicit library of building blocks. Add a block: one file, then list it here."""

from __future__ import annotations

from tools.iac.blocks.alb import Alb
from tools.iac.blocks.aurora_cluster import AuroraCluster
from tools.iac.blocks.autoscaling_group import AutoScalingGroup
from tools.iac.blocks.backup_plan import BackupPlan
from tools.iac.blocks.base import BlockSpec
from tools.iac.blocks.cloudfront import CloudFront
from tools.iac.blocks.cloudtrail import CloudTrail
from tools.iac.blocks.cloudwatch_log_group import CloudWatchLogGroup
from tools.iac.blocks.cognito_user_pool import CognitoUserPool
from tools.iac.blocks.dynamodb_table import DynamoDbTable
from tools.iac.blocks.ec2_instance import Ec2Instance
from tools.iac.blocks.ecr_repository import EcrRepository
from tools.iac.blocks.ecs_service import EcsService
from tools.iac.blocks.efs import Efs
from tools.iac.blocks.elasticache_redis import ElastiCacheRedis
from tools.iac.blocks.eventbridge_rule import EventBridgeRule
from tools.iac.blocks.flow_logs import FlowLogs
from tools.iac.blocks.github_oidc import GithubOidc
from tools.iac.blocks.http_api import HttpApi
from tools.iac.blocks.iam_role import IamRole
from tools.iac.blocks.k8s_configmap import K8sConfigMap
from tools.iac.blocks.k8s_cronjob import K8sCronJob
from tools.iac.blocks.k8s_daemonset import K8sDaemonSet
from tools.iac.blocks.k8s_deployment import K8sDeployment
from tools.iac.blocks.k8s_hpa import K8sHpa
from tools.iac.blocks.k8s_ingress import K8sIngress
from tools.iac.blocks.k8s_job import K8sJob
from tools.iac.blocks.k8s_network_policy import K8sNetworkPolicy
from tools.iac.blocks.k8s_pdb import K8sPdb
from tools.iac.blocks.k8s_pvc import K8sPvc
from tools.iac.blocks.k8s_role import K8sRole
from tools.iac.blocks.k8s_role_binding import K8sRoleBinding
from tools.iac.blocks.k8s_secret_ref import K8sSecretRef
from tools.iac.blocks.k8s_service import K8sService
from tools.iac.blocks.k8s_service_account import K8sServiceAccount
from tools.iac.blocks.k8s_statefulset import K8sStatefulSet
from tools.iac.blocks.kinesis_stream import KinesisStream
from tools.iac.blocks.kms_key import KmsKey
from tools.iac.blocks.lambda_function import LambdaFunction
from tools.iac.blocks.msk_cluster import MskCluster
from tools.iac.blocks.opensearch_domain import OpenSearchDomain
from tools.iac.blocks.rds_instance import RdsInstance
from tools.iac.blocks.rest_api import RestApi
from tools.iac.blocks.route53_record import Route53Record
from tools.iac.blocks.s3_bucket import S3Bucket
from tools.iac.blocks.secret import Secret
from tools.iac.blocks.security_group import SecurityGroup
from tools.iac.blocks.sns_topic import SnsTopic
from tools.iac.blocks.sqs_queue import SqsQueue
from tools.iac.blocks.ssm_parameter import SsmParameter
from tools.iac.blocks.step_functions import StepFunctions
from tools.iac.blocks.vpc import Vpc
from tools.iac.blocks.waf import Waf

AWS_BLOCKS: tuple[BlockSpec, ...] = (
    S3Bucket(),
    KmsKey(),
    CloudWatchLogGroup(),
    SqsQueue(),
    SnsTopic(),
    LambdaFunction(),
    StepFunctions(),
    HttpApi(),
    GithubOidc(),
    DynamoDbTable(),
    AutoScalingGroup(),
    AuroraCluster(),
    CloudTrail(),
    EcrRepository(),
    Efs(),
    ElastiCacheRedis(),
    FlowLogs(),
    RdsInstance(),
    Secret(),
    SecurityGroup(),
    Vpc(),
    Alb(),
    CloudFront(),
    Waf(),
    EventBridgeRule(),
    KinesisStream(),
    EcsService(),
    Ec2Instance(),
    BackupPlan(),
    SsmParameter(),
    Route53Record(),
    RestApi(),
    CognitoUserPool(),
    OpenSearchDomain(),
    MskCluster(),
    IamRole(),
)
KUBERNETES_BLOCKS: tuple[BlockSpec, ...] = (
    K8sDeployment(),
    K8sStatefulSet(),
    K8sDaemonSet(),
    K8sCronJob(),
    K8sJob(),
    K8sService(),
    K8sIngress(),
    K8sConfigMap(),
    K8sSecretRef(),
    K8sPvc(),
    K8sServiceAccount(),
    K8sRole(),
    K8sRoleBinding(),
    K8sHpa(),
    K8sPdb(),
    K8sNetworkPolicy(),
)
BLOCKS: tuple[BlockSpec, ...] = AWS_BLOCKS + KUBERNETES_BLOCKS


def get_block(kind: str) -> BlockSpec | None:
    return next((b for b in BLOCKS if b.kind == kind), None)
