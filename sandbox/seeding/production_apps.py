"""Acme's production application platform, region by region: load balancers, the CDN, REST APIs,
Lambda functions, an EKS cluster, and the data services around them (DynamoDB, ElastiCache,
EFS, SQS, SNS, Secrets Manager, ECR); with the mistakes planted among them.

As with the hosts, the primary region is built to Acme's standard and the secondary one carries
the legacy. Runs after `production_regions` (it places things in their VPCs and subnets) and
after the KMS keys exist.
"""

from __future__ import annotations

from sandbox.manifest import GLOBAL
from sandbox.seeding import apps, data, identity
from sandbox.seeding.account import SeedAccount
from sandbox.seeding.production_account import LEGACY_CERTIFICATE
from tools.security.rules.apigateway.authorizers import ApiWithoutAuthorizer
from tools.security.rules.apigateway.cache_encrypted import ApiCacheUnencrypted
from tools.security.rules.apigateway.client_certificate import ApiStageWithoutClientCertificate
from tools.security.rules.apigateway.logging import ApiStageWithoutLogging
from tools.security.rules.apigateway.tracing import ApiStageWithoutTracing
from tools.security.rules.apigateway.waf import ApiStageWithoutWaf
from tools.security.rules.awslambda.deprecated_runtime import LambdaDeprecatedRuntime
from tools.security.rules.awslambda.env_secrets import LambdaSecretsInEnvironment
from tools.security.rules.awslambda.not_in_vpc import LambdaOutsideVpc
from tools.security.rules.awslambda.public_policy import LambdaPublicPolicy
from tools.security.rules.awslambda.public_url import LambdaPublicUrl
from tools.security.rules.awslambda.url_cors_wildcard import LambdaUrlCorsWildcard
from tools.security.rules.cloudfront.default_root_object import CloudFrontWithoutDefaultRootObject
from tools.security.rules.cloudfront.deprecated_tls import CloudFrontDeprecatedTls
from tools.security.rules.cloudfront.https import CloudFrontAllowsHttp
from tools.security.rules.cloudfront.logging import CloudFrontWithoutLogging
from tools.security.rules.cloudfront.origin_access_control import CloudFrontS3WithoutOac
from tools.security.rules.cloudfront.origin_traffic_encrypted import CloudFrontPlainOrigin
from tools.security.rules.cloudfront.waf import CloudFrontWithoutWaf
from tools.security.rules.dynamodb.cmk_encryption import DynamoDbWithoutCmk
from tools.security.rules.dynamodb.deletion_protection import DynamoDbWithoutDeletionProtection
from tools.security.rules.dynamodb.pitr import DynamoDbWithoutPitr
from tools.security.rules.ecr.lifecycle_policy import EcrWithoutLifecyclePolicy
from tools.security.rules.ecr.public_repository import PublicEcrRepository
from tools.security.rules.ecr.scan_on_push import EcrWithoutScanOnPush
from tools.security.rules.ecr.tag_immutability import EcrMutableTags
from tools.security.rules.efs.one_zone import OneZoneFileSystem
from tools.security.rules.efs.public_policy import PublicFileSystemPolicy
from tools.security.rules.efs.unencrypted import UnencryptedFileSystem
from tools.security.rules.eks.control_plane_logging import EksControlPlaneLogging
from tools.security.rules.eks.private_endpoint import EksWithoutPrivateEndpoint
from tools.security.rules.eks.public_endpoint import EksPublicEndpoint
from tools.security.rules.eks.secrets_encryption import EksWithoutSecretsEncryption
from tools.security.rules.eks.unsupported_version import EksUnsupportedVersion
from tools.security.rules.elasticache.automatic_failover import CacheWithoutFailover
from tools.security.rules.elasticache.backups import CacheWithoutBackups
from tools.security.rules.elasticache.multi_az import CacheNotMultiAz
from tools.security.rules.elasticache.rest_encryption import CacheWithoutRestEncryption
from tools.security.rules.elasticache.transit_encryption import CacheWithoutTransitEncryption
from tools.security.rules.elb.access_logs import LoadBalancerWithoutAccessLogs
from tools.security.rules.elb.deletion_protection import LoadBalancerWithoutDeletionProtection
from tools.security.rules.elb.desync_mitigation import AlbDesyncMitigation
from tools.security.rules.elb.drop_invalid_headers import AlbKeepsInvalidHeaders
from tools.security.rules.elb.http_without_redirect import HttpListenerWithoutRedirect
from tools.security.rules.elb.insecure_tls_policy import InsecureTlsPolicy
from tools.security.rules.elb.single_az import LoadBalancerSingleAz
from tools.security.rules.elb.waf import AlbWithoutWaf
from tools.security.rules.iam.confused_deputy import RoleServiceTrustWithoutSource
from tools.security.rules.secretsmanager.public_policy import PublicSecretPolicy
from tools.security.rules.secretsmanager.rotation import SecretWithoutRotation
from tools.security.rules.sns.public_topic import PublicTopic
from tools.security.rules.sns.unencrypted_topic import UnencryptedTopic
from tools.security.rules.sqs.public_queue import PublicQueue
from tools.security.rules.sqs.unencrypted_queue import UnencryptedQueue


def _id(a: SeedAccount, name: str) -> str:
    """The id of a resource this account's seed created under `name`."""
    return next(r.id for r in a.manifest.resources if r.account == a.id and r.name == name)


def _key_arn(a: SeedAccount, region: str, key_id: str) -> str:
    return f"arn:aws:kms:{region}:{a.id}:key/{key_id}"


def web_platform(a: SeedAccount, data_key: str, logs: str) -> None:
    """The primary region, to Acme's standard. The stages lack a client certificate only because
    moto's API Gateway cannot issue one."""
    p = a.primary
    vpc = _id(a, "acme-prod")
    public = [_id(a, "acme-prod-public-a"), _id(a, "acme-prod-public-c")]
    private = _id(a, "acme-prod-private-b")
    app_group = _id(a, "acme-app")
    certificate = apps.certificate(a, p, "shop.acme.example")
    regional_waf = apps.web_acl(a, p, "acme-prod-web")
    alb_dns = apps.load_balancer(
        a,
        p,
        "acme-web-alb",
        public,
        [_id(a, "acme-web-alb")],
        certificate_arn=certificate,
        access_logs_bucket=logs,
        web_acl_arn=regional_waf,
        vpc_id=vpc,
    )
    apps.distribution(
        a,
        "acme-shop-cdn",
        s3_origin="acme-static-cdn",
        custom_origin=alb_dns,
        certificate_arn=certificate,
        log_bucket=logs,
        web_acl_arn=apps.web_acl(a, p, "acme-prod-cdn", cloudfront=True),
    )
    stage = apps.rest_api(
        a,
        p,
        "acme-orders-api",
        "prod",
        cache_encrypted=True,
        authorizer_pool=f"{p}_AcmeShop1",
        web_acl_arn=regional_waf,
    )
    a.plant(ApiStageWithoutClientCertificate.id, stage, p, "no client certificate for the backend")

    role = identity.role(a, "acme-lambda-web", service="lambda.amazonaws.com")
    apps.function(
        a,
        p,
        "acme-image-resizer",
        role,
        "web",
        env={"BUCKET": "acme-prod-app-assets"},
        vpc=([private], [app_group]),
        url_auth="AWS_IAM",
        url_origins=("https://shop.acme.example",),
        invoke_from=("s3.amazonaws.com", "arn:aws:s3:::acme-prod-app-assets"),
    )
    webhook = apps.function(a, p, "acme-payments-webhook", role, "web", url_auth="NONE", url_origins=("*",))
    a.plant(LambdaPublicUrl.id, webhook, p, "function URL with AuthType NONE")
    a.plant(LambdaUrlCorsWildcard.id, webhook, p, 'CORS AllowOrigins "*"')
    a.plant(LambdaOutsideVpc.id, webhook, p, "no VPC configuration")

    eks_role = identity.role(a, "acme-eks-cluster", service="eks.amazonaws.com")
    data.cluster(
        a, p, "acme-prod-platform", eks_role, [public[0], private], secrets_key=_key_arn(a, p, data_key)
    )
    data.table(a, p, "acme-orders", "web", kms_key=_key_arn(a, p, data_key))
    data.cache(a, p, "acme-web-sessions", "web")
    data.file_system(a, p, "acme-shared-media", "web")
    data.queue(a, p, "acme-order-events", "web")
    data.secret(a, p, "acme/prod/orders-db", "data")
    data.repository(a, p, "acme/web-shop")


def marketing_site(a: SeedAccount) -> None:
    """The marketing site's distribution, set up years ago: plain HTTP allowed, TLSv1, no WAF,
    no logs, an origin reached over HTTP and a bucket origin anyone can bypass it for."""
    site = apps.distribution(
        a,
        "acme-marketing-site",
        s3_origin="acme-public-website",
        custom_origin="downloads.acme.example",
        origin_access_control=False,
        origin_https=False,
        viewer_https=False,
        root_object=None,
    )
    for cf_rule, note in (
        (CloudFrontAllowsHttp, "viewer protocol allow-all"),
        (CloudFrontDeprecatedTls, "default certificate (TLSv1), origin allows TLSv1"),
        (CloudFrontWithoutWaf, "no web ACL"),
        (CloudFrontS3WithoutOac, "bucket origin without origin access control"),
        (CloudFrontWithoutLogging, "standard logging off"),
        (CloudFrontWithoutDefaultRootObject, "no default root object"),
        (CloudFrontPlainOrigin, "downloads origin http-only"),
    ):
        a.plant(cf_rule.id, site, GLOBAL, note)


def eu_platform(a: SeedAccount, eu_logs: str) -> None:
    """The secondary region's legacy applications."""
    s = a.secondary
    vpc = _id(a, "acme-eu")
    public, private = _id(a, "acme-eu-public-a"), _id(a, "acme-eu-private-b")
    alb = "acme-eu-web-alb"
    apps.load_balancer(
        a,
        s,
        alb,
        [public, private],
        [_id(a, "acme-eu-web")],
        certificate_arn=f"arn:aws:iam::{a.id}:server-certificate/{LEGACY_CERTIFICATE}",
        tls_policy=apps.LEGACY_TLS,
        redirect_http=False,
        deletion_protection=False,
        drop_invalid_headers=False,
        desync_mode="monitor",
        vpc_id=vpc,
    )
    for elb_rule, note in (
        (LoadBalancerWithoutAccessLogs, "access logs off"),
        (LoadBalancerWithoutDeletionProtection, "deletion protection off"),
        (AlbKeepsInvalidHeaders, "invalid headers forwarded"),
        (AlbDesyncMitigation, "desync mitigation: monitor"),
        (HttpListenerWithoutRedirect, "HTTP :80 forwards to the targets"),
        (InsecureTlsPolicy, "ELBSecurityPolicy-2016-08 accepts TLS 1.0 (with the old IAM certificate)"),
        (AlbWithoutWaf, "no web ACL"),
    ):
        a.plant(elb_rule.id, alb, s, note)
    apps.load_balancer(
        a,
        s,
        "acme-eu-vpn-nlb",
        [private],
        [],
        kind="network",
        internal=True,
        access_logs_bucket=eu_logs,
        vpc_id=vpc,
    )
    a.plant(LoadBalancerSingleAz.id, "acme-eu-vpn-nlb", s, "one subnet, one Availability Zone")

    stage = apps.rest_api(
        a, s, "acme-eu-partner-api", "v1", logging=False, tracing=False, cache_encrypted=False
    )
    for api_rule, note in (
        (ApiStageWithoutLogging, "execution and access logging off"),
        (ApiStageWithoutTracing, "X-Ray tracing off"),
        (ApiCacheUnencrypted, "stage cache not encrypted"),
        (ApiWithoutAuthorizer, "no authoriser: anyone may call it"),
        (ApiStageWithoutWaf, "no web ACL"),
        (ApiStageWithoutClientCertificate, "no client certificate for the backend"),
    ):
        a.plant(api_rule.id, stage, s, note)

    role_name = "acme-eu-report-mailer"
    role = identity.role(a, role_name, service="lambda.amazonaws.com", source_condition=False)
    a.plant(
        RoleServiceTrustWithoutSource.id,
        role_name,
        GLOBAL,
        "trusts lambda.amazonaws.com without aws:SourceAccount",
    )
    mailer = apps.function(
        a,
        s,
        "acme-eu-report-mailer",
        role,
        "data",
        runtime="python3.7",
        env={"SMTP_HOST": "smtp.acme.example", "SMTP_PASSWORD": "sandbox-only-Pa55word"},
        invoke_from=("*", None),
    )
    for fn_rule, note in (
        (LambdaDeprecatedRuntime, "python3.7"),
        (LambdaSecretsInEnvironment, "SMTP_PASSWORD in plain text"),
        (LambdaOutsideVpc, "no VPC configuration"),
        (LambdaPublicPolicy, 'invoke permission for Principal "*"'),
    ):
        a.plant(fn_rule.id, mailer, s, note)

    eks_role = identity.role(a, "acme-eu-eks-cluster", service="eks.amazonaws.com")
    eks = data.cluster(
        a,
        s,
        "acme-eu-analytics",
        eks_role,
        [public, private],
        version="1.27",
        private_endpoint=False,
        log_types=["api"],
    )
    for eks_rule, note in (
        (EksPublicEndpoint, "API endpoint open to 0.0.0.0/0"),
        (EksWithoutPrivateEndpoint, "no private endpoint"),
        (EksWithoutSecretsEncryption, "no KMS envelope encryption"),
        (EksControlPlaneLogging, "only api logs"),
        (EksUnsupportedVersion, "Kubernetes 1.27"),
    ):
        a.plant(eks_rule.id, eks, s, note)
    sessions = data.table(a, s, "acme-eu-sessions", "web", pitr=False, deletion_protection=False)
    for table_rule, note in (
        (DynamoDbWithoutCmk, "AWS owned key"),
        (DynamoDbWithoutPitr, "point-in-time recovery off"),
        (DynamoDbWithoutDeletionProtection, "deletion protection off"),
    ):
        a.plant(table_rule.id, sessions, s, note)
    cache = data.cache(a, s, "acme-eu-cache", "web", hardened=False)
    for cache_rule, note in (
        (CacheWithoutTransitEncryption, "no TLS"),
        (CacheWithoutRestEncryption, "not encrypted at rest"),
        (CacheWithoutFailover, "single node"),
        (CacheNotMultiAz, "single node"),
        (CacheWithoutBackups, "no automatic backups"),
    ):
        a.plant(cache_rule.id, cache, s, note)
    scratch = data.file_system(
        a, s, "acme-eu-etl-scratch", "data", encrypted=False, one_zone=True, public_mount=True
    )
    for fs_rule, note in (
        (UnencryptedFileSystem, "not encrypted"),
        (OneZoneFileSystem, "One Zone storage"),
        (PublicFileSystemPolicy, "file system policy lets anyone mount it"),
    ):
        a.plant(fs_rule.id, scratch, s, note)
    anyone = apps.public_statement
    jobs = data.queue(
        a, s, "acme-eu-legacy-jobs", "data", encrypted=False, statement=anyone("sqs:SendMessage")
    )
    a.plant(UnencryptedQueue.id, jobs, s, "server-side encryption off")
    a.plant(PublicQueue.id, jobs, s, 'Principal "*" may send messages')
    data.topic(
        a, s, "acme-eu-order-notifications", kms_key=None, statement=anyone(["SNS:Publish", "SNS:Subscribe"])
    )
    a.plant(UnencryptedTopic.id, "acme-eu-order-notifications", s, "no KMS key")
    a.plant(PublicTopic.id, "acme-eu-order-notifications", s, 'Principal "*" may publish and subscribe')
    secret = data.secret(a, s, "acme/eu/reporting-db", "data", rotation_days=None, public=True)
    a.plant(SecretWithoutRotation.id, secret, s, "rotation never configured")
    a.plant(PublicSecretPolicy.id, secret, s, 'Principal "*" may read the value')
    repo = data.repository(a, s, "acme/eu-legacy-etl", hardened=False, public_pull=True)
    for repo_rule, note in (
        (EcrMutableTags, "tags can be overwritten"),
        (EcrWithoutScanOnPush, "scan on push off"),
        (EcrWithoutLifecyclePolicy, "no lifecycle policy"),
        (PublicEcrRepository, 'Principal "*" may pull'),
    ):
        a.plant(repo_rule.id, repo, s, note)
