"""CloudFront distribution: in front of a private S3 bucket through Origin Access Control (the
bucket stays private; its policy lets only this distribution read) or of a load balancer over
HTTPS; HTTPS only for viewers with TLS 1.2+ on your certificate, the managed security-headers
policy, compression, and the WAF web ACL when one is attached."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from pydantic import Field

from tools.iac import yamlout
from tools.iac.blocks.base import BlockParams, BlockSpec, Relation, Scene, Unit, cfn, named, resource
from tools.iac.features import Features
from tools.iac.hcl import Block, Comment, ref

# AWS-managed CloudFront policies (same ids in every account).
CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
ALL_VIEWER_EXCEPT_HOST = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
SECURITY_HEADERS = "67f7725c-6f97-4210-82d7-5512b31e9d03"
VIEWER_TLS = "TLSv1.2_2021"
# Why an application origin has no default root object (checkov's CKV_AWS_305).
APP_ROOT = "the origin is an application, which answers / itself"
HOST = r"\b((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:com|io|net|org|dev|app|cloud|co|uk|de|fr))\b"


class CloudFrontParams(BlockParams):
    name: str = Field(default="site", pattern=r"^[A-Za-z0-9][A-Za-z0-9-]{0,62}$")
    domain: str | None = Field(default=None, pattern=r"^[a-z0-9.-]{3,253}$")
    certificate_arn: str | None = Field(
        default=None, pattern=r"^arn:aws[\w-]*:acm:us-east-1:\d{12}:certificate/[A-Za-z0-9-]+$"
    )
    price_class: str = Field(default="PriceClass_100", pattern=r"^PriceClass_(?:100|200|All)$")


class CloudFront(BlockSpec):
    kind: ClassVar[str] = "cloudfront"
    title: ClassVar[str] = "CloudFront distribution"
    nouns: ClassVar[tuple[str, ...]] = (
        r"\bcloud\s?front(?:\s+distributions?)?\b",
        r"\bcdn\b",
    )
    params_model: ClassVar[type[BlockParams]] = CloudFrontParams
    tf_type: ClassVar[str] = "aws_cloudfront_distribution"
    cfn_type: ClassVar[str] = "AWS::CloudFront::Distribution"
    design: ClassVar[tuple[str, ...]] = (
        "CDN: the bucket stays private behind Origin Access Control, HTTPS only with TLS 1.2+ on your "
        "certificate, managed security headers.",
    )
    links: ClassVar[frozenset[tuple[str, str]]] = frozenset({("front", "s3_bucket"), ("front", "alb")})
    # With no origin named, it serves a new private bucket.
    requires: ClassVar[tuple[tuple[Relation, str], ...]] = (("front", "s3_bucket"),)
    examples: ClassVar[tuple[str, ...]] = (
        "a cloudfront distribution in front of a private s3 bucket",
        "cloudfront in front of an alb in front of an autoscaling group",
    )

    def read(self, f: Features, text: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        name = named(f, text, "distribution")
        if name and "." not in name:
            out["name"] = name
        hosts = [h for h in re.findall(HOST, f.lower) if not h.endswith(("amazonaws.com", "example.com"))]
        hosts += [h for h in re.findall(HOST, f.lower) if h.endswith("example.com")]
        if hosts:
            out["domain"] = hosts[0]
        m = re.search(r"arn:aws[\w-]*:acm:us-east-1:\d{12}:certificate/[A-Za-z0-9-]+", f.text)
        if m:
            out["certificate_arn"] = m.group(0)
        if re.search(r"\ball\s+(?:edge\s+)?locations\b|\bglobal(?:ly)?\b|\bpriceclass_all\b", text, re.I):
            out["price_class"] = "PriceClass_All"
        return out

    def notes(self, u: Unit, s: Scene) -> list[str]:
        p: CloudFrontParams = u.params
        notes = []
        if p.certificate_arn is None or p.domain is None:
            notes.append(
                "Set domain_name and certificate_arn (an ACM certificate in us-east-1 covering it): "
                "viewers get TLS 1.2+ only on your own certificate."
            )
        return notes

    def origin(self, u: Unit, s: Scene) -> Unit | None:
        return next(iter(s.out_of(u, "front")), None)

    def arn(self, u: Unit, s: Scene) -> Any:
        if s.fmt == "terraform":
            return ref(f"aws_cloudfront_distribution.{u.label}.arn")
        return yamlout.sub(
            f"arn:${{AWS::Partition}}:cloudfront::${{AWS::AccountId}}:distribution/${{{u.lid}}}"
        )

    def bucket_statements(self, u: Unit, bucket: Unit, s: Scene) -> list[dict[str, Any]]:
        objects = bucket.block.resource_arns(bucket, s, "read")[1]
        return [
            {
                "Sid": f"CloudFrontReads{u.lid}",
                "Effect": "Allow",
                "Principal": {"Service": "cloudfront.amazonaws.com"},
                "Action": "s3:GetObject",
                "Resource": objects,
                "Condition": {"StringEquals": {"AWS:SourceArn": self.arn(u, s)}},
            }
        ]

    def _waf(self, u: Unit, s: Scene) -> Unit | None:
        return next((w for w in s.into(u, "attach") if w.kind == "waf"), None)

    def _viewer(self, u: Unit, s: Scene) -> tuple[Any, Any]:
        p: CloudFrontParams = u.params
        domain = s.var(
            "domain_name", "string", p.domain, "Domain the distribution serves (e.g. www.example.com)."
        )
        cert = s.var(
            "cloudfront_certificate_arn",
            "string",
            p.certificate_arn,
            "ACM certificate in us-east-1 for domain_name.",
        )
        return domain, cert

    # -- Terraform ---------------------------------------------------------------------------
    def terraform(self, u: Unit, s: Scene) -> list[Block]:
        p: CloudFrontParams = u.params
        origin = self.origin(u, s)
        domain, cert = self._viewer(u, s)
        blocks: list[Block] = []
        body: list[Any] = [
            ("enabled", True),
            ("is_ipv6_enabled", True),
            ("comment", p.name),
            ("http_version", "http2and3"),
            ("price_class", p.price_class),
            ("aliases", [domain]),
        ]
        behaviour: list[Any]
        if origin is not None and origin.kind == "alb":
            body.insert(0, Comment(f"checkov:skip=CKV_AWS_305:{APP_ROOT}"))
            body.append(
                Block(
                    "origin",
                    body=[
                        ("origin_id", origin.label),
                        ("domain_name", ref(f"aws_lb.{origin.label}.dns_name")),
                        Block(
                            "custom_origin_config",
                            body=[
                                ("http_port", 80),
                                ("https_port", 443),
                                ("origin_protocol_policy", "https-only"),
                                ("origin_ssl_protocols", ["TLSv1.2"]),
                            ],
                        ),
                    ],
                )
            )
            behaviour = [
                ("target_origin_id", origin.label),
                ("allowed_methods", ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"]),
                ("cached_methods", ["GET", "HEAD"]),
                ("cache_policy_id", CACHING_DISABLED),
                ("origin_request_policy_id", ALL_VIEWER_EXCEPT_HOST),
            ]
        else:
            bucket = origin.label if origin is not None else u.label
            s.key_arn("cloudfront.amazonaws.com", "CloudFront")
            blocks.append(
                resource(
                    "aws_cloudfront_origin_access_control",
                    u.label,
                    ("name", f"{p.name}-oac"),
                    ("description", f"CloudFront {p.name} reads the private bucket"),
                    ("origin_access_control_origin_type", "s3"),
                    ("signing_behavior", "always"),
                    ("signing_protocol", "sigv4"),
                )
            )
            body.insert(4, ("default_root_object", "index.html"))
            body.append(
                Block(
                    "origin",
                    body=[
                        ("origin_id", bucket),
                        ("domain_name", ref(f"aws_s3_bucket.{bucket}.bucket_regional_domain_name")),
                        (
                            "origin_access_control_id",
                            ref(f"aws_cloudfront_origin_access_control.{u.label}.id"),
                        ),
                    ],
                )
            )
            behaviour = [
                ("target_origin_id", bucket),
                ("allowed_methods", ["GET", "HEAD"]),
                ("cached_methods", ["GET", "HEAD"]),
                ("cache_policy_id", CACHING_OPTIMIZED),
            ]
        behaviour += [
            ("viewer_protocol_policy", "redirect-to-https"),
            ("compress", True),
            ("response_headers_policy_id", SECURITY_HEADERS),
        ]
        body.append(Block("default_cache_behavior", body=behaviour))
        body.append(
            Block("restrictions", body=[Block("geo_restriction", body=[("restriction_type", "none")])])
        )
        body.append(
            Block(
                "viewer_certificate",
                body=[
                    ("acm_certificate_arn", cert),
                    ("ssl_support_method", "sni-only"),
                    ("minimum_protocol_version", VIEWER_TLS),
                ],
            )
        )
        waf = self._waf(u, s)
        if waf is not None:
            body.append(("web_acl_id", ref(f"aws_wafv2_web_acl.{waf.label}.arn")))
        blocks.append(resource("aws_cloudfront_distribution", u.label, *body))
        s.output(
            f"{u.label}_domain_name",
            ref(f"aws_cloudfront_distribution.{u.label}.domain_name"),
            "CloudFront domain name (point your DNS record at it).",
        )
        return blocks

    # -- CloudFormation ----------------------------------------------------------------------
    def cloudformation(self, u: Unit, s: Scene) -> dict[str, Any]:
        p: CloudFrontParams = u.params
        origin = self.origin(u, s)
        domain, cert = self._viewer(u, s)
        out: dict[str, Any] = {}
        config: dict[str, Any] = {
            "Enabled": True,
            "IPV6Enabled": True,
            "Comment": p.name,
            "HttpVersion": "http2and3",
            "PriceClass": p.price_class,
            "Aliases": [domain],
        }
        if origin is not None and origin.kind == "alb":
            config["Origins"] = [
                {
                    "Id": origin.lid,
                    "DomainName": yamlout.get_att(origin.lid, "DNSName"),
                    "CustomOriginConfig": {
                        "OriginProtocolPolicy": "https-only",
                        "OriginSSLProtocols": ["TLSv1.2"],
                    },
                }
            ]
            behaviour: dict[str, Any] = {
                "TargetOriginId": origin.lid,
                "AllowedMethods": ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"],
                "CachedMethods": ["GET", "HEAD"],
                "CachePolicyId": CACHING_DISABLED,
                "OriginRequestPolicyId": ALL_VIEWER_EXCEPT_HOST,
            }
        else:
            bucket = origin.lid if origin is not None else u.lid
            s.key_arn("cloudfront.amazonaws.com", "CloudFront")
            out[f"{u.lid}Oac"] = cfn(
                "AWS::CloudFront::OriginAccessControl",
                {
                    "OriginAccessControlConfig": {
                        "Name": f"{p.name}-oac",
                        "Description": f"CloudFront {p.name} reads the private bucket",
                        "OriginAccessControlOriginType": "s3",
                        "SigningBehavior": "always",
                        "SigningProtocol": "sigv4",
                    }
                },
            )
            config["DefaultRootObject"] = "index.html"
            config["Origins"] = [
                {
                    "Id": bucket,
                    "DomainName": yamlout.get_att(bucket, "RegionalDomainName"),
                    "S3OriginConfig": {"OriginAccessIdentity": ""},
                    "OriginAccessControlId": yamlout.get_att(f"{u.lid}Oac", "Id"),
                }
            ]
            behaviour = {
                "TargetOriginId": bucket,
                "AllowedMethods": ["GET", "HEAD"],
                "CachedMethods": ["GET", "HEAD"],
                "CachePolicyId": CACHING_OPTIMIZED,
            }
        behaviour.update(
            {
                "ViewerProtocolPolicy": "redirect-to-https",
                "Compress": True,
                "ResponseHeadersPolicyId": SECURITY_HEADERS,
            }
        )
        config["DefaultCacheBehavior"] = behaviour
        config["Restrictions"] = {"GeoRestriction": {"RestrictionType": "none"}}
        config["ViewerCertificate"] = {
            "AcmCertificateArn": cert,
            "SslSupportMethod": "sni-only",
            "MinimumProtocolVersion": VIEWER_TLS,
        }
        waf = self._waf(u, s)
        if waf is not None:
            config["WebACLId"] = yamlout.get_att(waf.lid, "Arn")
        skip = {"checkov": {"skip": [{"id": "CKV_AWS_305", "comment": APP_ROOT}]}}
        out[u.lid] = cfn(
            "AWS::CloudFront::Distribution",
            {"DistributionConfig": config},
            **({"Metadata": skip} if origin is not None and origin.kind == "alb" else {}),
        )
        s.output(
            f"{u.label}_domain_name",
            yamlout.get_att(u.lid, "DomainName"),
            "CloudFront domain name (point your DNS record at it).",
        )
        return out
