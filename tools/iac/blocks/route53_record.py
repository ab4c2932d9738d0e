"""Route 53 record: an alias A (and AAAA for CloudFront) record for the load balancer or the
CloudFront distribution it points to, with target health evaluated; or, pointing at nothing in
the file, a CNAME to a target you set. The hosted zone is a variable: it usually exists already."""

from __future__ import annotations

import re
from typing import Any, ClassVar, Literal

from pydantic import Field

from tools.iac import yamlout
from tools.iac.blocks.base import BlockParams, BlockSpec, Scene, Unit, cfn, resource
from tools.iac.features import Features
from tools.iac.hcl import Block, ref

# CloudFront's fixed hosted zone for alias records.
CLOUDFRONT_ZONE = "Z2FDTNDATAQYW2"
HOST = r"\b((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,24})\b"


class RecordParams(BlockParams):
    name: str = Field(
        default="app.example.com", pattern=r"^(?:[a-z0-9*](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,24}$"
    )
    type: Literal["A", "AAAA", "CNAME"] = "A"
    ttl: int = Field(default=300, ge=1, le=604800)


class Route53Record(BlockSpec):
    kind: ClassVar[str] = "route53_record"
    title: ClassVar[str] = "Route 53 record"
    nouns: ClassVar[tuple[str, ...]] = (
        r"\broute\s?53(?:\s+(?:a\s+|aaaa\s+|cname\s+)?(?:alias\s+)?(?:dns\s+)?records?)?\b",
        r"\bdns\s+(?:alias\s+)?records?\b",
        r"\b(?:aaaa|cname)\s+(?:alias\s+)?records?\b",
        r"\balias\s+records?\b",
    )
    params_model: ClassVar[type[BlockParams]] = RecordParams
    tf_type: ClassVar[str] = "aws_route53_record"
    cfn_type: ClassVar[str] = "AWS::Route53::RecordSet"
    design: ClassVar[tuple[str, ...]] = (
        "DNS: an alias record for the load balancer or distribution (no IPs to keep in sync), target "
        "health evaluated; the hosted zone is passed in.",
    )
    links: ClassVar[frozenset[tuple[str, str]]] = frozenset({("front", "alb"), ("front", "cloudfront")})
    examples: ClassVar[tuple[str, ...]] = ("a route53 alias record api.example.com pointing to an alb",)

    def read(self, f: Features, text: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        hosts = [h for h in re.findall(HOST, text.lower()) if not re.match(r"^[a-z]\d+[a-z]*\.\w+$", h)]
        hosts = [h for h in hosts if "amazonaws" not in h and not h.startswith(("db.", "cache."))]
        if hosts:
            out["name"] = hosts[0]
        m = re.search(r"\b(aaaa|cname)\b", text, re.I)
        if m:
            out["type"] = m.group(1).upper()
        m = re.search(r"\bttl\s*(?:of|=|:)?\s*(\d{1,6})", text, re.I)
        if m:
            out["ttl"] = int(m.group(1))
        return out

    def notes(self, u: Unit, s: Scene) -> list[str]:
        notes = ["Set hosted_zone_id to the Route 53 hosted zone that holds the name."]
        target = self._target(u, s)
        if target is None:
            notes.append("Nothing in the file to point at: the record is a CNAME to record_target (set it).")
        elif u.params.type == "CNAME":
            notes.append(
                "An alias A record replaces the CNAME: it works at the zone apex and costs no queries."
            )
        return notes

    def _target(self, u: Unit, s: Scene) -> Unit | None:
        return next(iter(s.out_of(u, "front")), None)

    def _alias(self, target: Unit, s: Scene) -> tuple[Any, Any]:
        if s.fmt == "terraform":
            if target.kind == "alb":
                return ref(f"aws_lb.{target.label}.dns_name"), ref(f"aws_lb.{target.label}.zone_id")
            return (
                ref(f"aws_cloudfront_distribution.{target.label}.domain_name"),
                ref(f"aws_cloudfront_distribution.{target.label}.hosted_zone_id"),
            )
        if target.kind == "alb":
            return yamlout.get_att(target.lid, "DNSName"), yamlout.get_att(
                target.lid, "CanonicalHostedZoneID"
            )
        return yamlout.get_att(target.lid, "DomainName"), CLOUDFRONT_ZONE

    def _types(self, u: Unit, target: Unit) -> list[str]:
        return ["A", "AAAA"] if target.kind == "cloudfront" or u.params.type == "AAAA" else ["A"]

    def terraform(self, u: Unit, s: Scene) -> list[Block]:
        p: RecordParams = u.params
        zone = s.var("hosted_zone_id", "string", None, "Route 53 hosted zone holding the record.")
        target = self._target(u, s)
        if target is None:
            value = s.var("record_target", "string", None, f"What {p.name} points to (a DNS name).")
            return [
                resource(
                    "aws_route53_record",
                    u.label,
                    ("zone_id", zone),
                    ("name", p.name),
                    ("type", "CNAME"),
                    ("ttl", p.ttl),
                    ("records", [value]),
                )
            ]
        dns, zone_id = self._alias(target, s)
        blocks = []
        for kind in self._types(u, target):
            blocks.append(
                resource(
                    "aws_route53_record",
                    u.label if kind == "A" else f"{u.label}_{kind.lower()}",
                    ("zone_id", zone),
                    ("name", p.name),
                    ("type", kind),
                    Block(
                        "alias",
                        body=[
                            ("name", dns),
                            ("zone_id", zone_id),
                            ("evaluate_target_health", target.kind == "alb"),
                        ],
                    ),
                )
            )
        return blocks

    def cloudformation(self, u: Unit, s: Scene) -> dict[str, Any]:
        p: RecordParams = u.params
        zone = s.var(
            "hosted_zone_id",
            "string",
            None,
            "Route 53 hosted zone holding the record.",
            "AWS::Route53::HostedZone::Id",
        )
        target = self._target(u, s)
        if target is None:
            value = s.var("record_target", "string", None, f"What {p.name} points to (a DNS name).")
            return {
                u.lid: cfn(
                    "AWS::Route53::RecordSet",
                    {
                        "HostedZoneId": zone,
                        "Name": p.name,
                        "Type": "CNAME",
                        "TTL": str(p.ttl),
                        "ResourceRecords": [value],
                    },
                )
            }
        dns, zone_id = self._alias(target, s)
        out: dict[str, Any] = {}
        for kind in self._types(u, target):
            out[u.lid if kind == "A" else f"{u.lid}{kind}"] = cfn(
                "AWS::Route53::RecordSet",
                {
                    "HostedZoneId": zone,
                    "Name": p.name,
                    "Type": kind,
                    "AliasTarget": {
                        "DNSName": dns,
                        "HostedZoneId": zone_id,
                        "EvaluateTargetHealth": target.kind == "alb",
                    },
                },
            )
        return out
