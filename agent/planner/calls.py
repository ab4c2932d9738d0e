"""Tool arguments from an Extraction, one builder per read-only tool (routes.py pairs them with tools).

A builder returns the argument sets the message asks for (one per service/region/severity
variant), containing only what the message mentions so each tool's own defaults apply; or a
string: an answer explaining why the request cannot become a call.
"""

from __future__ import annotations

import re
from itertools import product
from typing import Any

from agent.planner.extract import Extraction
from agent.planner.vocab import RESOURCE_LABELS, SCAN_LABELS

Args = dict[str, Any]
Variants = list[Args] | str

COST = "cost_query"
INVENTORY = "describe_resources"
SCAN = "security_scan"
FINDINGS = "list_findings"
KNOWLEDGE = "search_knowledge"
REMEDIATE = "remediate"
SCORE = "security_score"
CHANGES = "scan_changes"
SUPPRESS = "suppress_finding"
UNSUPPRESS = "unsuppress_finding"
IAC = "generate_iac"
ANOMALIES = "cost_anomalies"
FORECAST = "cost_forecast"
SAVINGS = "savings_opportunities"

# One message never fans out into more calls than this.
MAX_CALLS = 6

# Scan topics that imply a service without naming it.
_TOPICS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\b(?:open\s+ports?|ports?|ingress|inbound|ssh|rdp|world[\s-]open)\b", re.I), "ec2"),
    (re.compile(r"\b(?:mfa|root\s+account|password\s+policy)\b", re.I), "iam"),
)


def _cross(*axes: list[Args]) -> list[Args]:
    combos = [dict(pair for part in combo for pair in part.items()) for combo in product(*axes)]
    return combos[:MAX_CALLS]


def _region_axis(ex: Extraction, key: str = "region") -> list[Args]:
    if ex.all_regions:
        return [{key: None}]
    return [{key: r} for r in ex.regions] or [{}]


def cost_args(ex: Extraction) -> Variants:
    base: Args = {}
    if ex.period:
        base["period"] = ex.period
    if ex.account:
        base["account"] = ex.account
    if ex.tags:
        base["tags"] = dict(ex.tags)
    if ex.group_by:
        base["group_by"] = ex.group_by
    if ex.count:
        base["top"] = ex.count
    services: list[Args] = [{"service": s.cost} for s in ex.services if s.cost]
    return _cross([base], services or [{}], _region_axis(ex))


def inventory_args(ex: Extraction) -> Variants:
    targets: list[Args] = []
    for ref in ex.resources:
        target: Args = {"resource_id": ref.value}
        if ref.kind:
            target["resource_type"] = ref.kind
        targets.append(target)
    if not targets:
        targets = [{"resource_type": t} for t in dict.fromkeys(s.resource_type for s in ex.services) if t]
    if not targets and ex.services:
        names = ", ".join(s.cost or s.key for s in ex.services)
        kinds = ", ".join(RESOURCE_LABELS.values())
        return f"I can't list {names} resources yet. The inventory covers {kinds}."
    base: Args = {"limit": ex.count} if ex.count else {}
    return _cross([base], targets or [{}], _region_axis(ex))


def scan_services(ex: Extraction) -> list[str]:
    services = [s.scan for s in ex.services if s.scan]
    services += [kind for kind in (_scan_kind(r.kind) for r in ex.resources) if kind]
    if ex.ports:
        services.append("ec2")
    services += [service for pattern, service in _TOPICS if pattern.search(ex.lower)]
    return list(dict.fromkeys(services))


def _scan_kind(resource_type: str | None) -> str | None:
    return {
        "security_group": "ec2",
        "ec2_instance": "ec2",
        "s3_bucket": "s3",
        "iam_user": "iam",
        "rds_instance": "rds",
        "ebs_volume": "ebs",
    }.get(resource_type or "")


def scan_args(ex: Extraction) -> Variants:
    services = scan_services(ex)
    if ex.services and not services:
        names = ", ".join(s.cost or s.key for s in ex.services)
        return f"Security scans don't cover {names} yet; they check {', '.join(SCAN_LABELS.values())}."
    args: Args = {}
    if services:
        args["services"] = services
    if ex.all_regions:
        args["regions"] = []
    elif ex.regions:
        args["regions"] = list(ex.regions)
    if ex.resources:
        args["resource_id"] = ex.resources[0].value
    return [args]


def findings_args(ex: Extraction) -> Variants:
    base: Args = {}
    if ex.status_given:
        base["status"] = ex.status
    if ex.count:
        base["limit"] = ex.count
    if ex.resources:
        base["resource_id"] = ex.resources[0].value
    services: list[Args] = [{"service": s.scan or s.key} for s in ex.services]
    severities: list[Args] = [{"severity": s} for s in ex.severities]
    return _cross([base], severities or [{}], services or [{}])


def knowledge_args(ex: Extraction) -> Variants:
    query = re.sub(r"\s+", " ", ex.original).strip().rstrip("?!. ")
    return [{"query": query}] if query else "What would you like me to look up in the runbooks?"


def _filters(ex: Extraction) -> Args:
    args: Args = {}
    services = [s.cost for s in ex.services if s.cost]
    if services:
        args["service"] = services[0]
    if ex.account:
        args["account"] = ex.account
    if ex.regions and not ex.all_regions:
        args["region"] = ex.regions[0]
    return args


def anomaly_args(ex: Extraction) -> Variants:
    args = _filters(ex)
    if ex.period:
        args["period"] = ex.period
    if ex.group_by == "account" or re.search(r"\b(?:which|what|per|by|each)\s+accounts?\b", ex.lower):
        args["group_by"] = "account"
    return [args]


def forecast_args(ex: Extraction) -> Variants:
    args = _filters(ex)
    text = ex.original.lower()
    days = re.search(r"\bnext\s+(\d{1,3})\s+days?\b", text)
    if days:
        args["target"], args["days"] = "days", int(days.group(1))
    elif re.search(r"\bnext\s+(?:week)\b", text):
        args["target"], args["days"] = "days", 7
    elif re.search(r"\bnext\s+month\b", text):
        args["target"] = "next_month"
    if ex.group_by in ("service", "account"):
        args["group_by"] = ex.group_by
    return [args]


_SAVINGS_KINDS: tuple[tuple[str, str], ...] = (
    (r"\bidle\b|\bunderused\b|\bunused\s+(?:\S+\s+)?(?:instances?|servers?|vms?)\b", "idle_instance"),
    (r"\bunattached\b|\bunused\s+(?:\S+\s+)?volumes?\b|\borphan(?:ed)?\s+volumes?\b", "unattached_volume"),
    (r"\belastic\s+ips?\b|\beips?\b|\bip\s+addresses\b|\bunassociated\b", "unassociated_address"),
    (r"\bsnapshots?\b", "old_snapshot"),
    (r"\bgp2\b|\bgp3\b", "gp2_volume"),
)


def savings_args(ex: Extraction) -> Variants:
    args: Args = {}
    kinds = [kind for pattern, kind in _SAVINGS_KINDS if re.search(pattern, ex.original, re.I)]
    if kinds:
        args["kinds"] = list(dict.fromkeys(kinds))
    if ex.regions and not ex.all_regions:
        args["regions"] = list(ex.regions)
    return [args]


def iac_args(ex: Extraction) -> Variants:
    # The tool reads names, sizes and the format from the request itself.
    request = re.sub(r"\s+", " ", ex.original).strip()
    return [{"request": request}] if request else "What infrastructure should I write code for?"


_FRAMEWORK = re.compile(r"\b(cis|pci(?:[\s-]?dss)?|soc\s?2|fsbp|foundational)\b", re.I)


def score_args(ex: Extraction) -> Variants:
    m = _FRAMEWORK.search(ex.original)
    return [{"framework": re.sub(r"[\s-]", "", m.group(1).lower())}] if m else [{}]


def changes_args(ex: Extraction) -> Variants:
    m = re.search(r"\bscan-[0-9a-f]{6,}\b", ex.original)
    return [{"since_scan_id": m.group(0)}] if m else [{}]


# Arguments whose None is the tool's default, so a None can be left out of the call.
_NONE_IS_DEFAULT = {
    IAC: {"format", "template"},
    ANOMALIES: {"service", "account", "region"},
    FORECAST: {"service", "account", "region", "group_by"},
    COST: {"service", "region", "account", "group_by", "top"},
    INVENTORY: {"resource_type", "region", "resource_id"},
    SCAN: {"resource_id"},
    FINDINGS: {"severity", "service", "resource_id"},
    KNOWLEDGE: {"source"},
    SCORE: {"framework"},
    CHANGES: {"since_scan_id", "account"},
}


def tidy(tool: str, args: Args) -> Args:
    """Drop arguments that only restate the tool's default of None."""
    defaults = _NONE_IS_DEFAULT.get(tool, set())
    return {k: v for k, v in args.items() if not (v is None and k in defaults)}


def merge(tool: str, previous: Args, change: Args, follow_up_text: str) -> Args:
    """The previous call's arguments with what a follow-up message changes."""
    merged = {**previous, **change}
    if tool == INVENTORY and "resource_type" in change and "resource_id" not in change:
        merged.pop("resource_id", None)
    if tool == INVENTORY and "resource_id" in change and "resource_type" not in change:
        merged.pop("resource_type", None)
    if tool == SCAN and "services" in change and "resource_id" not in change:
        merged.pop("resource_id", None)
    if tool == IAC:
        # A follow-up ("now as CloudFormation", "with 5 replicas") refines the previous request.
        merged["request"] = f"{previous.get('request', '')} {follow_up_text.strip()}".strip()
    if tool == KNOWLEDGE:
        extra = re.sub(
            r"^\s*(?:and|what\s+about|how\s+about|same\s+for|also)\b\s*", "", follow_up_text, flags=re.I
        ).rstrip("?!. ")
        merged["query"] = f"{previous.get('query', '')} {extra}".strip()
    return tidy(tool, merged)
