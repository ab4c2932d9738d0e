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
from agent.planner.vocab import NUMBER_WORDS, RESOURCE_LABELS, SCAN_LABELS
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
    if ex.charge_category and ex.group_by != "charge_category":
        base["charge_category"] = ex.charge_category
    names = [s.cost for s in ex.services if s.cost] + ex.service_terms
    services: list[Args] = [{"service": name} for name in dict.fromkeys(names)]
    providers: list[Args] = [{"provider": p} for p in ex.providers]
    cost_types: list[Args] = [{"cost_type": t} for t in ex.cost_types]
    # A named resource ("how much did i-0abc… cost") is a filter on that resource.
    resources: list[Args] = [{"resource": r.value} for r in ex.resources]
    return _cross(
        [base], cost_types or [{}], services or [{}], providers or [{}], resources or [{}], _region_axis(ex)
    )


_VPC_QUALIFIER = re.compile(r"\bvpcs?\s+(?:security\s+groups?|subnets?|network\s+acls?|nacls?)\b", re.I)


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
        asked = [t for t in dict.fromkeys(s.resource_type for s in ex.services) if t]
        if len(asked) > 1 and _VPC_QUALIFIER.search(ex.original):
            asked.remove("vpc")  # "vpc security groups": the VPC says which groups, it is not asked for
        targets = [{"resource_type": t} for t in asked]
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


_FINDING_ID = re.compile(r"\bf-[0-9a-f]{16}\b", re.IGNORECASE)


def findings_args(ex: Extraction) -> Variants:
    refused = _unmatched(ex) or _aws_only(ex, "Security findings")
    if refused:
        return refused
    if ex.account or ex.regions:
        # list_findings has no account or region filter: say so rather than list everything.
        what, where = (
            ("account", f"account {ex.account}") if ex.account else ("region", ", ".join(ex.regions))
        )
        scan = "" if ex.account else f"'scan {' '.join(ex.regions)}' scans it afresh; "
        return (
            f"Stored findings can't be filtered by {what} yet (only by severity, service, status and "
            f"resource), so I can't list just {where}'s. {scan}'list findings' shows every finding "
            "with its account and region."
        )
    named = _FINDING_ID.search(ex.original)
    if named:
        # One finding by its id: explained in full, whatever its status.
        return [{"finding_id": named.group(0).lower()}]
    base: Args = {}
    statuses: list[Args] = [{"status": s} for s in ex.statuses] if len(ex.statuses) > 1 else []
    if ex.status_given and not statuses:
        base["status"] = ex.status
    if ex.count:
        base["limit"] = ex.count
    if ex.resources:
        base["resource_id"] = ex.resources[0].value
    services: list[Args] = [{"service": s.scan or s.key} for s in ex.services]
    severities: list[Args] = [{"severity": s} for s in ex.severities]
    return _cross([base], statuses or [{}], severities or [{}], services or [{}])


def knowledge_args(ex: Extraction) -> Variants:
    query = re.sub(r"\s+", " ", ex.original).strip().rstrip("?!. ")
    return [{"query": query}] if query else "What would you like me to look up in the runbooks?"


def _filters(ex: Extraction) -> Args:
    args: Args = {}
    if ex.account:
        args["account"] = ex.account
    return args


def _per_filter(ex: Extraction, args: Args) -> list[Args]:
    """`args` once per service and region named ("ec2 and rds anomalies": one call each)."""
    names = [s.cost for s in ex.services if s.cost] + ex.service_terms
    services: list[Args] = [{"service": name} for name in dict.fromkeys(names)]
    regions: list[Args] = [] if ex.all_regions else [{"region": r} for r in ex.regions]
    return _cross([args], services or [{}], regions or [{}])


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
    sensitivity = _sensitivity(ex.original)
    if sensitivity:
        args["sensitivity"] = sensitivity
    money = money_threshold(ex.original)
    if money is not None:
        args["min_impact"] = _per(*money, "day")
    if ex.cost_type == "effective":
        args["cost_type"] = "effective"
    return _per_filter(ex, args)


_SENSITIVITY = re.compile(
    r"\b(?P<a>low|medium|med|normal|default|high|max(?:imum)?|min(?:imum)?)[\s-]+sensitivity\b"
    r"|\bsensitivity\s*(?:[:=]|of|to|at|set\s+to)?\s*(?P<b>low|medium|med|normal|default|high|max(?:imum)?|min(?:imum)?)\b"
    r"|\b(?P<more>more|very|extra|highly)\s+sensitive\b|\b(?P<less>less|not\s+(?:very|too|so))\s+sensitive\b"
    r"|\b(?:even|also|including|incl\.?)\s+(?:the\s+)?(?P<small>small|tiny|minor|little)\b"
    r"|\bonly\s+(?:the\s+)?(?P<big>big|large|major|huge|significant)\b",
    re.I,
)
_SENSITIVITY_LEVEL = {"med": "medium", "normal": "medium", "default": "medium", "max": "high", "min": "low"}


def _sensitivity(text: str) -> str | None:
    """cost_anomalies' sensitivity: said outright, or as "even small ones" / "only big ones"."""
    m = _SENSITIVITY.search(text)
    if m is None:
        return None
    level = (m.group("a") or m.group("b") or "").lower()
    if level:
        return _SENSITIVITY_LEVEL.get(level[:3] if level[:3] in ("max", "min") else level, level)
    return "high" if m.group("more") or m.group("small") else "low"


def forecast_args(ex: Extraction) -> Variants:
    refused = _unmatched(ex) or _no_provider_filter(ex, "Forecasts")
    if refused:
        return refused
    if "list" in ex.cost_types:
        return (
            "Forecasts are of billed or effective (amortised) cost, not list cost: "
            "say 'forecast' or 'effective cost forecast'."
        )
    args = _filters(ex)
    if ex.cost_type in ("billed", "effective"):
        args["cost_type"] = ex.cost_type
    text = ex.original.lower()
    ahead = r"\b(?:next|coming|following|upcoming)\s+"
    days = re.search(ahead + r"(\d{1,3}|" + "|".join(NUMBER_WORDS) + r")\s+(days?|weeks?)\b", text)
    if days:
        n = int(days.group(1)) if days.group(1).isdigit() else NUMBER_WORDS[days.group(1)]
        args["target"], args["days"] = "days", n * (7 if days.group(2).startswith("w") else 1)
    elif re.search(ahead + r"(?:week|7\s+days)\b", text):
        args["target"], args["days"] = "days", 7
    elif re.search(ahead + r"(?:month|30\s+days)\b|\bin\s+(?:a|one)\s+month\b", text):
        args["target"] = "next_month"
    if ex.group_by in ("service", "account"):
        args["group_by"] = ex.group_by
    return _per_filter(ex, args)


# Money thresholds: "over $50 a day", "more than 20 dollars/month", "at least $1.5k per year".
_MONEY = re.compile(
    r"\b(?:over|more\s+than|above|at\s+least|greater\s+than|bigger\s+than|min(?:imum)?(?:\s+of)?|exceeding"
    r"|worth(?:\s+(?:over|more\s+than|at\s+least))?)\s*(?:>=?\s*)?"
    r"(?:(?P<cur>\$|usd\s*|€|£)\s*(?P<a>\d[\d,]*(?:\.\d+)?)(?P<k1>k)?"
    r"|(?P<b>\d[\d,]*(?:\.\d+)?)(?P<k2>k)?\s*(?:\$|usd|dollars|bucks|eur|euros?))"
    r"(?:\s*(?:a|an|per|/|each|every)\s*(?P<per>day|daily|week|month|mo|year|yr|annum))?",
    re.I,
)
_PER_MONTH = {
    "day": 30.0,
    "daily": 30.0,
    "week": 30 / 7,
    "month": 1.0,
    "mo": 1.0,
    "year": 1 / 12,
    "yr": 1 / 12,
}


def money_threshold(text: str) -> tuple[float, str | None] | None:
    """The amount in "over $50 a day" and what it is per (day, month …; None when not said)."""
    m = _MONEY.search(text)
    if m is None:
        return None
    amount = float((m.group("a") or m.group("b")).replace(",", ""))
    if m.group("k1") or m.group("k2"):
        amount *= 1000
    per = (m.group("per") or "").lower() or None
    return amount, per


def _per(amount: float, per: str | None, unit: str) -> float:
    """`amount` per `per` converted to per `unit` (day or month)."""
    monthly = amount * _PER_MONTH.get(per or unit, 1.0)
    return round(monthly if unit == "month" else monthly / 30, 2)


# Each savings check by the resources it looks at and the words for its kind of waste.
_INSTANCES = r"\b(?:ec2s?|instances?|servers?|vms?|box(?:es)?|machines?|compute|nodes?)\b"
_VOLUMES = r"\b(?:ebs|vol(?:ume)?s?|disks?)\b"
_ADDRESSES = r"\b(?:eips?|elastic\s+ips?|ip\s+addresses|ips|(?:ip\s+)?addresses)\b"
_SNAPSHOTS = r"\bsnap(?:shot)?s?\b"
_GP2 = r"\bgp[23]\b"
_DETACHED = r"\b(?:unattached|detached|orphan(?:ed)?|dangling|not\s+attached)\b"
_IDLE = r"\b(?:idle|underused|under-?utili[sz]ed|doing\s+nothing|cpu)\b"
# Services whose waste the savings checks look at (EIPs are VPC's in the cost data).
_SAVINGS_SERVICES = {"ec2", "ebs", "vpc"}
_SAVINGS_COVER = (
    "idle EC2 instances, unattached EBS volumes, unassociated Elastic IPs, old EBS snapshots and gp2 volumes"
)


def _savings_kinds(text: str) -> list[str]:
    def said(pattern: str) -> bool:
        return re.search(pattern, text, re.I) is not None

    kinds: list[str] = []
    if said(_INSTANCES) or (said(_IDLE) and not said(_VOLUMES + "|" + _ADDRESSES + "|" + _SNAPSHOTS)):
        kinds.append("idle_instance")
    if (
        said(_VOLUMES)
        and (not said(_GP2) or said(_DETACHED + r"|\bunused\b"))
        or (said(_DETACHED) and not said(_ADDRESSES + "|" + _SNAPSHOTS))
    ):
        kinds.append("unattached_volume")
    if said(_ADDRESSES) or said(r"\bunassociated\b"):
        kinds.append("unassociated_address")
    if said(_SNAPSHOTS):
        kinds.append("old_snapshot")
    if said(_GP2):
        kinds.append("gp2_volume")
    return kinds


def savings_args(ex: Extraction) -> Variants:
    refused = _unmatched(ex) or _aws_only(ex, "Savings checks")
    if refused:
        return refused
    others = [s for s in ex.services if s.key not in _SAVINGS_SERVICES] if ex.services else []
    if others:
        names = ", ".join(s.cost or s.key.upper() for s in others)
        return f"Savings checks don't cover {names} yet; they look for {_SAVINGS_COVER}."
    text = ex.original
    args: Args = {}
    kinds = _savings_kinds(text)
    if kinds:
        args["kinds"] = kinds
    if ex.regions and not ex.all_regions:
        args["regions"] = list(ex.regions)
    money = money_threshold(text)
    if money is not None:
        args["min_monthly_saving"] = _per(*money, "month")
    age = re.search(
        r"\bolder\s+than\s+(\d{1,4})\s*(days?|d|weeks?|months?|years?)\b|\b(\d{1,4})\+?\s*(days?|weeks?|months?|years?)\s+old\b",
        text,
        re.I,
    )
    if age:
        n, unit = (age.group(1), age.group(2)) if age.group(1) else (age.group(3), age.group(4))
        args["snapshot_age_days"] = int(n) * {"d": 1, "w": 7, "m": 30, "y": 365}[unit[0].lower()]
    cpu = re.search(
        r"(?:under|below|less\s+than|<|at\s+most)\s*(\d{1,3}(?:\.\d+)?)\s*%\s*(?:avg\s+|average\s+)?cpu"
        r"|\bcpu\s+(?:usage\s+|utili[sz]ation\s+)?(?:under|below|less\s+than|<|at\s+most)\s*(\d{1,3}(?:\.\d+)?)\s*%?",
        text,
        re.I,
    )
    if cpu:
        args["idle_cpu_percent"] = float(cpu.group(1) or cpu.group(2))
    lookback = re.search(r"\b(?:last|past)\s+(\d{1,3})\s*(days?|weeks?)\b", text, re.I)
    if lookback:
        args["lookback_days"] = int(lookback.group(1)) * (
            7 if lookback.group(2).lower().startswith("w") else 1
        )
    elif ex.period and (days := re.fullmatch(r"last_(\d+)_days", ex.period)):
        args["lookback_days"] = int(days.group(1))
    return [args]


_IAC_FORMATS: tuple[tuple[str, str], ...] = (
    (r"terraform|opentofu|tf|hcl", "terraform"),
    (r"cloud\s?formation|cfn", "cloudformation"),
    (r"kubernetes|k8s|kubectl|helm", "kubernetes"),
)


def iac_format(text: str) -> str | None:
    """The output format a message names (the last one named: "same in cloudformation")."""
    found: list[tuple[int, str]] = []
    for pattern, name in _IAC_FORMATS:
        found += [(m.start(), name) for m in re.finditer(rf"\b(?:{pattern})\b", text, re.I)]
    return max(found)[1] if found else None


def iac_args(ex: Extraction) -> Variants:
    # The tool reads names, sizes and the format from the request itself.
    request = re.sub(r"\s+", " ", ex.original).strip()
    return [{"request": request}] if request else "What infrastructure should I write code for?"


_FRAMEWORK = re.compile(r"\b(cis|pci(?:[\s-]?dss)?|soc\s?2|fsbp|foundational)\b", re.I)


def score_args(ex: Extraction) -> Variants:
    m = _FRAMEWORK.search(ex.original)
    return [{"framework": re.sub(r"[\s-]", "", m.group(1).lower())}] if m else [{}]


def changes_args(ex: Extraction) -> Variants:
    args: Args = {}
    m = re.search(r"\bscan-[0-9a-f]{6,}\b", ex.original, re.I)
    if m:
        args["since_scan_id"] = m.group(0).lower()
    if ex.account:
        args["account"] = ex.account
    return [args]


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
        # The joined request names both formats; the one the follow-up asks for is passed.
        fmt = iac_format(follow_up_text)
        if fmt:
            merged["format"] = fmt
    if tool == KNOWLEDGE:
        extra = re.sub(
            r"^\s*(?:and|what\s+about|how\s+about|same\s+for|also)\b\s*", "", follow_up_text, flags=re.I
        ).rstrip("?!. ")
        merged["query"] = f"{previous.get('query', '')} {extra}".strip()
    return tidy(tool, merged)
