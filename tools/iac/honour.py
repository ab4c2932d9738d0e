"""Every explicit value in a request ends up in the code or in an "I did not apply" line.

The values a request states (names, sizes, counts, durations, schedules, thresholds, ports,
CIDRs, ARNs, e-mails, hosts, paths, instance classes, versions) are read from the request and
looked for in the generated file, in the forms code writes them (2 minutes -> 120 seconds, 1 TB
-> 1024 GB, "every day at 2am" -> "0 2 * * *"). What is not found is reported by name, so a value
is never dropped silently. The check is deliberately literal: a value that appears only by
coincidence counts as applied, one written differently is reported (and the answer says so).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tools.iac.features import read_schedule

_F = re.IGNORECASE

_UNIT = (
    r"(gb|gib|tb|tib|mb|mib|mi|gi|days?|d|hours?|hrs?|h|minutes?|mins?|seconds?|secs?|s|%|percent|acus?"
    r"|nodes?|replicas?|tasks?|instances?|shards?|retries|attempts|receives|vcpus?|cpus?|cores?|millicores?"
    r"|images?|versions?|years?|months?|weeks?|requests?|pods?|partitions?|executions?|ms|milliseconds?)"
)
_NUMBER_UNIT = re.compile(
    rf"(?<![\w.:/-])(\d+(?:\.\d+)?)(?:\s*(?:-|to)\s*(\d+(?:\.\d+)?))?\s*-?\s*{_UNIT}(?![\w])", _F
)
_AFTER_WORD = re.compile(
    r"\b(port|after|threshold|above|below|over|under|exceeds?|max(?:imum)?|min(?:imum)?|keep(?:ing)?"
    r"(?:\s+the\s+last)?|last|batch(?:\s+size)?|concurrency|size|of)\s+(\d+(?:\.\d+)?)\b",
    _F,
)
_NAME = re.compile(
    r"\b(?:named|called|name\s+it|alias)\s+[\"'`]?([A-Za-z0-9][A-Za-z0-9._/@+-]{0,120}[A-Za-z0-9])", _F
)
_REGION = re.compile(r"\b(?:us|eu|ap|sa|ca|me|af|il|mx)-[a-z]+-\d\b", _F)
_QUOTED = re.compile(r"[\"'`]([A-Za-z0-9][A-Za-z0-9._/@:+-]{0,120})[\"'`]")
_LITERALS = (
    re.compile(r"\brepo:[\w.-]+/[\w.*-]+(?::[\w/.*:-]+)?", _F),
    re.compile(r"\barn:aws[\w-]*:[\w-]+:[\w-]*:\d{0,12}:[\w/:.+=@,*-]+", _F),
    re.compile(r"\b\d{1,3}(?:\.\d{1,3}){3}/\d{1,2}\b"),
    re.compile(r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b"),
    re.compile(r"\b(?:db|cache)\.[a-z0-9]+\.[a-z0-9]+\b", _F),
    re.compile(r"\b[a-z]\d[a-z]{0,3}\.(?:nano|micro|small|medium|large|\d{0,2}xlarge)\b", _F),
    _REGION,
    re.compile(r"\b(?:vpc|subnet|sg|i|vol|ami)-[0-9a-f]{6,17}\b", _F),
    re.compile(r"(?<![\w:/.])/[A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.*{}-]+)*"),
    re.compile(
        r"\b(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:com|io|net|org|dev|app|cloud|internal|co|uk|de)\b",
        _F,
    ),
    # image:tag (a name with a letter: "1:30am" is a time)
    re.compile(r"\b(?=[a-z0-9.-]*[a-z])[a-z0-9][a-z0-9.-]*(?:/[a-z0-9._-]+)*:\d[A-Za-z0-9._-]*\b"),
)
_BETWEEN = re.compile(r"\b(?:between|from)\s+(\d{1,5})\s+(?:and|to)\s+(\d{1,5})\b", _F)
_SECONDS = {
    "s": 1,
    "sec": 1,
    "second": 1,
    "m": 60,
    "min": 60,
    "minute": 60,
    "h": 3600,
    "hr": 3600,
    "hour": 3600,
}


@dataclass(frozen=True)
class Asked:
    """One explicit value of the request and the forms it may take in code."""

    said: str
    forms: tuple[str, ...]
    numeric: bool = False


def _num(text: str) -> str:
    value = float(text)
    return str(int(value)) if value.is_integer() else str(value)


def _forms(number: str, unit: str) -> tuple[str, ...]:
    n = float(number)
    u = unit.lower().rstrip("s") if unit.lower() not in ("s", "ms") else unit.lower()
    forms = {_num(number)}
    # Code writes a size in the unit its argument takes (GiB for EBS and RDS, MB for Lambda and
    # ECS, bytes for some, Gi for Kubernetes): any of them, binary or decimal, applies the value.
    if u in ("tb", "tib"):
        forms |= {_num(str(n * 1024)), _num(str(n * 1000)), f"{_num(number)}Ti", f"{_num(number)}T"}
        forms |= {_num(str(n * 1024**4)), _num(str(n * 1000**4))}
    elif u in ("gb", "gib", "gi"):
        forms |= {_num(str(n * 1024)), _num(str(n * 1000)), f"{_num(number)}Gi", f"{_num(number)}G"}
        forms |= {_num(str(n * 1024**3)), _num(str(n * 1000**3))}
    elif u in ("mb", "mib", "mi"):
        forms |= {f"{_num(number)}Mi", f"{_num(number)}M", _num(str(n * 1024**2)), _num(str(n * 1000**2))}
    elif u in ("day", "d"):
        forms |= {_num(str(n * 86400)), _num(str(n * 24)), f"{_num(number)}d"}
    elif u in ("week",):
        forms |= {_num(str(n * 7)), _num(str(n * 604800))}
    elif u in ("month",):
        forms |= {_num(str(n * 30)), _num(str(n * 31))}
    elif u in ("year",):
        forms |= {_num(str(n * 365)), _num(str(n * 12))}
    elif u in _SECONDS:
        forms |= {_num(str(n * _SECONDS[u])), f"{_num(number)}{u[0]}"}
        if _SECONDS[u] >= 60:
            forms.add(_num(str(n * _SECONDS[u] / 60)))
    elif u in ("ms", "millisecond"):
        forms.add(_num(str(n / 1000)))
    elif u in ("cpu", "vcpu", "core"):
        forms |= {_num(str(n * 1024)), f"{_num(str(n * 1000))}m"}
    elif u in ("millicore",):
        forms.add(f"{_num(number)}m")
    return tuple(sorted(forms))


# A bare frequency word is a schedule only when it qualifies something that runs on one ("daily
# backups", "rotated monthly", "a lambda, nightly"); "a monthly budget" or "the monthly cost
# report" states no schedule. Phrases with "every", "at <time>", a day or a cron expression do.
_BARE_FREQUENCY = re.compile(r"(?:hourly|daily|nightly|weekly|monthly)", _F)
_RUNS_AFTER = re.compile(
    r"\s+(?:[\w-]+\s+)?(?:backups?|snapshots?|jobs?|cron\w*|runs?|schedules?|rules?|triggers?|rotations?"
    r"|clean-?ups?|purges?|syncs?|scans?|exports?|builds?|batch(?:es)?|invocations?|executions?"
    r"|maintenance|windows?|tasks?|lambdas?|functions?)\b",
    _F,
)
_RUNS_BEFORE = re.compile(
    r"\b(?:run\w*|trigger\w*|invok\w*|schedul\w*|fire[sd]?|firing|execut\w*|rotat\w*|back(?:ed)?\s+up"
    r"|backups?|snapshots?|cron\w*|kick\w*\s+off|eventbridge|lambdas?|functions?|jobs?|tasks?)\b[^.;]{0,60}$",
    _F,
)


def _schedule(lower: str) -> tuple[str, str, int] | None:
    """(cron, the words, where they start) of the request's schedule, skipping frequency words
    that qualify something that is not run ("monthly budget")."""
    text = lower
    for _ in range(8):
        found = read_schedule(text)
        if found is None:
            return None
        cron, words = found
        start = max(text.rfind(words), 0)
        end = start + len(words)
        if not _BARE_FREQUENCY.fullmatch(words):
            return cron, words, start
        in_name = text[start - 1 : start] in ("-", "_", "/") or text[end : end + 1] in ("-", "_", "/")
        if not in_name and (_RUNS_AFTER.match(text, end) or _RUNS_BEFORE.search(text[:start])):
            return cron, words, start
        text = text[:start] + " " * len(words) + text[end:]
    return None


def explicit_values(request: str) -> list[Asked]:
    """The values a request states, each once."""
    found: dict[str, Asked] = {}
    spans: list[tuple[int, int]] = []

    def add(said: str, forms: tuple[str, ...], numeric: bool, span: tuple[int, int]) -> None:
        if any(a <= span[0] < b or a < span[1] <= b for a, b in spans):
            return
        spans.append(span)
        found.setdefault(said.lower(), Asked(said, forms, numeric))

    for pattern in _LITERALS:
        for m in pattern.finditer(request):
            add(m.group(0), (m.group(0),), False, m.span())
    for m in [*_NAME.finditer(request), *_QUOTED.finditer(request)]:
        name = m.group(1).rstrip(".")
        add(name, (name, name.lower(), re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")), False, m.span(1))
    schedule = _schedule(request.lower())
    if schedule is not None:
        cron, words, start = schedule
        parts = cron.split()
        forms: tuple[str, ...] = (cron, f"cron({parts[0]} {parts[1]} ", f"{parts[0]} {parts[1]} ")
        if parts[0].startswith("*/"):
            forms += (f"rate({parts[0][2:]} minute", f"*/{parts[0][2:]}")
        if parts[1].startswith("*/"):
            forms += (f"rate({parts[1][2:]} hour", f"*/{parts[1][2:]}")
        add(words, forms, False, (max(start, 0), max(start, 0) + len(words)))
    for m in _NUMBER_UNIT.finditer(request):
        unit = m.group(3)
        if m.group(2):
            add(m.group(1) + " " + unit, _forms(m.group(1), unit), True, m.span(1))
            add(m.group(2) + " " + unit, _forms(m.group(2), unit), True, m.span(2))
        else:
            add(m.group(0).strip(), _forms(m.group(1), unit), True, m.span())
    for m in _BETWEEN.finditer(request):
        add(m.group(1), (m.group(1),), True, m.span(1))
        add(m.group(2), (m.group(2),), True, m.span(2))
    for m in _AFTER_WORD.finditer(request):
        add(m.group(0), (_num(m.group(2)),), True, m.span(2))
    return list(found.values())


def _present(form: str, code: str, numeric: bool) -> bool:
    if numeric:
        # Not a piece of a date or version ("2012-10-17" holds no "10 GB").
        pattern = rf"(?<![A-Za-z0-9.])(?<!\d-){re.escape(form)}(?![A-Za-z0-9]|\.\d|-\d)"
        return re.search(pattern, code) is not None
    return form.lower() in code.lower()


_CFN = re.compile(r"^(?:AWSTemplateFormatVersion|Resources):", re.M)


def deployed_region(request: str, code: str) -> str | None:
    """The region a CloudFormation request names: a template holds none (the stack is deployed
    into one), so the deploy command applies it rather than the code."""
    m = _REGION.search(request)
    return m.group(0) if m and _CFN.search(code) else None


def not_applied(request: str, code: str) -> list[str]:
    """The explicit values of `request` that `code` does not contain, as the request said them."""
    region = deployed_region(request, code)
    return [
        a.said
        for a in explicit_values(request)
        if not any(_present(f, code, a.numeric) for f in a.forms)
        and not (region and _REGION.fullmatch(a.said))
    ]
