"""What a message says beyond ids and names: comparisons, cost types, providers, and the words
that look like a filter but match nothing the planner knows.

Vocabulary comes from vocab.py (generated from the tools' own tables and botocore), so a word
is judged against everything the tools would accept. Close misspellings are read as the word
they are close to; anything else is reported as unmatched with the closest valid values, so the
planner asks instead of answering a broader question.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import date

from agent.planner.periods import PeriodMatch, find_period
from agent.planner.vocab import (
    COMMON_TAG_KEYS,
    PROVIDER_WORDS,
    REGION_LIKE_PATTERN,
    aws_regions,
    service_vocabulary,
)
from tools.cost.services import match_service

_F = re.IGNORECASE


@dataclass(frozen=True)
class Unmatched:
    """A filter-like word that matches nothing: `kind` is service, region or provider."""

    kind: str
    word: str
    suggestions: tuple[str, ...] = ()


# --- cost type ------------------------------------------------------------------------------

_EFFECTIVE = re.compile(r"\b(?:effective|amorti[sz]ed|amorti[sz]ation|net\s+(?:cost|spend))\b", _F)
_LIST = re.compile(
    r"\blist\s+(?:cost|price|prices|pricing)\b|\bat\s+list\b|\bon[\s-]demand\s+(?:cost|price|rates?)\b"
    r"|\bundiscounted\b|\bbefore\s+discounts?\b",
    _F,
)
_BILLED = re.compile(r"\b(?:billed|invoiced|invoice)\b", _F)
# "effective vs list cost": the second type's "cost" word is shared.
_LIST_SHARED = re.compile(
    r"\blist\s+(?:and|or|vs\.?|versus)\s+\w+\s+(?:cost|price)|\b(?:vs\.?|versus)\s+list\b"
    r"|\band\s+list\s+(?:cost|price|prices|pricing)\b",
    _F,
)


def find_cost_types(text: str) -> list[str]:
    """The cost types the message names (effective, list, billed), in that order of precedence."""
    found = []
    if _EFFECTIVE.search(text):
        found.append("effective")
    if _LIST.search(text) or _LIST_SHARED.search(text):
        found.append("list")
    if _BILLED.search(text) and (not found or re.search(r"\b(?:vs\.?|versus|and|or)\b", text, _F)):
        found.append("billed")
    return found


# --- charge categories ----------------------------------------------------------------------

# FOCUS charge categories (cost_query's charge_category) by the words people use for them.
_CHARGE_CATEGORIES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\b(?:tax|taxes|vat|sales\s+tax)\b", _F), "Tax"),
    (re.compile(r"\bcredits?\b|\bpromo(?:tional)?\s+credits?\b", _F), "Credit"),
    (re.compile(r"\badjustments?\b", _F), "Adjustment"),
    (
        re.compile(
            r"\b(?:purchases?|upfront\s+(?:fees?|payments?|charges?)|one[\s-]time\s+(?:fees?|charges?))\b", _F
        ),
        "Purchase",
    ),
)


def find_charge_category(text: str) -> str | None:
    """The FOCUS charge category a message filters on ("tax charges", "credits"), if any."""
    found = [name for pattern, name in _CHARGE_CATEGORIES if pattern.search(text)]
    return found[0] if len(found) == 1 else None


# --- comparisons ----------------------------------------------------------------------------

_OVER = re.compile(
    r"\b(?P<unit>month|week|quarter|year)[\s-]over[\s-](?:month|week|quarter|year)\b|\b(?P<short>mom|yoy|wow)\b",
    _F,
)
_CUE = re.compile(r"\bvs\.?(?!\w)|\bversus\b|\bcompared?\b|\bcomparing\b|\bagainst\b|\brelative\s+to\b", _F)
_BEFORE = re.compile(
    r"\b(?:the\s+)?(?:(?P<unit>month|period|week|quarter|year|one)\s+before(?:\s+that)?"
    r"|(?:previous|prior|preceding)\s+(?P<unit2>month|period|week|quarter|year|one))\b"
    r"|\bbefore\s+that\b",
    _F,
)


@dataclass(frozen=True)
class Comparison:
    period: PeriodMatch | None
    compare_to: str
    # Where in the text the comparison was said, to mask it.
    spans: tuple[tuple[int, int], ...]


_STEP_BACK = re.compile(
    r"\b(?:the\s+)?(?:month|period|week|quarter|year|one)\s+before(?:\s+that)?\b|\bbefore\s+that\b", _F
)


def steps_back(text: str) -> bool:
    """'and the month before?': the previous request's period, one period earlier."""
    return _STEP_BACK.search(text) is not None


def _previous(unit: str | None) -> str:
    return "previous_year" if unit and unit.lower() == "year" else "previous_period"


def find_comparison(text: str, today: date) -> Comparison | None:
    """A request to compare two periods: the main period (None: the tool's default) and compare_to."""
    over = _OVER.search(text)
    if over:
        unit = (
            over.group("unit") or {"mom": "month", "yoy": "year", "wow": "week"}[over.group("short").lower()]
        )
        first = find_period(text, today)
        period = first
        if first is None and unit.lower() == "week":
            period = PeriodMatch("last_7_days", over.start(), over.start())
        # Left unmasked: "month over month" alone still asks for the monthly series too.
        return Comparison(period, _previous(unit), ())
    cue = _CUE.search(text)
    if cue is None:
        return None
    first = find_period(text, today)
    if first is None:
        # "vs the month before": a follow-up comparing the previous request's period.
        alone = _BEFORE.search(text)
        if alone is None:
            return None
        unit = alone.group("unit") or alone.group("unit2")
        return Comparison(None, _previous(unit), ((alone.start(), alone.end()),))
    rest = text[: first.start] + " " * (first.end - first.start) + text[first.end :]
    before = _BEFORE.search(rest)
    if before:
        unit = before.group("unit") or before.group("unit2")
        return Comparison(first, _previous(unit), ((before.start(), before.end()),))
    second = find_period(rest, today)
    if second is None:
        if cue.end() <= first.start and not text[cue.end() : first.start].strip(" \t,.-:theour"):
            # "EC2 compared to last month": the current month against the one named.
            if first.value == "last_month":
                return Comparison(PeriodMatch("this_month", cue.start(), cue.start()), "previous_period", ())
            return Comparison(None, first.value, ((first.start, first.end),))
        return None
    if first.value == "this_month" and second.value == "last_month":
        # Like for like: this month to date against the same days of last month.
        return Comparison(first, "previous_period", ((second.start, second.end),))
    if _months(first.value, second.value) and second.value > first.value:
        # "August vs September": the later month is the one reported, the earlier the baseline.
        first, second = second, first
    return Comparison(first, second.value, ((second.start, second.end),))


def _months(*values: str) -> bool:
    return all(re.fullmatch(r"\d{4}-\d{2}", v) for v in values)


# --- providers ------------------------------------------------------------------------------

_PROVIDER = re.compile(
    r"(?<![\w-])(?P<p>"
    + "|".join(re.escape(w) for w in sorted(PROVIDER_WORDS, key=len, reverse=True))
    + r")(?![\w-])",
    _F,
)


def find_providers(text: str) -> list[tuple[str, str, int, int]]:
    """(ProviderName, word as written, start, end) for each provider the text names."""
    return [
        (PROVIDER_WORDS[m.group("p").lower()], m.group("p"), m.start(), m.end())
        for m in _PROVIDER.finditer(text)
    ]


def provider_service(text: str, start: int, end: int) -> tuple[str, int] | None:
    """A service named with its provider ("azure vms", "oci compute") that the cost tool knows,
    and where its name ends in `text`."""
    words = list(re.finditer(r"[\w-]+", text[end:]))[:2]
    for n in (2, 1):
        if len(words) >= n:
            phrase = f"{text[start:end]} {' '.join(w.group(0) for w in words[:n])}"
            alias = match_service(phrase, []).alias
            if alias is not None and alias.name.lower() != phrase.split()[-1].lower():
                return alias.name, end + words[n - 1].end()
    return None


# --- regions --------------------------------------------------------------------------------


def unknown_region(region: str) -> Unmatched | None:
    """The region id when no cloud knows it, with the closest known ids."""
    region = region.lower()
    known = aws_regions()
    if region in known:
        return None
    return Unmatched(
        "region", region, tuple(difflib.get_close_matches(region, sorted(known), n=3, cutoff=0.5))
    )


def region_like(text: str) -> list[re.Match[str]]:
    return list(re.finditer(rf"(?<![\w-]){REGION_LIKE_PATTERN}(?![\w-])", text, _F))


# --- service words --------------------------------------------------------------------------

_WORD = r"[A-Za-z][\w.+&-]*"
_SERVICE_SLOT = (
    re.compile(
        r"\b(?:spend|spent|spending|cost|costs|costing|charges?|charged|bill|billed|paying|pay|paid)\s+"
        rf"(?:on|for|of)\s+(?:the\s+|our\s+|my\s+)?(?P<w>{_WORD})",
        _F,
    ),
    re.compile(
        rf"\bhow\s+much\s+(?:is|are|does|do|did)\s+(?:the\s+|our\s+)?(?P<w>{_WORD})\s+(?:cost|costing)\b", _F
    ),
    # A CamelCase product name anywhere: "FooBarService", "GuardDuty".
    re.compile(r"(?<![\w⟨-])(?P<w>[A-Z][a-z0-9]+(?:[A-Z][A-Za-z0-9]*)+)(?![\w-])"),
)
# Words after "spend on" that are not a service.
_NOT_SERVICES = frozenset(
    [
        "everything",
        "anything",
        "something",
        "infrastructure",
        "infra",
        "cloud",
        "clouds",
        "stuff",
        "things",
        "average",
        "total",
        "overall",
        "service",
        "services",
        "resources",
        "resource",
        "usage",
        "it",
        "that",
        "this",
        "them",
        "those",
        "these",
        "what",
        "which",
        "each",
        "every",
        "all",
        "both",
        "average",
        "whole",
        "entire",
        "data",
        "team",
        "teams",
        "tag",
        "tags",
        "account",
        "accounts",
        "region",
        "regions",
        "provider",
        "providers",
        "instance",
        "instances",
        "storage",
        "compute",
        "networking",
        "network",
        "savings",
        "saving",
        "plan",
        "plans",
        "commitments",
        "reserved",
    ]
)


def service_words(masked: str, stop: frozenset[str]) -> list[str]:
    """Words in a service's slot ("spend on X", "how much does X cost") that nothing recognised."""
    found: list[str] = []
    for pattern in _SERVICE_SLOT:
        for m in pattern.finditer(masked):
            word = m.group("w").rstrip(".-")
            lower = word.lower()
            if lower in stop or lower in _NOT_SERVICES or lower in COMMON_TAG_KEYS or len(lower) < 2:
                continue
            found.append(word)
    return list(dict.fromkeys(found))


@dataclass(frozen=True)
class ServiceReading:
    # The name to give the cost tool, when the word is (close to) a known service.
    service: str | None
    unmatched: Unmatched | None = None


def read_service_word(word: str) -> ServiceReading:
    """A known service, a close misspelling of one, or an unmatched word with suggestions."""
    alias = match_service(word, []).alias
    if alias is not None:
        return ServiceReading(alias.name)
    vocabulary = service_vocabulary()
    lower = word.lower()
    close = difflib.get_close_matches(lower, list(vocabulary), n=6, cutoff=0.6)
    shown = list(dict.fromkeys(vocabulary[c] for c in close))
    strong = [c for c in close if difflib.SequenceMatcher(None, lower, c).ratio() >= 0.8]
    if len(lower) >= 4 and strong and len({vocabulary[c] for c in strong}) == 1:
        # One service is that close: read the word as a misspelling of it ("Lamda").
        return ServiceReading(vocabulary[strong[0]])
    return ServiceReading(None, Unmatched("service", word, tuple(shown[:3])))


# --- commitments and missing tags -----------------------------------------------------------

COMMITMENTS = re.compile(
    r"\bsavings?\s+plans?\b|\breserved\s+(?:instances?|capacity)\b|\bris\b|\bcommitment(?:s|\s+discounts?)?\b",
    _F,
)
_MISSING_TAG = re.compile(
    r"\b(?:no|without|missing|lacking|lack|untagged|not\s+tagged|no\s+tags?)\b"
    r"(?:\s+(?:an?|the|any))?(?:\s+(?P<k>[A-Za-z][\w:-]*))?(?:\s+tags?\b)?",
    _F,
)


def missing_tag(text: str) -> str | None:
    """The tag key in 'no owner tag' / 'without a team tag' ('' for 'untagged'); None otherwise."""
    for m in _MISSING_TAG.finditer(text):
        phrase = m.group(0).lower()
        key = (m.group("k") or "").lower()
        if phrase.startswith(("untagged", "not tagged")):
            return "" if not key or key in ("tag", "tags") else key
        if re.search(r"\btags?\b", phrase):
            return "" if key in ("", "tag", "tags") else key
    return None


def clarify_unmatched(items: list[Unmatched]) -> str:
    """ "I could not match …; did you mean …?" for each word."""
    parts = []
    for item in items:
        line = f"I could not match '{item.word}' to a known {item.kind}"
        if item.suggestions:
            line += f"; did you mean: {', '.join(item.suggestions)}?"
        else:
            line += "."
        parts.append(line)
    hints = {
        "service": "'cost by service last month' lists every service in the cost data; "
        "a tag is written key=value, e.g. 'spend for env=production'",
        "region": "'cost by region last month' lists the regions with charges",
    }
    said = [hints[k] for k in dict.fromkeys(i.kind for i in items) if k in hints]
    tail = f" ({'; '.join(said)}.)" if said else ""
    return " ".join(parts) + " I stopped rather than answer a broader question than you asked." + tail
