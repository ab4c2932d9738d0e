"""Application building blocks: Lambda functions, API Gateway REST APIs, load balancers, WAF web
ACLs and CloudFront distributions.

Each takes the settings a scan checks as keywords, safe by default, so that the company modules
say only what they turn off.
"""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

from sandbox.manifest import GLOBAL
from sandbox.seeding.account import SeedAccount, policy

# TLS policies: current (TLS 1.2+) and the 2016 default that still accepts TLS 1.0 and 1.1.
MODERN_TLS = "ELBSecurityPolicy-TLS13-1-2-2021-06"
LEGACY_TLS = "ELBSecurityPolicy-2016-08"


def _code() -> bytes:
    """A tiny deployment package, byte-for-byte the same every time."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        info = zipfile.ZipInfo("app.py", date_time=(2024, 1, 1, 0, 0, 0))
        z.writestr(info, "def handler(event, context):\n    return {'statusCode': 200}\n")
    return buf.getvalue()


def function(
    a: SeedAccount,
    region: str,
    name: str,
    role_arn: str,
    team: str,
    *,
    runtime: str = "python3.12",
    env: dict[str, str] | None = None,
    vpc: tuple[list[str], list[str]] | None = None,
    url_auth: str | None = None,
    url_origins: tuple[str, ...] = (),
    invoke_from: tuple[str, str | None] | None = None,
) -> str:
    """A Lambda function. `vpc` is (subnets, security groups); `url_auth` ("AWS_IAM", "NONE")
    gives it a function URL allowing `url_origins`; `invoke_from` is (service principal, source
    ARN) allowed to invoke it, the source None to leave any caller of that service in."""
    lam = a.client("lambda", region)
    extra: dict[str, Any] = {}
    if vpc:
        extra["VpcConfig"] = {"SubnetIds": vpc[0], "SecurityGroupIds": vpc[1]}
    if env:
        extra["Environment"] = {"Variables": env}
    lam.create_function(
        FunctionName=name,
        Runtime=runtime,
        Role=role_arn,
        Handler="app.handler",
        Code={"ZipFile": _code()},
        Tags={"team": team, "owner": f"{team}@acme.example"},
        **extra,
    )
    if url_auth:
        lam.create_function_url_config(
            FunctionName=name, AuthType=url_auth, Cors={"AllowOrigins": list(url_origins)}
        )
    if invoke_from:
        principal, source = invoke_from
        condition = {"SourceArn": source, "SourceAccount": a.id} if source else {}
        lam.add_permission(
            FunctionName=name,
            StatementId="invoke",
            Action="lambda:InvokeFunction",
            Principal=principal,
            **condition,
        )
    return a.add("lambda_function", name, name, region)


def web_acl(a: SeedAccount, region: str, name: str, *, cloudfront: bool = False) -> str:
    """A WAFv2 web ACL with AWS's common rule set; returns its ARN."""
    acl = a.client("wafv2", region).create_web_acl(
        Name=name,
        Scope="CLOUDFRONT" if cloudfront else "REGIONAL",
        DefaultAction={"Allow": {}},
        VisibilityConfig={
            "SampledRequestsEnabled": True,
            "CloudWatchMetricsEnabled": True,
            "MetricName": name,
        },
    )["Summary"]["ARN"]
    return str(acl)


def certificate(a: SeedAccount, region: str, domain: str) -> str:
    """An ACM certificate (DNS-validated in real life); returns its ARN."""
    return str(
        a.client("acm", region).request_certificate(DomainName=domain, ValidationMethod="DNS")[
            "CertificateArn"
        ]
    )


def load_balancer(
    a: SeedAccount,
    region: str,
    name: str,
    subnets: list[str],
    groups: list[str],
    *,
    kind: str = "application",
    internal: bool = False,
    certificate_arn: str | None = None,
    tls_policy: str = MODERN_TLS,
    redirect_http: bool = True,
    access_logs_bucket: str | None = None,
    deletion_protection: bool = True,
    drop_invalid_headers: bool = True,
    desync_mode: str = "defensive",
    web_acl_arn: str | None = None,
    vpc_id: str = "",
) -> str:
    """An ALB (HTTP on 80 and, with a certificate, HTTPS on 443) or an NLB (TCP on 443)."""
    elb = a.client("elbv2", region)
    lb = elb.create_load_balancer(
        Name=name,
        Subnets=subnets,
        Scheme="internal" if internal else "internet-facing",
        Type=kind,
        **({"SecurityGroups": groups} if kind == "application" else {}),
    )["LoadBalancers"][0]
    arn = lb["LoadBalancerArn"]
    attributes = {"deletion_protection.enabled": str(deletion_protection).lower()}
    if access_logs_bucket:
        attributes |= {"access_logs.s3.enabled": "true", "access_logs.s3.bucket": access_logs_bucket}
    if kind == "application":
        attributes |= {
            "routing.http.drop_invalid_header_fields.enabled": str(drop_invalid_headers).lower(),
            "routing.http.desync_mitigation_mode": desync_mode,
        }
    elb.modify_load_balancer_attributes(
        LoadBalancerArn=arn, Attributes=[{"Key": k, "Value": v} for k, v in attributes.items()]
    )
    protocol = "HTTP" if kind == "application" else "TCP"
    group = elb.create_target_group(
        Name=f"{name}-targets", Protocol=protocol, Port=443 if kind != "application" else 8080, VpcId=vpc_id
    )["TargetGroups"][0]["TargetGroupArn"]
    forward = [{"Type": "forward", "TargetGroupArn": group}]
    if kind == "application":
        redirect = [
            {
                "Type": "redirect",
                "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"},
            }
        ]
        elb.create_listener(
            LoadBalancerArn=arn,
            Protocol="HTTP",
            Port=80,
            DefaultActions=redirect if redirect_http else forward,
        )
        if certificate_arn:
            elb.create_listener(
                LoadBalancerArn=arn,
                Protocol="HTTPS",
                Port=443,
                SslPolicy=tls_policy,
                Certificates=[{"CertificateArn": certificate_arn}],
                DefaultActions=forward,
            )
    else:
        elb.create_listener(LoadBalancerArn=arn, Protocol="TCP", Port=443, DefaultActions=forward)
    if web_acl_arn:
        a.client("wafv2", region).associate_web_acl(WebACLArn=web_acl_arn, ResourceArn=arn)
    a.add("load_balancer", name, name, region)
    return str(lb["DNSName"])


def rest_api(
    a: SeedAccount,
    region: str,
    name: str,
    stage: str,
    *,
    logging: bool = True,
    tracing: bool = True,
    cache_encrypted: bool | None = None,
    authorizer_pool: str | None = None,
    web_acl_arn: str | None = None,
) -> str:
    """A regional REST API with one mock GET method, deployed to `stage`; `cache_encrypted`
    None leaves the stage cache off. Returns the stage's inventory id."""
    gw = a.client("apigateway", region)
    api = gw.create_rest_api(name=name, endpointConfiguration={"types": ["REGIONAL"]})["id"]
    root = gw.get_resources(restApiId=api)["items"][0]["id"]
    gw.put_method(
        restApiId=api,
        resourceId=root,
        httpMethod="GET",
        authorizationType="COGNITO_USER_POOLS" if authorizer_pool else "NONE",
    )
    gw.put_integration(restApiId=api, resourceId=root, httpMethod="GET", type="MOCK")
    deployment = gw.create_deployment(restApiId=api)["id"]
    cache = {"cacheClusterEnabled": True, "cacheClusterSize": "0.5"} if cache_encrypted is not None else {}
    gw.create_stage(restApiId=api, stageName=stage, deploymentId=deployment, tracingEnabled=tracing, **cache)
    patches = []
    if logging:
        patches += [
            {"op": "replace", "path": "/*/*/logging/loglevel", "value": "ERROR"},
            {
                "op": "replace",
                "path": "/accessLogSettings/destinationArn",
                "value": f"arn:aws:logs:{region}:{a.id}:log-group:/acme/apigateway/{name}",
            },
        ]
    if cache_encrypted:
        patches.append({"op": "replace", "path": "/*/*/caching/dataEncrypted", "value": "true"})
    if patches:
        gw.update_stage(restApiId=api, stageName=stage, patchOperations=patches)
    if authorizer_pool:
        gw.create_authorizer(
            restApiId=api,
            name="cognito-users",
            type="COGNITO_USER_POOLS",
            providerARNs=[f"arn:aws:cognito-idp:{region}:{a.id}:userpool/{authorizer_pool}"],
            identitySource="method.request.header.Authorization",
        )
    if web_acl_arn:
        a.client("wafv2", region).associate_web_acl(
            WebACLArn=web_acl_arn, ResourceArn=f"arn:aws:apigateway:{region}::/restapis/{api}/stages/{stage}"
        )
    return a.add("api_gateway_stage", f"{api}/{stage}", f"{name}/{stage}", region)


def distribution(
    a: SeedAccount,
    name: str,
    *,
    s3_origin: str,
    custom_origin: str,
    origin_access_control: bool = True,
    origin_https: bool = True,
    viewer_https: bool = True,
    certificate_arn: str | None = None,
    log_bucket: str | None = None,
    web_acl_arn: str | None = None,
    root_object: str | None = "index.html",
) -> str:
    """A CloudFront distribution (`name` is its comment) serving an S3 bucket by default and a
    custom origin for /api/*. Without a certificate it uses CloudFront's own, whose minimum
    viewer protocol is TLSv1."""
    custom = {
        "HTTPPort": 80,
        "HTTPSPort": 443,
        "OriginProtocolPolicy": "https-only" if origin_https else "http-only",
        "OriginSslProtocols": {"Quantity": 1, "Items": ["TLSv1.2"]}
        if origin_https
        else {"Quantity": 3, "Items": ["TLSv1", "TLSv1.1", "TLSv1.2"]},
    }
    s3: dict[str, Any] = {
        "Id": "s3-content",
        "DomainName": f"{s3_origin}.s3.amazonaws.com",
        "S3OriginConfig": {"OriginAccessIdentity": ""},
    }
    if origin_access_control:
        s3["OriginAccessControlId"] = "E2QWRUHAPOMQZL"
    viewer = "redirect-to-https" if viewer_https else "allow-all"
    config: dict[str, Any] = {
        "CallerReference": name,
        "Comment": name,
        "Enabled": True,
        "Origins": {
            "Quantity": 2,
            "Items": [s3, {"Id": "api", "DomainName": custom_origin, "CustomOriginConfig": custom}],
        },
        "DefaultCacheBehavior": {
            "TargetOriginId": "s3-content",
            "ViewerProtocolPolicy": viewer,
            "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6",
        },
        "CacheBehaviors": {
            "Quantity": 1,
            "Items": [
                {
                    "PathPattern": "/api/*",
                    "TargetOriginId": "api",
                    "ViewerProtocolPolicy": viewer,
                    "CachePolicyId": "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
                }
            ],
        },
        "ViewerCertificate": {
            "ACMCertificateArn": certificate_arn,
            "SSLSupportMethod": "sni-only",
            "MinimumProtocolVersion": "TLSv1.2_2021",
        }
        if certificate_arn
        else {"CloudFrontDefaultCertificate": True, "MinimumProtocolVersion": "TLSv1"},
    }
    if root_object:
        config["DefaultRootObject"] = root_object
    if log_bucket:
        config["Logging"] = {
            "Enabled": True,
            "IncludeCookies": False,
            "Bucket": f"{log_bucket}.s3.amazonaws.com",
            "Prefix": f"cloudfront/{name}/",
        }
    if web_acl_arn:
        config["WebACLId"] = web_acl_arn
    dist = a.client("cloudfront", "us-east-1").create_distribution(DistributionConfig=config)["Distribution"]
    return a.add("cloudfront_distribution", dist["Id"], name, GLOBAL)


def public_statement(action: str | list[str], resource: str = "*") -> dict[str, Any]:
    """A resource-policy statement letting anyone call `action`."""
    return {"Sid": "Anyone", "Effect": "Allow", "Principal": "*", "Action": action, "Resource": resource}


def resource_policy(*statements: dict[str, Any]) -> str:
    return json.dumps(policy(*statements))
