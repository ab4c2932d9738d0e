"""The Terraform resource types CloudPilot knows, with their required arguments.

Facts from the provider documentation (hashicorp/aws v5 and v6, archive, random). Only arguments the
docs mark Required without alternatives are listed, so a valid configuration is never refused;
the rest of the provider's resource types (aws_provider_types.py) are known by name only, their
arguments unchecked. A type in neither is refused, because an unknown type is the commonest way a
generated configuration fails `terraform plan` (a hallucinated or misspelt resource).
"""

from __future__ import annotations

from dataclasses import dataclass

from tools.iac.validate.aws_provider_types import AWS_RESOURCE_TYPES


@dataclass(frozen=True)
class TypeSpec:
    required: tuple[str, ...] = ()
    # Nested blocks that must appear at least once.
    blocks: tuple[str, ...] = ()
    # Arguments removed from the provider by v6 -> what to use instead (an error).
    removed: tuple[tuple[str, str], ...] = ()
    # Arguments deprecated since provider v4 -> what to use instead (a warning).
    deprecated: tuple[tuple[str, str], ...] = ()


_S3_INLINE = (
    ("acl", "the aws_s3_bucket_acl resource (or, better, no ACL: BucketOwnerEnforced ownership)"),
    ("versioning", "the aws_s3_bucket_versioning resource"),
    (
        "server_side_encryption_configuration",
        "the aws_s3_bucket_server_side_encryption_configuration resource",
    ),
    ("logging", "the aws_s3_bucket_logging resource"),
    ("lifecycle_rule", "the aws_s3_bucket_lifecycle_configuration resource"),
    ("policy", "the aws_s3_bucket_policy resource"),
    ("website", "the aws_s3_bucket_website_configuration resource"),
    ("cors_rule", "the aws_s3_bucket_cors_configuration resource"),
)

RESOURCES: dict[str, TypeSpec] = {
    # S3
    "aws_s3_bucket": TypeSpec(deprecated=_S3_INLINE),
    "aws_s3_bucket_versioning": TypeSpec(("bucket",), ("versioning_configuration",)),
    "aws_s3_bucket_server_side_encryption_configuration": TypeSpec(("bucket",), ("rule",)),
    "aws_s3_bucket_public_access_block": TypeSpec(("bucket",)),
    "aws_s3_bucket_ownership_controls": TypeSpec(("bucket",), ("rule",)),
    "aws_s3_bucket_lifecycle_configuration": TypeSpec(("bucket",), ("rule",)),
    "aws_s3_bucket_policy": TypeSpec(("bucket", "policy")),
    "aws_s3_bucket_logging": TypeSpec(("bucket", "target_bucket", "target_prefix")),
    "aws_s3_bucket_acl": TypeSpec(("bucket",)),
    "aws_s3_bucket_notification": TypeSpec(("bucket",)),
    "aws_s3_bucket_cors_configuration": TypeSpec(("bucket",), ("cors_rule",)),
    "aws_s3_bucket_website_configuration": TypeSpec(("bucket",)),
    "aws_s3_object": TypeSpec(("bucket", "key")),
    # Networking
    "aws_vpc": TypeSpec(),
    "aws_subnet": TypeSpec(("vpc_id",)),
    "aws_internet_gateway": TypeSpec(),
    "aws_nat_gateway": TypeSpec(("subnet_id",)),
    "aws_eip": TypeSpec(removed=(("vpc", 'domain = "vpc"'),)),
    "aws_route_table": TypeSpec(("vpc_id",)),
    "aws_route": TypeSpec(("route_table_id",)),
    "aws_route_table_association": TypeSpec(("route_table_id",)),
    "aws_default_security_group": TypeSpec(),
    "aws_security_group": TypeSpec(),
    "aws_security_group_rule": TypeSpec(("type", "from_port", "to_port", "protocol", "security_group_id")),
    "aws_vpc_security_group_ingress_rule": TypeSpec(("security_group_id", "ip_protocol")),
    "aws_vpc_security_group_egress_rule": TypeSpec(("security_group_id", "ip_protocol")),
    "aws_network_acl": TypeSpec(("vpc_id",)),
    "aws_vpc_endpoint": TypeSpec(("vpc_id", "service_name")),
    "aws_flow_log": TypeSpec(removed=(("log_group_name", "log_destination"),)),
    "aws_lb": TypeSpec(),
    "aws_lb_target_group": TypeSpec(),
    "aws_lb_listener": TypeSpec(("load_balancer_arn",), ("default_action",)),
    "aws_route53_zone": TypeSpec(("name",)),
    "aws_route53_record": TypeSpec(("zone_id", "name", "type")),
    "aws_acm_certificate": TypeSpec(),
    # Messaging and events
    "aws_sqs_queue": TypeSpec(),
    "aws_sqs_queue_policy": TypeSpec(("queue_url", "policy")),
    "aws_sqs_queue_redrive_policy": TypeSpec(("queue_url", "redrive_policy")),
    "aws_sqs_queue_redrive_allow_policy": TypeSpec(("queue_url", "redrive_allow_policy")),
    "aws_sns_topic": TypeSpec(),
    "aws_sns_topic_subscription": TypeSpec(("topic_arn", "protocol", "endpoint")),
    "aws_sns_topic_policy": TypeSpec(("arn", "policy")),
    "aws_cloudwatch_event_rule": TypeSpec(),
    "aws_cloudwatch_event_target": TypeSpec(("rule", "arn")),
    "aws_scheduler_schedule": TypeSpec(("schedule_expression",), ("flexible_time_window", "target")),
    "aws_kinesis_stream": TypeSpec(("name",)),
    "aws_sfn_state_machine": TypeSpec(("definition", "role_arn")),
    # Compute
    "aws_lambda_function": TypeSpec(("function_name", "role")),
    "aws_lambda_permission": TypeSpec(("action", "function_name", "principal")),
    "aws_lambda_event_source_mapping": TypeSpec(("function_name",)),
    "aws_lambda_alias": TypeSpec(("name", "function_name", "function_version")),
    "aws_instance": TypeSpec(),
    "aws_launch_template": TypeSpec(),
    "aws_autoscaling_group": TypeSpec(("max_size", "min_size")),
    "aws_ebs_volume": TypeSpec(("availability_zone",)),
    "aws_ecs_cluster": TypeSpec(("name",)),
    "aws_ecs_cluster_capacity_providers": TypeSpec(("cluster_name",)),
    "aws_ecs_task_definition": TypeSpec(("family", "container_definitions")),
    "aws_ecs_service": TypeSpec(("name",)),
    "aws_ecr_repository": TypeSpec(("name",)),
    "aws_ecr_lifecycle_policy": TypeSpec(("repository", "policy")),
    "aws_eks_cluster": TypeSpec(("name", "role_arn"), ("vpc_config",)),
    "aws_appautoscaling_target": TypeSpec(("max_capacity", "min_capacity", "resource_id")),
    "aws_appautoscaling_policy": TypeSpec(("name", "resource_id", "scalable_dimension", "service_namespace")),
    # Data
    "aws_db_instance": TypeSpec(("instance_class",), removed=(("name", "db_name"),)),
    "aws_db_subnet_group": TypeSpec(("subnet_ids",)),
    "aws_db_parameter_group": TypeSpec(("family",)),
    "aws_rds_cluster": TypeSpec(("engine",)),
    "aws_rds_cluster_instance": TypeSpec(("cluster_identifier", "instance_class")),
    "aws_dynamodb_table": TypeSpec(("name", "hash_key"), ("attribute",)),
    "aws_elasticache_replication_group": TypeSpec(("replication_group_id", "description")),
    "aws_efs_file_system": TypeSpec(),
    # Identity, keys, secrets
    "aws_iam_role": TypeSpec(("assume_role_policy",)),
    "aws_iam_policy": TypeSpec(("policy",)),
    "aws_iam_role_policy": TypeSpec(("policy", "role")),
    "aws_iam_role_policy_attachment": TypeSpec(("role", "policy_arn")),
    "aws_iam_instance_profile": TypeSpec(),
    "aws_iam_user": TypeSpec(("name",)),
    "aws_iam_user_policy": TypeSpec(("policy", "user")),
    "aws_iam_user_policy_attachment": TypeSpec(("user", "policy_arn")),
    "aws_iam_user_login_profile": TypeSpec(("user",)),
    "aws_iam_access_key": TypeSpec(("user",)),
    "aws_iam_group": TypeSpec(("name",)),
    "aws_iam_policy_attachment": TypeSpec(("name", "policy_arn")),
    "aws_kms_key": TypeSpec(),
    "aws_kms_alias": TypeSpec(("target_key_id",)),
    "aws_secretsmanager_secret": TypeSpec(),
    "aws_secretsmanager_secret_version": TypeSpec(("secret_id",)),
    "aws_ssm_parameter": TypeSpec(("name", "type")),
    # Monitoring and governance
    "aws_cloudwatch_log_group": TypeSpec(),
    "aws_cloudwatch_metric_alarm": TypeSpec(("alarm_name", "comparison_operator", "evaluation_periods")),
    "aws_cloudwatch_dashboard": TypeSpec(("dashboard_name", "dashboard_body")),
    "aws_cloudtrail": TypeSpec(("name", "s3_bucket_name")),
    "aws_guardduty_detector": TypeSpec(),
    "aws_config_configuration_recorder": TypeSpec(("role_arn",)),
    "aws_api_gateway_rest_api": TypeSpec(("name",)),
    "aws_api_gateway_resource": TypeSpec(("rest_api_id", "parent_id", "path_part")),
    "aws_api_gateway_method": TypeSpec(("rest_api_id", "resource_id", "http_method", "authorization")),
    "aws_api_gateway_integration": TypeSpec(("rest_api_id", "resource_id", "http_method", "type")),
    "aws_api_gateway_deployment": TypeSpec(("rest_api_id",)),
    "aws_api_gateway_stage": TypeSpec(("rest_api_id", "deployment_id", "stage_name")),
    "aws_api_gateway_method_settings": TypeSpec(("rest_api_id", "stage_name", "method_path"), ("settings",)),
    "aws_api_gateway_request_validator": TypeSpec(("rest_api_id", "name")),
    "aws_api_gateway_account": TypeSpec(),
    "aws_apigatewayv2_api": TypeSpec(("name", "protocol_type")),
    "aws_wafv2_web_acl": TypeSpec(("name", "scope"), ("default_action", "visibility_config")),
    # Added with the building blocks (tools/iac/blocks/)
    "aws_efs_mount_target": TypeSpec(("file_system_id", "subnet_id")),
    "aws_efs_backup_policy": TypeSpec(("file_system_id",), ("backup_policy",)),
    "aws_efs_file_system_policy": TypeSpec(("file_system_id", "policy")),
    "aws_efs_access_point": TypeSpec(("file_system_id",)),
    "aws_elasticache_subnet_group": TypeSpec(("name", "subnet_ids")),
    "aws_secretsmanager_secret_rotation": TypeSpec(("secret_id",)),
    "aws_iam_openid_connect_provider": TypeSpec(("url",)),
    "aws_apigatewayv2_integration": TypeSpec(("api_id", "integration_type")),
    "aws_apigatewayv2_route": TypeSpec(("api_id", "route_key")),
    "aws_apigatewayv2_stage": TypeSpec(("api_id", "name")),
    "aws_cloudfront_distribution": TypeSpec(
        ("enabled",), ("default_cache_behavior", "origin", "restrictions", "viewer_certificate")
    ),
    "aws_cloudfront_origin_access_control": TypeSpec(
        ("name", "origin_access_control_origin_type", "signing_behavior", "signing_protocol")
    ),
    "aws_wafv2_web_acl_association": TypeSpec(("resource_arn", "web_acl_arn")),
    "aws_wafv2_web_acl_logging_configuration": TypeSpec(("log_destination_configs", "resource_arn")),
    "aws_lb_listener_rule": TypeSpec(("listener_arn",), ("action", "condition")),
    "aws_lb_target_group_attachment": TypeSpec(("target_group_arn", "target_id")),
    "aws_backup_vault": TypeSpec(("name",)),
    "aws_backup_plan": TypeSpec(("name",), ("rule",)),
    "aws_backup_selection": TypeSpec(("iam_role_arn", "name", "plan_id")),
    "aws_kinesis_stream_consumer": TypeSpec(("name", "stream_arn")),
    "aws_cloudwatch_event_bus": TypeSpec(("name",)),
    "aws_eks_node_group": TypeSpec(("cluster_name", "node_role_arn", "subnet_ids"), ("scaling_config",)),
    "aws_eks_addon": TypeSpec(("addon_name", "cluster_name")),
    "aws_guardduty_detector_feature": TypeSpec(("detector_id", "name", "status")),
    "aws_athena_workgroup": TypeSpec(("name",)),
    "aws_budgets_budget": TypeSpec(("budget_type", "limit_amount", "limit_unit", "time_unit")),
    "aws_route53_health_check": TypeSpec(("type",)),
    "aws_acm_certificate_validation": TypeSpec(("certificate_arn",)),
    "aws_ssm_document": TypeSpec(("name", "content", "document_type")),
    "aws_rds_cluster_parameter_group": TypeSpec(("family",)),
    "aws_config_configuration_recorder_status": TypeSpec(("name", "is_enabled")),
    "aws_config_delivery_channel": TypeSpec(("s3_bucket_name",)),
    "aws_securityhub_account": TypeSpec(),
    "aws_accessanalyzer_analyzer": TypeSpec(("analyzer_name",)),
    # Other HashiCorp providers commonly used next to aws
    "random_id": TypeSpec(("byte_length",)),
    "random_password": TypeSpec(("length",)),
    "random_string": TypeSpec(("length",)),
    "null_resource": TypeSpec(),
    "terraform_data": TypeSpec(),
}
# Every other resource type of the provider, by name: a correct answer using aws_redshift_cluster
# must not fail the schema check for want of a row above.
RESOURCES.update({name: TypeSpec() for name in sorted(AWS_RESOURCE_TYPES - RESOURCES.keys())})

DATA_SOURCES: dict[str, TypeSpec] = {
    "aws_iam_policy_document": TypeSpec(),
    "aws_availability_zones": TypeSpec(),
    "aws_caller_identity": TypeSpec(),
    "aws_region": TypeSpec(),
    "aws_partition": TypeSpec(),
    "aws_ssm_parameter": TypeSpec(("name",)),
    "aws_ami": TypeSpec(),
    "aws_vpc": TypeSpec(),
    "aws_subnets": TypeSpec(),
    "aws_kms_key": TypeSpec(("key_id",)),
    "aws_iam_policy": TypeSpec(),
    "archive_file": TypeSpec(("type", "output_path")),
}

# Providers whose configuration block is allowed: the table above covers their types.
PROVIDERS = frozenset({"aws", "archive", "random", "null", "terraform"})
