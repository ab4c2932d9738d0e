"""Argument extraction for the offline planner.

`extract()` reads a message once and returns everything a tool argument could come from. Each
identifier it recognises (ids, names, tags, periods, regions, services) is replaced in
`Extraction.masked` by a placeholder, so intent keywords are matched on the remaining words only
and a bucket called "acme-public-assets" is not mistaken for a question about public buckets.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from agent.planner.periods import find_period
from agent.planner.spelling import correct
from agent.planner.understand import (
    COMMITMENTS,
    Unmatched,
    find_charge_category,
    find_comparison,
    find_cost_types,
    find_providers,
    missing_tag,
    provider_service,
    read_service_word,
    region_like,
    service_words,
    steps_back,
    unknown_region,
)
from agent.planner.vocab import (
    ADMIN_PORTS,
    COMMON_TAG_KEYS,
    MONTHS,
    NUMBER_WORDS,
    REGION_ID_PATTERN,
    REGION_NAMES,
    SERVICES,
    Service,
)

_FLAGS = re.IGNORECASE

# Words that follow "bucket", "database", "user" ... without being a name.
_STOP_WORDS = """
    a an the this that these those it its is are was were be been named called with without has have
    had in on at for from to of and or by per as public private access policy policies acl acls
    encryption encrypted unencrypted versioning logging settings config configuration details info
    information status cost costs spend spent spending bill billing last next since during between
    today yesterday open closed now please names name list lists count rules rule ports port
    instances instance snapshot snapshots backups backup engine size type types which what who where
    when how do does did we our my your you i me us them they all any every each some exposed world
    internet everyone anywhere there here so too also then ok okay should can could would will not no
    yes group groups id ids region regions account accounts tag tags s3 aws amazon mfa key keys
    password login console finding findings issue issues severity high critical medium low root
    linked payer usage charges charge total month week year day days one ones over under more less
    ec2 rds ebs iam vpc sg db k8s lambda elb alb nlb new old running stopped idle unused unattached
    large small windows linux default-vpc spends pays paying paid owes uses used runs costed charged most
"""
_STOP = frozenset(_STOP_WORDS.split()) | frozenset(MONTHS)

_NAME = r"[A-Za-z0-9][A-Za-z0-9._-]{0,62}"
_BUCKET = r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]"

_ID_KINDS: tuple[tuple[str, str | None], ...] = (
    ("sg", "security_group"),
    ("i", "ec2_instance"),
    ("vol", "ebs_volume"),
    ("snap", None),
    ("ami", None),
    ("vpc", None),
    ("subnet", None),
    ("eni", None),
    ("igw", None),
    ("nat", None),
    ("rtb", None),
    ("acl", None),
)


@dataclass(frozen=True)
class ResourceRef:
    """A resource the user named: `kind` is a describe_resources type, or None when unknown."""

    kind: str | None
    value: str


@dataclass
class Extraction:
    original: str
    masked: str = ""
    period: str | None = None
    services: list[Service] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    all_regions: bool = False
    tags: dict[str, str] = field(default_factory=dict)
    resources: list[ResourceRef] = field(default_factory=list)
    account: str | None = None
    group_by: str | None = None
    count: int | None = None
    severities: list[str] = field(default_factory=list)
    status: str | None = None
    status_given: bool = False
    # Finding statuses when several are named (one list_findings call each).
    statuses: list[str] = field(default_factory=list)
    ports: list[int] = field(default_factory=list)
    cidr: str | None = None
    # FOCUS ProviderNames ("Microsoft" for "azure").
    providers: list[str] = field(default_factory=list)
    # Cost services the planner's own vocabulary lacks but the cost tool knows ("GuardDuty").
    service_terms: list[str] = field(default_factory=list)
    cost_types: list[str] = field(default_factory=list)
    compare_to: str | None = None
    # Filter-like words that match nothing known: never dropped, the planner asks about them.
    unmatched: list[Unmatched] = field(default_factory=list)
    # The tag key in "no owner tag" ("" for "untagged"); None when no missing tag is asked about.
    missing_tag: str | None = None
    # "and the month before?": one period before the previous request's.
    step_back: bool = False
    # Savings plans, reserved instances: commitments the cost data cannot isolate.
    commitments: bool = False
    # A FOCUS charge category to filter costs on ("tax charges": Tax).
    charge_category: str | None = None
    # The day relative dates were read against ("till end of year").
    today: date | None = None

    @property
    def lower(self) -> str:
        """The masked text in lower case: what intent keywords are matched against."""
        return self.masked.lower()

    @property
    def cost_type(self) -> str | None:
        return self.cost_types[0] if self.cost_types else None

    def resources_of(self, kind: str) -> list[str]:
        return [r.value for r in self.resources if r.kind == kind]

    def has_arguments(self) -> bool:
        return bool(
            self.period
            or self.services
            or self.regions
            or self.all_regions
            or self.tags
            or self.resources
            or self.account
            or self.group_by
            or self.severities
            or self.status_given
            or self.providers
            or self.service_terms
            or self.cost_types
            or self.compare_to
            or self.step_back
            or self.charge_category
        )


class _Masker:
    """Finds patterns in the text and blanks them out so later steps don't see them again."""

    def __init__(self, text: str) -> None:
        self.text = text

    def take(self, pattern: str, placeholder: str, flags: int = _FLAGS) -> list[re.Match[str]]:
        matches = list(re.finditer(pattern, self.text, flags))
        self.text = re.sub(pattern, f" ⟨{placeholder}⟩ ", self.text, flags=flags) if matches else self.text
        return matches


def _is_nameish(token: str) -> bool:
    return bool(re.search(r"[-_.\d]", token))


def _take_names(
    masker: _Masker, kind: str, lead: str, trail: str, weak_lead: str = "(?!)", loose_trail: bool = False
) -> list[ResourceRef]:
    """Names written 'bucket NAME' (after `lead`: any word but a stop word; after `weak_lead`:
    only a name-like word, unless 'named'/'called' says so) or 'NAME bucket' (name-like only)."""

    def after_lead(m: re.Match[str]) -> bool:
        word = m.group("n")
        if word.lower() in _STOP:
            return False
        return m.group("named") is not None or m.group("weak") is None or _is_nameish(word)

    def before_trail(m: re.Match[str]) -> bool:
        word = m.group("n")
        return word.lower() not in _STOP and (loose_trail or _is_nameish(word))

    connector = r"(?P<named>(?:named|called)\s+)?[\"'`]?"
    leading = rf"\b(?:(?:{lead})|(?P<weak>{weak_lead}))\s+{connector}(?P<n>{_NAME})\b"
    trailing = rf"(?<![\w⟩-])(?P<n>{_NAME})[\"'`]?\s+(?:{trail})\b"
    return _replace_where(masker, leading, after_lead, kind) + _replace_where(
        masker, trailing, before_trail, kind
    )


def _replace_where(
    masker: _Masker, pattern: str, keep: Callable[[re.Match[str]], bool], kind: str
) -> list[ResourceRef]:
    refs: list[ResourceRef] = []

    def replace(m: re.Match[str]) -> str:
        if not keep(m):
            return m.group(0)
        name = m.group("n")
        refs.append(ResourceRef(kind, name.lower() if kind == "s3_bucket" else name))
        start, end = m.span("n")
        whole, offset = m.group(0), m.start()
        return whole[: start - offset] + " ⟨name⟩ " + whole[end - offset :]

    masker.text = re.sub(pattern, replace, masker.text, flags=_FLAGS)
    return refs


def _extract_tags(masker: _Masker) -> dict[str, str]:
    tags: dict[str, str] = {}
    value = r"(?P<v>\"[^\"]*\"|'[^']*'|[\w.:/@+&-]+)"
    for m in masker.take(rf"\btag(?:ged)?(?:\s+with)?\s+(?P<k>[A-Za-z][\w.-]*)\s*[:=]\s*{value}", "tag"):
        tags[m.group("k")] = m.group("v").strip("\"'")
    for m in masker.take(rf"(?<![\w:])(?P<k>[A-Za-z][\w.:/-]*)\s*=\s*{value}", "tag"):
        tags[m.group("k")] = m.group("v").strip("\"'")
    return tags


def _extract_ids(masker: _Masker) -> list[ResourceRef]:
    refs: list[ResourceRef] = []
    for m in masker.take(r"\barn:aws[\w-]*:s3:::(?P<b>[a-z0-9][a-z0-9.-]+)", "bucket"):
        refs.append(ResourceRef("s3_bucket", m.group("b").lower()))
    for m in masker.take(rf"\bs3://(?P<b>{_BUCKET})", "bucket"):
        refs.append(ResourceRef("s3_bucket", m.group("b").lower()))
    for m in masker.take(r"\barn:aws[\w-]*:[\w-]+:[\w-]*:\d*:\S+", "arn"):
        refs.append(ResourceRef(None, m.group(0)))
    for prefix, kind in _ID_KINDS:
        for m in masker.take(rf"\b{prefix}-[0-9a-f]{{4,17}}\b", "id"):
            refs.append(ResourceRef(kind, m.group(0).lower()))
    return refs


def _extract_regions(masker: _Masker) -> tuple[list[str], bool]:
    regions = [m.group(0).lower() for m in masker.take(rf"\b{REGION_ID_PATTERN}\b", "region")]
    for name in sorted(REGION_NAMES, key=len, reverse=True):
        if masker.take(rf"(?<!\w){re.escape(name)}(?!\w)", "region"):
            regions.append(REGION_NAMES[name])
    all_regions = bool(
        masker.take(r"\b(?:all|every|each|any)\s+regions?\b|\beverywhere\b|\bacross\s+regions\b", "all")
    )
    return list(dict.fromkeys(regions)), all_regions


def _extract_unknown_regions(masker: _Masker) -> list[Unmatched]:
    """Region-shaped words no cloud knows ("mars-north-7"), masked so nothing else takes them."""
    unknown = [u for u in (unknown_region(m.group(0)) for m in region_like(masker.text)) if u is not None]
    for item in unknown:
        masker.text = re.sub(
            rf"(?<![\w-]){re.escape(item.word)}(?![\w-])", " ⟨region⟩ ", masker.text, flags=_FLAGS
        )
    return unknown


def _extract_providers(masker: _Masker, out: Extraction) -> None:
    """Provider words become a provider filter; "azure vms" and the like, a cost service."""
    for name, _word, start, end in reversed(find_providers(masker.text)):
        found = provider_service(masker.text, start, end)
        if found is not None:
            service, stop = found
            out.service_terms.insert(0, service)
            masker.text = masker.text[:start] + " ⟨svc⟩ " + masker.text[stop:]
            continue
        out.providers.insert(0, name)
        masker.text = masker.text[:start] + " ⟨provider⟩ " + masker.text[end:]
    out.providers = list(dict.fromkeys(out.providers))


def _extract_period(masker: _Masker, out: Extraction, today: date) -> None:
    comparison = find_comparison(masker.text, today)
    spans: list[tuple[int, int]] = []
    if comparison is not None:
        out.compare_to = comparison.compare_to
        spans += comparison.spans
        period = comparison.period
    else:
        before = steps_back(masker.text)
        period = None if before else find_period(masker.text, today)
        out.step_back = before
    if period is not None:
        out.period = period.value
        spans.append((period.start, period.end))
    for start, end in sorted((s for s in spans if s[1] > s[0]), reverse=True):
        masker.text = masker.text[:start] + " ⟨period⟩ " + masker.text[end:]


def _extract_service_words(masker: _Masker, out: Extraction) -> None:
    for word in service_words(masker.text, _STOP):
        reading = read_service_word(word)
        if reading.service is not None:
            out.service_terms.append(reading.service)
        elif reading.unmatched is not None:
            out.unmatched.append(reading.unmatched)
        masker.text = re.sub(rf"(?<![\w-]){re.escape(word)}(?![\w-])", " ⟨svc⟩ ", masker.text)


def _extract_services(masker: _Masker) -> list[Service]:
    spans: list[tuple[int, int, Service]] = []
    for service in SERVICES:
        for alias in service.aliases:
            # A plural of an abbreviation ("ec2s", "rds's") is the same service.
            for m in re.finditer(rf"(?<![\w-]){alias}(?:'?s)?(?![\w-])", masker.text, _FLAGS):
                spans.append((m.start(), m.end(), service))
    # Overlapping aliases: the longest wins ("rds instances" over "instances").
    chosen: list[tuple[int, int, Service]] = []
    for start, end, service in sorted(spans, key=lambda s: (s[0] - s[1], s[0])):
        if all(end <= s or start >= e for s, e, _ in chosen):
            chosen.append((start, end, service))
    chosen.sort(key=lambda s: s[0])
    text = masker.text
    for start, end, _ in reversed(chosen):
        text = text[:start] + " ⟨svc⟩ " + text[end:]
    masker.text = text
    return list(dict.fromkeys(service for _, _, service in chosen))


def _number(token: str) -> int:
    return int(token) if token.isdigit() else NUMBER_WORDS[token.lower()]


_NUM = r"(?P<num>\d{1,4}|" + "|".join(NUMBER_WORDS) + r")"
_GROUPS: tuple[tuple[str, str], ...] = (
    (r"services?", "service"),
    (r"regions?", "region"),
    (r"accounts?", "account"),
    (r"(?:cloud\s+)?providers?|clouds?", "provider"),
    (r"resources?|resource ids?", "resource"),
    (r"charge (?:categor(?:y|ies)|types?)", "charge_category"),
    (r"days?|dates?", "day"),
    (r"months?", "month"),
)


def _extract_group_by(text: str) -> str | None:
    lead = r"\b(?:by|per|grouped by|group by|split by|broken down by|break(?:ing)?[ -]?down by|for each|each)"
    m = re.search(rf"{lead}\s+(?:the\s+)?(?:tag[:\s]\s*(?P<a>[\w-]+)|(?P<b>[\w-]+)\s+tags?\b)", text, _FLAGS)
    if m:
        return f"tag:{m.group('a') or m.group('b')}"
    m = re.search(r"\btag:(?P<k>[\w-]+)", text, _FLAGS)
    if m:
        return f"tag:{m.group('k')}"
    for words, group in _GROUPS:
        if re.search(rf"{lead}\s+(?:the\s+)?(?:{words})\b", text, _FLAGS):
            return group
    keys = "|".join(k.replace(" ", r"\s") for k in COMMON_TAG_KEYS)
    m = re.search(rf"{lead}\s+(?:the\s+)?(?P<k>{keys})\b", text, _FLAGS)
    if m:
        return "tag:" + re.sub(r"\s+", "-", m.group("k").lower())
    if re.search(r"\bdaily\b|\bday[ -]by[ -]day\b|\beach day\b", text, _FLAGS):
        return "day"
    if re.search(r"\bmonthly\b|\bmonth[ -](?:by|over)[ -]month\b|\bmom\b", text, _FLAGS):
        return "month"
    if re.search(r"\bbreak\s?down\b|\bbreakdown\b", text, _FLAGS):
        return "service"
    superlative = r"(?:most expensive|costliest|priciest|biggest|largest|highest|top|which|what)"
    for words, group in _GROUPS[:5]:
        if re.search(rf"\b{superlative}\s+(?:\w+\s+)?(?:{words})\b", text, _FLAGS):
            return group
    return None


def _extract_count(text: str) -> int | None:
    patterns = (
        rf"\b(?:top|first|limit(?:\s+to)?|latest|last|show me|only)\s+{_NUM}\b",
        rf"\b{_NUM}\s+(?:most|biggest|largest|highest|costliest|priciest|latest|newest)\b",
    )
    for pattern in patterns:
        m = re.search(pattern, text, _FLAGS)
        if m:
            return _number(m.group("num"))
    return None


# Severities as people write them: "crit", "sev: high", "highs".
_SEVERITY_WORDS = {
    "crit": "critical",
    "crits": "critical",
    "criticals": "critical",
    "highs": "high",
    "med": "medium",
}


def _extract_severities(text: str) -> list[str]:
    words = re.findall(
        r"\b(critical|crits?|criticals|high|highs|medium|med(?=[\s-]+(?:sev|risk))|low)\b", text.lower()
    )
    return list(dict.fromkeys(_SEVERITY_WORDS.get(w, w) for w in words))


_STATUS_WORDS: tuple[tuple[str, str], ...] = (
    # "open to the world", "open ports" describe a resource, not a finding's status.
    (r"open(?!\s+(?:to|ports?|ingress|access|on|for)\b)|unresolved|active|outstanding", "open"),
    (r"resolved|closed|fixed|remediated", "resolved"),
    (
        r"suppressed|ignored|muted|snoozed|accepted|exempted"
        r"|(?:did|have|has|had)\s+(?:we|you|u|i|they|someone|anyone|somebody|anybody)\s+(?:already\s+|ever\s+)?"
        r"(?:suppress|mute|snooze|silence|ignore)",
        "suppressed",
    ),
)
_ANY_STATUS = re.compile(
    r"\b(?:all|any|every)\s+(?:status(?:es)?|states?)\b"
    r"|\b(?:incl(?:uding|udes?)?|incl\.|plus|even|also|with)\s+(?:the\s+)?"
    r"(?:resolved|closed|fixed|remediated|suppressed|ignored|muted|snoozed|accepted)\b",
    _FLAGS,
)


def _extract_statuses(text: str) -> tuple[list[str], bool]:
    """The finding statuses named, in the order said, and whether any was said; ([], True) for
    every status ("all findings including resolved ones")."""
    if _ANY_STATUS.search(text):
        return [], True
    found: list[tuple[int, str]] = []
    for words, status in _STATUS_WORDS:
        m = re.search(rf"\b(?:{words})\b", text, _FLAGS)
        if m:
            found.append((m.start(), status))
    return [status for _, status in sorted(found)], bool(found)


def _extract_ports(text: str) -> list[int]:
    ports: list[int] = []
    for m in re.finditer(r"\bports?\s+(?P<list>\d{1,5}(?:\s*(?:,|and|&|or|/)\s*\d{1,5})*)", text, _FLAGS):
        ports += [int(p) for p in re.findall(r"\d+", m.group("list"))]
    for word, port in ADMIN_PORTS.items():
        if re.search(rf"\b{word}\b", text, _FLAGS):
            ports.append(port)
    return [p for p in dict.fromkeys(ports) if 0 < p < 65536]


def extract(text: str, today: date) -> Extraction:
    """Everything argument-like in `text`, with `today` anchoring relative periods.

    Misspelt keywords are read as the keyword ("lsit instances"); see spelling.py.
    """
    text = correct(text)
    out = Extraction(original=text, today=today)
    masker = _Masker(text)
    out.tags = _extract_tags(masker)
    cidrs = masker.take(r"(?<![\w.])\d{1,3}(?:\.\d{1,3}){3}/\d{1,2}\b|(?<![\w:])::/0\b", "cidr")
    out.cidr = cidrs[0].group(0) if cidrs else None
    out.resources = _extract_ids(masker)
    accounts = masker.take(r"\b\d{12}\b", "account")
    out.resources += _take_names(masker, "s3_bucket", r"bucket", r"bucket")
    out.resources += _take_names(
        masker, "rds_instance", r"database|db instance|rds instance|rds database", r"database|db", r"db|rds"
    )
    out.resources += _take_names(masker, "security_group", r"security group", r"security group|sg", r"sg")
    out.resources += _take_names(masker, "iam_user", r"user", r"user")
    machines = r"instance|server|vm"
    out.resources += _take_names(masker, "ec2_instance", r"(?!)", machines, rf"{machines}|host")
    out.ports = _extract_ports(masker.text)
    out.unmatched = _extract_unknown_regions(masker)
    out.regions, out.all_regions = _extract_regions(masker)
    _extract_providers(masker, out)
    if accounts:
        out.account = accounts[0].group(0)
    else:
        named = _take_names(masker, "account", r"account", r"account", loose_trail=True)
        out.account = named[0].value if named else None
    _extract_period(masker, out, today)
    out.group_by = _extract_group_by(masker.text)
    out.count = _extract_count(masker.text)
    out.severities = _extract_severities(masker.text)
    out.statuses, out.status_given = _extract_statuses(masker.text)
    out.status = out.statuses[0] if len(out.statuses) == 1 else None
    out.cost_types = find_cost_types(text)
    out.commitments = COMMITMENTS.search(text) is not None
    out.charge_category = find_charge_category(masker.text)
    out.missing_tag = missing_tag(masker.text)
    out.services = _extract_services(masker)
    _extract_service_words(masker, out)
    out.masked = masker.text
    return out
