"""Tool arguments from an Extraction, one builder per read-only tool (routes.py pairs them with tools).

A builder returns the argument sets the message asks for (one per service/region/severity
variant), containing only what the message mentions so each tool's own defaults apply; or a
string: an answer explaining why the request cannot become a call.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from itertools import product
from typing import Any

from agent.planner.extract import Extraction
from agent.planner.understand import Unmatched, clarify_unmatched
from agent.planner.vocab import RESOURCE_LABELS, SCAN_LABELS
from tools.base import UserFacingError
from tools.cost.periods import comparison_period, resolve_period

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


def _unmatched(ex: Extraction, kinds: tuple[str, ...] = ("region", "provider")) -> str | None:
    """The clarifying answer when a filter word matched nothing (None when all matched)."""
    items: list[Unmatched] = [u for u in ex.unmatched if u.kind in kinds]
    return clarify_unmatched(items) if items else None


def _aws_only(ex: Extraction, what: str) -> str | None:
    """An answer for a tool that only sees AWS when the message names another provider."""
    others = [p for p in ex.providers if p != "AWS"]
    if not others:
        return None
    return (
        f"{what} cover AWS only, so I can't answer that for {', '.join(others)}. "
        f"For {_said(others[0])} costs, ask e.g. 'how much did we spend on {_said(others[0])} last month?'."
    )


def _said(provider: str) -> str:
    return {"Microsoft": "Azure", "Google Cloud": "GCP", "Oracle": "OCI"}.get(provider, provider)


COMMITMENTS_ANSWER = (
    "I can't isolate savings plan or reserved instance savings: the cost data I query has no "
    "commitment-discount columns, so cost_query cannot filter by them. What I can show instead: the "
    "effective cost (commitments amortised, discounts applied) against the list cost, e.g. "
    "'effective cost last month' and 'list cost last month' (the difference is what discounts saved), "
    "or savings opportunities ('where can we save money?')."
)


def cost_args(ex: Extraction) -> Variants:
    if ex.commitments and not ex.cost_type:
        return COMMITMENTS_ANSWER
    unclear = _unmatched(ex, ("region", "provider", "service"))
    if unclear:
        return unclear
    base: Args = {}
    if ex.period:
        base["period"] = ex.period
    if ex.account:
        base["account"] = ex.account
    if ex.tags:
        base["tags"] = dict(ex.tags)
    if ex.group_by:
        base["group_by"] = ex.group_by
    elif ex.missing_tag:
        # "cost with no owner tag": the breakdown by that tag shows the untagged spend.
        base["group_by"] = f"tag:{ex.missing_tag}"
    if ex.count:
        base["top"] = ex.count
    if ex.compare_to:
        base["compare_to"] = ex.compare_to
    names = [s.cost for s in ex.services if s.cost] + ex.service_terms
    services: list[Args] = [{"service": name} for name in dict.fromkeys(names)]
    providers: list[Args] = [{"provider": p} for p in ex.providers]
    cost_types: list[Args] = [{"cost_type": t} for t in ex.cost_types]
    return _cross([base], cost_types or [{}], services or [{}], providers or [{}], _region_axis(ex))


def inventory_args(ex: Extraction) -> Variants:
    refused = _unmatched(ex) or _aws_only(ex, "The resource inventory and security scans")
    if refused:
        return refused
    if ex.missing_tag is not None:
        tag = f"the '{ex.missing_tag}' tag" if ex.missing_tag else "tags"
        return (
            f"I can't list resources that lack {tag}: the inventory filters by type, region and id "
            "only, and listing everything would not answer the question. Each listed resource shows "
            "its tags ('list EC2 instances'); for spend, 'cost by "
            f"{ex.missing_tag or 'owner'} tag last month' shows the untagged part."
        )
    targets: list[Args] = []
    for ref in ex.resources:
        target: Args = {"resource_id": ref.value}
        if ref.kind:
            target["resource_type"] = ref.kind
        targets.append(target)
    if not targets:
        targets = [{"resource_type": t} for t in dict.fromkeys(s.resource_type for s in ex.services) if t]
    if not targets and (ex.services or ex.service_terms):
        names = ", ".join([s.cost or s.key for s in ex.services] + ex.service_terms)
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
    refused = _unmatched(ex) or _aws_only(ex, "Security scans")
    if refused:
        return refused
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


def _no_provider_filter(ex: Extraction, what: str) -> str | None:
    if not ex.providers:
        return None
    return (
        f"{what} can't be limited to {', '.join(ex.providers)} yet; they cover all the cost data. "
        "'cost by provider last month' splits the spend by provider."
    )


def anomaly_args(ex: Extraction) -> Variants:
    refused = _unmatched(ex) or _no_provider_filter(ex, "Spike checks")
    if refused:
        return refused
    args = _filters(ex)
    if ex.period:
        args["period"] = ex.period
    if ex.group_by == "account" or re.search(r"\b(?:which|what|per|by|each)\s+accounts?\b", ex.lower):
        args["group_by"] = "account"
    return [args]


def forecast_args(ex: Extraction) -> Variants:
    refused = _unmatched(ex) or _no_provider_filter(ex, "Forecasts")
    if refused:
        return refused
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
    refused = _unmatched(ex) or _aws_only(ex, "Savings checks")
    if refused:
        return refused
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
    COST: {"service", "region", "account", "group_by", "top", "provider", "compare_to"},
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


def _one_before(period: str, now: datetime) -> str | None:
    try:
        current = resolve_period(period, now)
        before = comparison_period(current, "previous_period", now)
    except (ValueError, UserFacingError):
        return None
    last = before.end - timedelta(days=1)
    whole_month = before.start.day == 1 and before.end.day == 1 and last.month == before.start.month
    return f"{before.start:%Y-%m}" if whole_month else f"{before.start.isoformat()}..{last.isoformat()}"


def step_back(args: Args, now: datetime) -> Args:
    """The arguments with their period moved one period earlier ("and the month before?")."""
    period = _one_before(str(args.get("period") or "last_month"), now)
    if period is None:
        return args
    stepped = {**args, "period": period}
    compare_to = args.get("compare_to")
    if compare_to and not str(compare_to).startswith("previous_"):
        # An explicit baseline moves with it: "September vs August", then "and the month before?".
        stepped["compare_to"] = _one_before(str(compare_to), now) or compare_to
    return stepped


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
