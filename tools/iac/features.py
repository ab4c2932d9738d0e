"""Facts a plain-English IaC request states: names, counts, sizes, schedules, regions, ...

`read_features` reads the request once; each catalogue template then picks the facts it has
parameters for. Only what the request says is returned, so template defaults apply otherwise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_F = re.IGNORECASE

REGION_ID = re.compile(
    r"\b((?:us|eu|ap|sa|ca|me|af|il|mx)-(?:north|south|east|west|central|northeast|southeast|southwest"
    r"|northwest)-\d)\b",
    _F,
)
REGION_NAMES: dict[str, str] = {
    "n. virginia": "us-east-1",
    "north virginia": "us-east-1",
    "virginia": "us-east-1",
    "ohio": "us-east-2",
    "california": "us-west-1",
    "oregon": "us-west-2",
    "ireland": "eu-west-1",
    "london": "eu-west-2",
    "paris": "eu-west-3",
    "frankfurt": "eu-central-1",
    "stockholm": "eu-north-1",
    "milan": "eu-south-1",
    "tokyo": "ap-northeast-1",
    "seoul": "ap-northeast-2",
    "singapore": "ap-southeast-1",
    "sydney": "ap-southeast-2",
    "mumbai": "ap-south-1",
    "canada": "ca-central-1",
    "sao paulo": "sa-east-1",
    "são paulo": "sa-east-1",
}
_REGION_NAME = re.compile(r"\b(" + "|".join(re.escape(n) for n in REGION_NAMES) + r")\b", _F)

# Words that never name a thing, even right after "bucket" or "queue".
_STOP_WORDS_TEXT = """
    a an the this that with without and or for to of in on at by from as named called name is are be
    it its which that using use uses plus also then into via per each every one two three four five
    six seven eight nine ten private public encrypted versioning versioned encryption secure new
    dead letter dead-letter queue bucket service deployment table topic role policy alarm cluster
    function lambda database instance group vpc subnet subnets replicas replica image port ports
    terraform cloudformation kubernetes k8s manifest manifests yaml hcl template code please me us
    our my your some simple basic minimal small large between from at to only pods pod app
    when where whenever if once while until after before whose"""
STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())

_NAME_CUE = re.compile(
    r"\b(?:named|called|name(?:d)?\s*[:=]|name\s+it)\s*[\"'`]?([A-Za-z0-9][A-Za-z0-9._/-]{0,62}[A-Za-z0-9])",
    _F,
)
_QUOTED = re.compile(r"[\"'`]([A-Za-z0-9][A-Za-z0-9._/-]{0,62})[\"'`]")
_CIDR = re.compile(r"\b(\d{1,3}(?:\.\d{1,3}){3}/\d{1,2})\b")
_INSTANCE_TYPE = re.compile(r"\b([a-z]\d[a-z]{0,3}\.(?:nano|micro|small|medium|large|\d{0,2}xlarge))\b", _F)
_DB_CLASS = re.compile(r"\b(db\.[a-z]\d[a-z]{0,3}\.(?:micro|small|medium|large|\d{0,2}xlarge))\b", _F)
_SIZE_GB = re.compile(r"\b(\d{1,5})\s*(?:gb|gib|g)\b", _F)
_SIZE_TB = re.compile(r"\b(\d{1,3})\s*(?:tb|tib)\b", _F)
_MEMORY_MB = re.compile(r"\b(\d{2,5})\s*(?:mb|mib|mi|m)\b", _F)
_GROWS_TO = re.compile(
    r"\b(?:grow(?:s|ing)?|auto[\s-]?scal\w*|scal(?:es|ing)|up)\s+(?:up\s+)?to\s+"
    r"(?:at\s+most\s+|a\s+max(?:imum)?\s+of\s+|max(?:imum)?\s+)?(\d{1,5})\s*(?:gb|gib|g)\b",
    _F,
)
_DAYS = re.compile(r"\b(\d{1,4})\s*(?:-\s*)?days?\b", _F)
_PERCENT = re.compile(r"\b(\d{1,3})\s*(?:%|percent)", _F)
_PORT_LIST = re.compile(r"\bports?\s+(\d{1,5}(?:\s*(?:,|and|&|/)\s*\d{1,5})+)\b", _F)
_PORT = re.compile(
    r"\bports?\s*(?:number\s*)?(\d{1,5})\b|\blisten(?:s|ing)?\s+on\s+(?:port\s+)?(\d{1,5})\b", _F
)
_EMAIL = re.compile(r"\b([A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,})\b")
_HOST = re.compile(
    r"\b((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:com|io|net|org|dev|app|cloud|internal|local|co|uk|de|fr|example))\b",
    _F,
)
_RANGE = re.compile(
    r"\b(?:between|from)\s+(\d{1,4})\s+(?:and|to)\s+(\d{1,4})\b|\b(\d{1,4})\s*(?:-|to)\s*(\d{1,4})\s+(?:replicas|pods|instances|tasks)\b",
    _F,
)
_MIN = re.compile(r"\b(?:min(?:imum)?|at\s+least)\s*(?:of\s*)?(\d{1,4})\b", _F)
_MAX = re.compile(r"\b(?:max(?:imum)?|up\s+to|at\s+most)\s*(?:of\s*)?(\d{1,4})\b", _F)
_VERSION_AFTER = r"\s*(?:version\s*|v)?(\d{1,2}(?:\.\d{1,2})?)\b"
_RUNTIME = re.compile(
    r"\b(python\s?3\.\d{1,2}|nodejs\s?\d{2}(?:\.x)?|node\s?\d{2}|java\s?\d{2}|ruby\s?3\.\d|go|dotnet\s?\d)\b",
    _F,
)
_IMAGE = re.compile(
    r"\bimage\s*[:=]?\s*[\"'`]?([a-z0-9][a-z0-9._/-]*(?::[A-Za-z0-9._-]+)?(?:@sha256:[a-f0-9]{64})?)", _F
)
KNOWN_IMAGES = (
    "nginx",
    "redis",
    "postgres",
    "mysql",
    "httpd",
    "apache",
    "node",
    "python",
    "busybox",
    "memcached",
    "rabbitmq",
    "mongo",
    "grafana",
    "prometheus",
    "traefik",
    "caddy",
    "alpine",
    "wordpress",
    "ghost",
)
# A reference with a version tag: "ghcr.io/acme/api:1.4.2", "my-api:2.0".
_TAGGED_IMAGE = re.compile(
    r"(?<![\w./:-])([a-z][a-z0-9._-]*(?:/[a-z0-9][a-z0-9._-]*)*:\d[A-Za-z0-9._-]*)(?![\w:])"
)
_KNOWN_IMAGE = re.compile(r"\b(" + "|".join(KNOWN_IMAGES) + r")(?::([A-Za-z0-9._-]+))?\b", _F)
_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "twelve": 12, "twenty": 20,
}  # fmt: skip
_DAY_NAMES = ("sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday")


@dataclass
class Features:
    text: str
    lower: str
    names: list[str] = field(default_factory=list)
    region: str | None = None
    cidrs: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    size_gb: int | None = None
    # The ceiling of a size that grows ("50 GB growing to at most 200 GB").
    max_size_gb: int | None = None
    memory_mb: int | None = None
    days: int | None = None
    percent: int | None = None
    ports: list[int] = field(default_factory=list)
    email: str | None = None
    hosts: list[str] = field(default_factory=list)
    instance_type: str | None = None
    db_class: str | None = None
    schedule: str | None = None
    schedule_text: str | None = None
    minimum: int | None = None
    maximum: int | None = None
    runtime: str | None = None
    image: str | None = None
    versions: dict[str, str] = field(default_factory=dict)

    def has(self, pattern: str) -> bool:
        return re.search(pattern, self.lower, _F) is not None

    def count(self, *nouns: str) -> int | None:
        for noun in nouns:
            if noun in self.counts:
                return self.counts[noun]
        return None

    def name_after(self, *nouns: str) -> str | None:
        """A name written right after one of `nouns` ("queue orders-dlq", "bucket 'acme-logs'")."""
        for noun in nouns:
            m = re.search(
                rf"\b{noun}s?\s+(?:{_RUNTIME_WORD}\s+)?(?:(?:named|called)\s+)?[\"'`]?"
                r"([A-Za-z0-9][A-Za-z0-9._-]{0,62}(?:/[A-Za-z0-9][A-Za-z0-9._-]{0,62})*)",
                self.text,
                _F,
            )
            if m and m.group(1).lower() not in STOP_WORDS and not m.group(1).isdigit():
                return m.group(1)
        return None

    def version_of(self, *products: str) -> str | None:
        for product in products:
            m = re.search(rf"\b{product}(?:\s+(?:rds|aurora))?{_VERSION_AFTER}", self.lower, _F)
            if m:
                return m.group(1)
        return None


# A runtime or engine with its version between a kind and its name ("lambda python3.12 cost-digest").
_RUNTIME_WORD = r"(?:python|nodejs|node|java|ruby|dotnet|go|pg|postgres(?:ql)?|mysql|redis)\s?\d[\d.x]*"
# A number right after a product is its version, not a count ("pg 15 instance", "redis 7 cluster").
_VERSIONED = re.compile(
    r"\b(?:pg|postgres(?:ql)?|mysql|mariadb|redis|python|node(?:js)?|java|ruby|v|version)"
    r"(?:\s+(?:rds|aurora))?\s*$"
)


def _number(token: str) -> int | None:
    if token.isdigit():
        return int(token)
    return _NUMBER_WORDS.get(token.lower())


_COUNTED = re.compile(
    r"(?<![\w./:*-])(\d{1,4}|" + "|".join(_NUMBER_WORDS) + r")\s+(?:x\s+)?([a-z][a-z-]*)\b", _F
)


def _singular(word: str) -> str:
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("sses", "xes")):
        return word[:-2]
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word


def _counts(lower: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for m in _COUNTED.finditer(lower):
        n = _number(m.group(1))
        word = _singular(m.group(2).lower())
        if (
            n is None
            or _VERSIONED.search(lower[: m.start()])
            or (word in STOP_WORDS and word not in ("replica", "subnet", "instance"))
            or word in ("gb", "gib", "mb", "mib", "tb", "day", "minute", "hour", "second", "percent")
        ):
            continue
        if word in ("availability-zone", "availability", "zone", "az"):
            word = "az"
        counts[word] = n  # the last mention wins: a follow-up restates a number
    return counts


def _hour(hour: str, minute: str | None, meridiem: str | None) -> tuple[int, int] | None:
    h, m = int(hour), int(minute or 0)
    if meridiem:
        if not 1 <= h <= 12:
            return None
        h = h % 12 + (12 if meridiem.lower().startswith("p") else 0)
    if not (0 <= h <= 23 and 0 <= m <= 59):
        return None
    return h, m


_AT_TIME = r"(?:at\s+)?(\d{1,2})(?::(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?"
_CRON_LITERAL = re.compile(r"(?<![\w*/,-])((?:[\d*/,-]+\s+){4}[\d*/,A-Za-z-]+)(?![\w*/,-])")


def read_schedule(lower: str) -> tuple[str, str] | None:
    """(cron expression, the words it came from) for "every day at 2am", "every 15 minutes", ...

    Where a request states several, the last one wins ("every 6 hours? no, daily at 4am")."""
    found = _schedules(lower)
    # A phrase inside a longer one ("every day" in "at 3am every day") is part of it.
    spans = [(pos, pos + len(lower[pos:].split(words, 1)[0]) + len(words)) for pos, _, words in found]
    whole = [
        x
        for x, (a, b) in zip(found, spans, strict=True)
        if not any(c <= a and b <= d and (c, d) != (a, b) for c, d in spans)
    ]
    if not whole:
        return None
    _, cron, words = max(whole, key=lambda x: x[0])
    return cron, words


def _schedules(lower: str) -> list[tuple[int, str, str]]:
    """Every schedule phrase of `lower`: (position, cron expression, the words)."""
    out: list[tuple[int, str, str]] = []
    m = _CRON_LITERAL.search(lower)
    if m and any(ch.isdigit() or ch == "*" for ch in m.group(1)):
        out.append((m.start(), m.group(1).strip(), m.group(1).strip()))
    m = re.search(r"\bevery\s+(\d{1,2})\s*(?:minutes?|mins?)\b", lower)
    if m and 1 <= int(m.group(1)) <= 59:
        out.append((m.start(), f"*/{int(m.group(1))} * * * *", m.group(0)))
    m = re.search(r"\bevery\s+(\d{1,2})\s*hours?\b", lower)
    if m and 1 <= int(m.group(1)) <= 23:
        out.append((m.start(), f"0 */{int(m.group(1))} * * *", m.group(0)))
    m = re.search(r"\b(?:every\s+minute)\b", lower)
    if m:
        out.append((m.start(), "* * * * *", "every minute"))
    m = re.search(r"\b(?:hourly|every\s+hour)\b", lower)
    if m:
        out.append((m.start(), "0 * * * *", "hourly"))
    m = re.search(r"\b(?:every|on)\s+(" + "|".join(_DAY_NAMES) + r")s?\b(?:\s+" + _AT_TIME + r")?", lower)
    if m:
        day = _DAY_NAMES.index(m.group(1))
        hm = _hour(m.group(2), m.group(3), m.group(4)) if m.group(2) else (0, 0)
        if hm:
            out.append((m.start(), f"{hm[1]} {hm[0]} * * {day}", m.group(0)))
    m = re.search(
        r"\b(?:(?:every|on)\s+weekdays?|weekdays|mon(?:day)?\s*-\s*fri(?:day)?|(?:every\s+)?work\s?days?)\b"
        r"(?:\s+" + _AT_TIME + r")?",
        lower,
    )
    if m:
        hm = _hour(m.group(1), m.group(2), m.group(3)) if m.group(1) else None
        later = re.search(r"\bat\s+(\d{1,2})(?::(\d{2}))?\s*(am|pm)", lower[m.end() :][:40])
        if hm is None and later:
            hm = _hour(later.group(1), later.group(2), later.group(3))
        hm = hm or (0, 0)
        out.append((m.start(), f"{hm[1]} {hm[0]} * * 1-5", m.group(0)))
    m = re.search(r"\b(?:weekly|every\s+week)\b", lower)
    if m and not any(d in lower for d in _DAY_NAMES):
        out.append((m.start(), "0 0 * * 0", m.group(0)))
    m = re.search(r"\b(?:monthly|every\s+month)\b", lower)
    if m:
        out.append((m.start(), "0 0 1 * *", m.group(0)))
    m = re.search(r"\b(?:daily|nightly|every\s+(?:day|night)|each\s+day)\b(?:\s+" + _AT_TIME + r")?", lower)
    if m:
        hm = _hour(m.group(1), m.group(2), m.group(3)) if m.group(1) else None
        words = m.group(0)
        if hm is None:
            # The time may come later in the phrase ("a nightly schedule at 1:30am").
            later = re.search(r"\bat\s+(\d{1,2})(?::(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)", lower[m.end() :][:60])
            if later:
                hm = _hour(later.group(1), later.group(2), later.group(3))
                words = later.group(0)
        if hm is None:
            hm = (0 if "night" not in m.group(0) else 2, 0)
        out.append((m.start(), f"{hm[1]} {hm[0]} * * *", words))
    m = re.search(r"\bat\s+(\d{1,2})(?::(\d{2}))?\s*(am|pm)\s+(?:every\s+day|daily)\b", lower)
    if m:
        hm = _hour(m.group(1), m.group(2), m.group(3))
        if hm:
            out.append((m.start(), f"{hm[1]} {hm[0]} * * *", m.group(0)))
    return out


def _last(pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
    """The last match: in a request refined by follow-ups, later words override earlier ones."""
    matches = list(pattern.finditer(text))
    return matches[-1] if matches else None


def read_features(text: str) -> Features:
    lower = text.lower()
    f = Features(text=text, lower=lower)
    cues = sorted([*_NAME_CUE.finditer(text), *_QUOTED.finditer(text)], key=lambda m: m.start())
    f.names = list(dict.fromkeys(m.group(1) for m in cues))
    ids, names = _last(REGION_ID, lower), _last(_REGION_NAME, lower)
    if ids and (not names or ids.start() > names.start()):
        f.region = ids.group(1)
    elif names:
        f.region = REGION_NAMES[names.group(1)]
    f.cidrs = _CIDR.findall(text)
    f.counts = _counts(lower)
    if (m := _SIZE_TB.search(lower)) is not None:
        f.size_gb = int(m.group(1)) * 1024
    elif (m := _last(_SIZE_GB, lower)) is not None:
        f.size_gb = int(m.group(1))
        ceiling = _GROWS_TO.search(lower)
        if ceiling is not None:
            f.max_size_gb = int(ceiling.group(1))
            first = next((x for x in _SIZE_GB.finditer(lower) if x.start() < ceiling.start()), None)
            f.size_gb = int(first.group(1)) if first else None
    if (m := _last(_MEMORY_MB, lower)) is not None:
        f.memory_mb = int(m.group(1))
    if (m := _last(_DAYS, lower)) is not None:
        f.days = int(m.group(1))
    if (m := _last(_PERCENT, lower)) is not None:
        f.percent = int(m.group(1))
    for m in _PORT.finditer(lower):
        port = int(next(g for g in m.groups() if g))
        if 1 <= port <= 65535:
            f.ports.append(port)
    for m in _PORT_LIST.finditer(lower):
        f.ports += [
            p
            for p in (int(x) for x in re.findall(r"\d+", m.group(1)))
            if 1 <= p <= 65535 and p not in f.ports
        ]
    if (m := _EMAIL.search(text)) is not None:
        f.email = m.group(1)
    without_email = _EMAIL.sub(" ", lower)
    f.hosts = [h for h in _HOST.findall(without_email) if not REGION_ID.fullmatch(h)]
    if (m := _last(_DB_CLASS, lower)) is not None:
        f.db_class = m.group(1)
    for m in _INSTANCE_TYPE.finditer(lower):
        if not lower[: m.start()].endswith("db."):
            f.instance_type = m.group(1)
            break
    schedule = read_schedule(lower)
    if schedule:
        f.schedule, f.schedule_text = schedule
    if (m := _RANGE.search(lower)) is not None:
        low, high = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        f.minimum, f.maximum = int(low), int(high)
    if f.minimum is None and (m := _MIN.search(lower)) is not None:
        f.minimum = int(m.group(1))
    if f.maximum is None and (m := _MAX.search(lower)) is not None:
        f.maximum = int(m.group(1))
    if (m := _RUNTIME.search(lower)) is not None:
        f.runtime = re.sub(r"\s+", "", m.group(1))
    if (m := _last(_IMAGE, text)) is not None or (m := _last(_TAGGED_IMAGE, lower)) is not None:
        f.image = m.group(1)
    elif (m := _last(_KNOWN_IMAGE, lower)) is not None:
        f.image = m.group(1) + (f":{m.group(2)}" if m.group(2) else "")
    for product in ("postgres", "postgresql", "pg", "mysql", "mariadb", "redis", "kubernetes"):
        version = f.version_of(product)
        if version:
            f.versions.setdefault({"postgresql": "postgres", "pg": "postgres"}.get(product, product), version)
    return f
