"""Direct commands: each remediation action asked for in so many words ("stop instance i-0123…",
"delete volume vol-0123…", "convert vol-0123… to gp3"), and the example messages that prove
every tool and action is reachable (tests/agent/planner/test_reachability.py plans them).

Only the phrasings live here. Action names, the resource type each action takes, id prefixes,
labels and parameter values are read from the remediation registry and the inventory's kind
table, and an import-time check refuses a row for an action the registry does not have.

`REQUEST` (every phrasing, as one regex over the masked text) is what intents.detect_change
puts behind its request prefix; fixes.plan_remediation asks `requested` which actions a change
request names and `targets` / `params` for the arguments. revoke_ingress and
block_public_access keep their own patterns in intents.py; their rows here only hold examples.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, get_args

from agent.planner.extract import Extraction
from tools.inventory.collectors.detection import GUARDDUTY_ID
from tools.inventory.collectors.ebs import EBS_DEFAULT_ID
from tools.inventory.kinds import ALL_RESOURCE_TYPES, kind, type_label, types_for_lookup
from tools.remediation.actions.enable_bucket_encryption import BucketEncryptionParams
from tools.remediation.actions.modify_volume_type import ModifyVolumeTypeParams
from tools.remediation.registry import ACTIONS
from tools.security.suppress_finding import SuppressFinding
from tools.security.unsuppress_finding import UnsuppressFinding

_F = re.IGNORECASE

# Per-region settings, one resource per region: the id every region's resource has.
REGIONAL_SETTINGS: dict[str, str] = {
    "ebs_encryption_default": EBS_DEFAULT_ID,
    "guardduty_detector": GUARDDUTY_ID,
}

Params = Callable[[Extraction], "dict[str, Any] | str"]


@dataclass(frozen=True)
class Example:
    """A message, and the remediate arguments it must plan (`params` and `region` when given)."""

    text: str
    resource_id: str
    params: Mapping[str, Any] = field(default_factory=dict)
    region: str | None = None


def _no_params(ex: Extraction) -> dict[str, Any] | str:
    return {}


@dataclass(frozen=True)
class Command:
    action: str
    # The request after "please", "can you" …, on the masked lower-case text; None for the two
    # actions whose patterns intents.py has always had.
    phrase: str | None
    # "Which <resource> should I <verb>?"
    verb: str
    examples: tuple[Example, ...]
    params: Params = _no_params
    # Words the original text must contain too (access keys hide behind the IAM service mask).
    needs: str | None = None
    # Whether a bare name after "on"/"for" ("enable versioning on acme-logs") names the target.
    bare_names: bool = False


# Pieces of phrases. The masked text has ids, names, services and regions as ⟨…⟩ placeholders.
_OBJ = r"(?:⟨(?:id|name|svc|arn|bucket|region)⟩)"
_FILL = r"(?:[\w'/-]+\s+){0,3}?"
_ENABLE = r"(?:enable|turn\s+on|switch\s+on|activate|set\s+up|configure|add|apply)"
_MAKE_PRIVATE = (
    r"make\s+(?:[\w'-]+\s+|⟨\w+⟩\s+){0,5}?(?:private|not\s+public(?:ly)?(?:\s+(?:accessible|available|shared|visible))?)"
    # "turn off [the orders-db database is public]": a statement of the exposure, re-read as its object.
    r"|(?:disable|turn\s+off|switch\s+off|shut\s+off|block|stop)\s+(?:[\w'-]+\s+|⟨\w+⟩\s+){0,5}?(?:is|are)\s+"
    r"(?:publicly\s+(?:accessible|available|shared|exposed)|public(?:ly)?|shared\s+publicly|exposed)\b"
    r"|(?:disable|turn\s+off|switch\s+off|remove|revoke|block)\s+(?:all\s+)?(?:the\s+)?public(?:ly)?\s+"
    r"(?:access(?:ibility|ible)?|sharing|permissions?|create[\s-]volume\s+permissions?)"
)
_DELETE = r"(?:delete|remove|drop|destroy|clean\s+up|get\s+rid\s+of|purge|nuke|trash|scrap|wipe|zap)"


def _volume_type(ex: Extraction) -> dict[str, Any] | str:
    allowed = get_args(ModifyVolumeTypeParams.model_fields["volume_type"].annotation)
    m = re.search(r"\b(?:to|into|as)\s+(gp\d|io\d|st1|sc1|standard|magnetic)\b", ex.original, _F)
    if m is None:
        return {}
    wanted = m.group(1).lower()
    if wanted not in allowed:
        return f"I can only change a volume's type to {' or '.join(allowed)}, not {wanted}."
    return {"volume_type": wanted}


_ALGORITHMS = {"kms": "aws:kms", "sse-kms": "aws:kms", "aws:kms": "aws:kms"}
_ALGORITHMS |= {"sse-s3": "AES256", "aes256": "AES256", "aes-256": "AES256", "s3-managed": "AES256"}


def _encryption(ex: Extraction) -> dict[str, Any] | str:
    allowed = get_args(BucketEncryptionParams.model_fields["algorithm"].annotation)
    m = re.search(r"\b(sse-kms|sse-s3|aws:kms|aes-?256|s3-managed|kms)\b", ex.original, _F)
    if m is None:
        return {}
    algorithm = _ALGORITHMS[m.group(1).lower()]
    assert algorithm in allowed, algorithm
    params: dict[str, Any] = {"algorithm": algorithm}
    key = re.search(
        r"\bkey\s+(alias/[\w/.-]+|arn:aws[\w-]*:kms:\S+|[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12})",
        ex.original,
        _F,
    )
    if key and algorithm == "aws:kms":
        params["kms_key_id"] = key.group(1)
    return params


def _nacl_entry(ex: Extraction) -> dict[str, Any] | str:
    m = re.search(r"\b(?:entry|rule)\s+(?:number\s+|no\.?\s*|#\s*)?(\d{1,5})\b", ex.original, _F)
    if m is None:
        return {}
    number = int(m.group(1))
    if not 1 <= number <= 32766:
        return f"Network ACL entry numbers run from 1 to 32766, not {number}."
    return {"rule_number": number}


_ACCESS_KEY_ID = re.compile(r"\b(?:AKIA|ASIA)[A-Z0-9]{12,124}\b")


def _access_key(ex: Extraction) -> dict[str, Any] | str:
    m = _ACCESS_KEY_ID.search(ex.original)
    return {"access_key_id": m.group(0)} if m else {}


_I = "i-0123456789abcdef0"
_VOL = "vol-0123456789abcdef0"
_SNAP = "snap-0123456789abcdef0"
_EIP = "eipalloc-0123456789abcdef0"
_KEY = "1234abcd-12ab-34cd-56ef-1234567890ab"
_AKIA = "AKIAIOSFODNN7EXAMPLE"
_ACL = "acl-0123456789abcdef0"
_SUBNET = "subnet-0123456789abcdef0"

COMMANDS: tuple[Command, ...] = (
    Command(
        "revoke_ingress",
        None,
        "change",
        (
            Example("close port 22 on sg-0123456789abcdef0", "sg-0123456789abcdef0", {"port": 22}),
            Example("revoke ssh from the world on sg-0123abcd", "sg-0123abcd", {"port": 22}),
        ),
    ),
    Command(
        "block_public_access",
        None,
        "change",
        (Example("block public access on bucket acme-logs", "acme-logs"),),
    ),
    Command(
        "stop_instance",
        r"(?:stop|shut\s*down|power\s+(?:off|down)|halt)\s+(?!suppress|mut|snooz|silenc|shar)"
        + _FILL
        + rf"(?:{_OBJ}|instances?|servers?|vms?|machines?|hosts?)",
        "stop",
        (
            Example(f"stop instance {_I}", _I),
            Example(f"shut down {_I}", _I),
            Example("please power off the web-1 instance", "web-1"),
        ),
    ),
    Command(
        "delete_volume",
        rf"{_DELETE}\s+{_FILL}(?:{_OBJ}|volumes?|disks?)",
        "delete",
        (Example(f"delete volume {_VOL}", _VOL), Example(f"get rid of the unattached volume {_VOL}", _VOL)),
    ),
    Command(
        "delete_snapshot",
        rf"{_DELETE}\s+{_FILL}(?:{_OBJ}|snapshots?)",
        "delete",
        (Example(f"delete snapshot {_SNAP}", _SNAP),),
    ),
    Command(
        "release_address",
        rf"(?:release|free\s+up|give\s+back|{_DELETE})\s+{_FILL}"
        rf"(?:{_OBJ}|eipalloc-[0-9a-f]+|elastic\s+ips?|eips?|ip\s+address(?:es)?|addresses|\d+(?:\.\d+){{3}})",
        "release",
        (Example(f"release {_EIP}", _EIP), Example("release elastic ip old-nat-ip", "old-nat-ip")),
    ),
    Command(
        "modify_volume_type",
        r"(?:convert|migrate|change|switch|move|upgrade|modify)\s+(?:[\w'-]+\s+|⟨\w+⟩\s+){0,5}?"
        r"(?:to|into)\s+(?:gp\d|io\d|st1|sc1|standard|magnetic)\b"
        rf"|(?:change|modify|update)\s+{_FILL}(?:{_OBJ}\s+)?(?:volume\s+)?type\b",
        "convert",
        (
            Example(f"convert {_VOL} to gp3", _VOL, {"volume_type": "gp3"}),
            Example(f"migrate volume {_VOL} to gp3", _VOL, {"volume_type": "gp3"}),
        ),
        params=_volume_type,
    ),
    Command(
        "enable_bucket_versioning",
        rf"{_ENABLE}\s+(?:[\w'-]+\s+|⟨svc⟩\s+){{0,2}}?versioning",
        "enable versioning on",
        (
            Example("enable versioning on bucket acme-logs", "acme-logs"),
            Example("turn on versioning for acme-logs", "acme-logs"),
        ),
        bare_names=True,
    ),
    Command(
        "enable_bucket_encryption",
        rf"{_ENABLE}\s+(?:[\w'-]+\s+|⟨svc⟩\s+){{0,2}}?(?:encryption|sse(?:-s3|-kms)?)\b"
        rf"|encrypt\s+{_FILL}{_OBJ}"
        # "sse-s3 on bucket acme-tmp": the setting named, then its bucket.
        r"|(?:sse-s3|sse-kms|aes-?256|kms\s+encryption)\s+(?:encryption\s+)?(?:on|for)\s+",
        "encrypt",
        (
            Example("enable encryption on bucket acme-logs", "acme-logs"),
            Example("encrypt bucket acme-logs with sse-kms", "acme-logs", {"algorithm": "aws:kms"}),
        ),
        params=_encryption,
        bare_names=True,
    ),
    Command(
        "enable_ebs_default_encryption",
        rf"{_ENABLE}\s+(?:[\w'-]+\s+|⟨svc⟩\s+){{0,3}}?"
        r"(?:default\s+(?:⟨svc⟩\s+)?encryption|encryption\s+by\s+default)",
        "turn on default EBS encryption in",
        (
            Example("enable EBS default encryption in eu-west-1", EBS_DEFAULT_ID, region="eu-west-1"),
            Example("turn on ebs encryption by default in us-east-1", EBS_DEFAULT_ID, region="us-east-1"),
        ),
    ),
    Command(
        "require_imdsv2",
        r"(?:enforce|require|enable|turn\s+on|force|mandate|use|(?:switch|set|move|upgrade)\s+(?:[\w-]+\s+|⟨\w+⟩\s+){0,3}?to)"
        r"\s+(?:the\s+)?imds\s*-?v2|(?:disable|turn\s+off|block)\s+(?:the\s+)?imds\s*-?v1",
        "require IMDSv2 on",
        (
            Example(f"enforce IMDSv2 on {_I}", _I),
            Example(f"require imdsv2 on instance {_I}", _I),
        ),
    ),
    Command(
        "deactivate_access_key",
        rf"(?:deactivate|disable|revoke|turn\s+off|suspend|inactivate)\s+{_FILL}"
        r"(?:⟨svc⟩|access\s+keys?|keys?|(?:akia|asia)[a-z0-9]+|credentials?)",
        "deactivate the access key of",
        (
            Example(f"deactivate access key {_AKIA} of user alice", "alice", {"access_key_id": _AKIA}),
            Example("disable the access key of user bob", "bob"),
        ),
        params=_access_key,
        needs=r"\b(?:access\s+keys?|keys?|credentials?)\b|\b(?:AKIA|ASIA)[A-Z0-9]{12,}",
    ),
    Command(
        "make_snapshot_private",
        _MAKE_PRIVATE + r"|(?:unshare|stop\s+sharing)\s+",
        "make private",
        (
            Example(f"make snapshot {_SNAP} private", _SNAP),
            Example(f"stop sharing {_SNAP} publicly", _SNAP),
        ),
    ),
    Command(
        "disable_public_access",
        _MAKE_PRIVATE,
        "make private",
        (
            Example("make db orders-db private", "orders-db"),
            Example("disable public access on database orders-db", "orders-db"),
        ),
    ),
    Command(
        "enable_key_rotation",
        rf"{_ENABLE}\s+(?:[\w'-]+\s+|⟨svc⟩\s+){{0,3}}?rotation\b"
        # "rotate key 1234abcd-… automatically": a KMS key, named by its id or alias.
        r"|rotate\s+(?:the\s+)?(?:⟨svc⟩\s+|(?:kms\s+)?keys?\s+)(?:[0-9a-f]{8}-|mrk-|alias/)",
        "turn on rotation for",
        (
            Example(f"enable rotation on key {_KEY}", _KEY),
            Example("turn on automatic key rotation for alias/prod-data", "alias/prod-data"),
        ),
    ),
    Command(
        "enable_log_file_validation",
        rf"{_ENABLE}\s+(?:[\w'-]+\s+|⟨svc⟩\s+){{0,4}}?validation\b",
        "turn on log file validation for",
        (
            Example("enable log file validation on trail main-trail", "main-trail"),
            Example("turn on cloudtrail log validation for the org-trail trail", "org-trail"),
        ),
        bare_names=True,
    ),
    Command(
        "remove_nacl_entry",
        rf"{_DELETE}\s+(?:[\w'#-]+\s+|⟨\w+⟩\s+){{0,6}}?(?:(?:network\s+)?acls?|nacls?|entr(?:y|ies))\b",
        "remove the world-open entries of",
        (
            Example(f"remove the world-open entries from network acl {_ACL}", _ACL),
            Example(f"delete entry 100 from {_ACL}", _ACL, {"rule_number": 100}),
        ),
        params=_nacl_entry,
        needs=r"\bacl-[0-9a-f]|\bn?acls?\b",
    ),
    Command(
        "redirect_http_to_https",
        r"(?:redirect|force|send|move)\s+(?:[\w'-]+\s+|⟨\w+⟩\s+){0,5}?(?:to|onto)\s+https\b"
        rf"|{_ENABLE}\s+(?:an?\s+|the\s+)?(?:http\s+to\s+)?https\s+redirect",
        "redirect HTTP to HTTPS on",
        (
            Example("redirect http to https on load balancer web-alb", "web-alb"),
            Example("enable the https redirect on alb shop-frontend", "shop-frontend"),
        ),
    ),
    Command(
        "enable_pitr",
        rf"{_ENABLE}\s+(?:[\w'-]+\s+|⟨svc⟩\s+){{0,3}}?"
        r"(?:pitr|point[\s-]in[\s-]time(?:\s+recovery)?|continuous\s+backups?)\b",
        "turn on point-in-time recovery for",
        (
            Example("enable PITR on table orders-prod", "orders-prod"),
            Example("turn on point-in-time recovery for dynamodb table sessions-v2", "sessions-v2"),
        ),
        bare_names=True,
    ),
    Command(
        "enable_scan_on_push",
        rf"{_ENABLE}\s+(?:[\w'-]+\s+|⟨svc⟩\s+){{0,3}}?(?:image\s+)?scan(?:ning)?\s+on\s+push\b",
        "turn on scan on push for",
        (
            Example("turn on scan on push for repo web-api", "web-api"),
            Example("enable scan on push on ECR repository payments-api", "payments-api"),
        ),
        bare_names=True,
    ),
    Command(
        "enable_guardduty",
        rf"{_ENABLE}\s+(?:aws\s+|amazon\s+)?⟨svc⟩",
        "turn on GuardDuty in",
        (
            Example("enable GuardDuty in eu-west-1", GUARDDUTY_ID, region="eu-west-1"),
            Example("turn on guardduty in us-east-1", GUARDDUTY_ID, region="us-east-1"),
        ),
        needs=r"\bguard\s?duty\b",
    ),
    Command(
        "disable_auto_public_ip",
        r"(?:disable|turn\s+off|switch\s+off|stop|remove)\s+(?:[\w'-]+\s+|⟨\w+⟩\s+){0,5}?"
        r"(?:auto[\s-]?assign(?:ed|ing|ment)?\s+)?public\s+ip(?:v4)?s?\b"
        r"|(?:disable|turn\s+off)\s+(?:the\s+)?map[\s-]?public[\s-]?ip[\s-]?on[\s-]?launch",
        "turn off auto-assigned public IPs on",
        (
            Example(f"disable auto-assign public IP on {_SUBNET}", _SUBNET),
            Example(f"stop {_SUBNET} from assigning public ips", _SUBNET),
        ),
        needs=r"\bsubnet",
    ),
)

# Suppression is planned by suppress.py; these messages must reach each tool directly.
SUPPRESSION_EXAMPLES: dict[str, tuple[str, ...]] = {
    SuppressFinding.name: (
        "suppress finding f-0123456789abcdef for 30 days because it is a lab bucket",
        "mute f-0123456789abcdef until 2024-12-31 because the vendor fix ships in December",
    ),
    UnsuppressFinding.name: (
        "unsuppress f-0123456789abcdef",
        "lift the suppression of finding f-0123456789abcdef",
    ),
}

# Requests for something no action does, answered with what can be done instead.
REFUSED: tuple[tuple[str, str], ...] = (
    (
        rf"(?:terminate|kill)\s+{_FILL}(?:{_OBJ}|instances?|servers?|vms?)"
        rf"|{_DELETE}\s+{_FILL}(?:instances?|servers?|vms?)\b",
        "I can't make that change: no remediation action terminates or deletes an instance. I can stop "
        "it (it keeps its volumes and can be started again), e.g. 'stop instance i-0123456789abcdef0'.",
    ),
)

_UNKNOWN = sorted({c.action for c in COMMANDS} ^ set(ACTIONS))
if _UNKNOWN:  # pragma: no cover - a row and the registry disagree
    raise RuntimeError(f"commands.py and the remediation registry disagree on: {', '.join(_UNKNOWN)}")

# Every phrasing, for intents.detect_change to put behind its request prefix.
REQUEST = "|".join([f"(?:{c.phrase})" for c in COMMANDS if c.phrase] + [f"(?:{p})" for p, _ in REFUSED])

_PHRASES = {c.action: re.compile(c.phrase, _F) for c in COMMANDS if c.phrase}
_NEEDS = {c.action: re.compile(c.needs, _F) for c in COMMANDS if c.needs}
_REFUSED = tuple((re.compile(p, _F), answer) for p, answer in REFUSED)


def refused(ex: Extraction) -> str | None:
    """The answer to a request for something no action does (terminating an instance)."""
    if ex.resources_of("security_group") or ex.ports:
        # "kill rdp access on sg-…": closing ingress, not terminating anything.
        return None
    return next(
        (answer for pattern, answer in _REFUSED if pattern.search(ex.lower) or pattern.search(ex.original)),
        None,
    )


def requested(ex: Extraction) -> list[Command]:
    """The commands whose phrasing the message (already known to be a change request) uses."""
    return [
        c
        for c in COMMANDS
        if c.action in _PHRASES
        and _PHRASES[c.action].search(ex.lower)
        and (c.action not in _NEEDS or _NEEDS[c.action].search(ex.original))
    ]


def by_example(command: Command) -> str:
    return f"e.g. '{command.examples[0].text}'"


def resource_label(command: Command, count: int = 1) -> str:
    return type_label(ACTIONS[command.action].resource_type, count)


# Names the extraction doesn't read, for the resource types only some actions take.
_NAME = r"[\"'`]?(?P<n>[A-Za-z0-9][\w./-]{0,127})"
_NAMED: dict[str, tuple[re.Pattern[str], ...]] = {
    "elastic_ip": (
        re.compile(rf"\b(?:elastic\s+ips?|eips?)(?:\s+address)?\s+(?:named\s+|called\s+)?{_NAME}", _F),
        re.compile(rf"(?<![\w/-]){_NAME}\s+(?:elastic\s+ip|eip)\b", _F),
    ),
    "kms_key": (
        re.compile(r"(?<![\w-])(?P<n>[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}|mrk-[0-9a-f]{32})\b", _F),
        re.compile(r"(?<![\w/-])(?P<n>alias/[\w/.-]*\w)", _F),
    ),
    "iam_user": (
        # "bob's access key", "the access key of bob"
        re.compile(
            r"\b(?P<n>[A-Za-z][\w.+=@-]{0,63})'s\s+(?:aws\s+)?(?:access\s+keys?|keys?|credentials?)", _F
        ),
        re.compile(
            rf"\b(?:access\s+keys?|credentials?)\s+(?:of|for|belonging\s+to)\s+(?:user\s+)?{_NAME}", _F
        ),
    ),
    "dynamodb_table": (
        re.compile(rf"(?<![\w-])table\s+(?:named\s+|called\s+)?{_NAME}", _F),
        re.compile(rf"(?<![\w/-]){_NAME}\s+table\b", _F),
    ),
    "ecr_repository": (
        re.compile(rf"(?<![\w-])(?:repository|repo)\s+(?:named\s+|called\s+)?{_NAME}", _F),
        re.compile(rf"(?<![\w/-]){_NAME}\s+(?:repository|repo)\b", _F),
    ),
    "load_balancer": (
        re.compile(rf"(?<![\w-])(?:load[\s-]balancer|alb|elb|lb)\s+(?:named\s+|called\s+)?{_NAME}", _F),
        re.compile(rf"(?<![\w/-]){_NAME}\s+(?:load[\s-]balancer|alb)\b", _F),
    ),
    "cloudtrail_trail": (
        re.compile(rf"(?<![\w-])(?:trail|cloud\s?trail)\s+(?:trail\s+)?(?:named\s+|called\s+)?{_NAME}", _F),
        re.compile(rf"(?<![\w/-]){_NAME}\s+trail\b", _F),
    ),
}
_NOT_NAMES = frozenset(
    ("the", "a", "an", "on", "for", "in", "of", "to", "and", "with", "log", "logs", "file", "files")
    + ("validation", "address", "addresses", "named", "called", "key", "keys", "rotation", "trail", "trails")
    + ("table", "tables", "repository", "repo", "repos", "balancer", "scan", "push", "pitr", "https", "http")
)
_IP = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}")
_BARE = re.compile(r"\b(?:on|for|of)\s+(?:the\s+)?[\"'`]?(?P<n>[a-z0-9][a-z0-9._-]{1,62})\b", _F)


def _nameish(word: str) -> bool:
    return bool(re.search(r"[-_./\d]", word))


def targets(command: Command, ex: Extraction) -> list[str]:
    """The resources of the command's type that the message names, in a first-seen order."""
    rtype = ACTIONS[command.action].resource_type
    if rtype in REGIONAL_SETTINGS:
        # One setting per region: the message names the regions.
        return [REGIONAL_SETTINGS[rtype]] if ex.regions and not ex.resources else []
    found: list[str] = []
    for prefix in kind(rtype).id_prefixes:
        if not prefix.startswith("arn:"):
            found += re.findall(rf"\b{re.escape(prefix)}[0-9a-f]{{4,17}}\b", ex.original, _F)
    for ref in ex.resources:
        if ref.kind == rtype or (
            ref.kind is None
            and ref.value.startswith("arn:")
            and types_for_lookup(ref.value, list(ALL_RESOURCE_TYPES)) == [rtype]
        ):
            found.append(ref.value)
    for pattern in _NAMED.get(rtype, ()):
        for m in pattern.finditer(ex.original):
            name = m.group("n").rstrip(".")
            if name.lower() in _NOT_NAMES or _IP.fullmatch(name) or name.lower().startswith("arn:"):
                continue
            if pattern.pattern.startswith("(?<!") and not _nameish(name):
                continue
            found.append(name)
    if not found and command.bare_names:
        found += bare_names(ex) or _first_name(ex)
    seen: set[str] = set()
    out: list[str] = []
    for value in found:
        value = value.lower() if value.lower().startswith(tuple(kind(rtype).id_prefixes)) else value
        if value.lower() not in seen:
            seen.add(value.lower())
            out.append(value)
    return out


def bare_names(ex: Extraction) -> list[str]:
    """Names written after "on"/"for"/"of" without their kind ("turn on versioning for acme-logs")."""
    return [m.group("n") for m in _BARE.finditer(ex.lower) if _nameish(m.group("n"))]


_TOKEN = re.compile(r"(?<![\w⟨/:.'-])(?P<n>[a-z0-9][a-z0-9._-]{2,62})(?![\w⟩/:'-])")
_NOT_TARGETS = re.compile(
    r"(?:sse-(?:s3|kms)|aes-?256|s3-managed|gp\d|io\d|st1|sc1|imds-?v\d|[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}"
    r"|mrk-[0-9a-f]+|\d+(?:\.\d+)*)",
    _F,
)


def _first_name(ex: Extraction) -> list[str]:
    """The one name-like word of the message ("encrypt acme-data with kms key …"), when there is one."""
    names = [
        m.group("n")
        for m in _TOKEN.finditer(ex.lower)
        if _nameish(m.group("n")) and not _NOT_TARGETS.fullmatch(m.group("n"))
    ]
    return names[:1] if len(set(names)) == 1 else []


def params(command: Command, ex: Extraction) -> dict[str, Any] | str:
    return command.params(ex)


def service_hint(command: Command, ex: Extraction) -> bool:
    """Whether the message mentions the service of the command's resource type."""
    return kind(ACTIONS[command.action].resource_type).service in {s.key for s in ex.services}


def per_region(command: Command) -> bool:
    """Whether the command's target is a per-region setting, named by the regions of the message."""
    return ACTIONS[command.action].resource_type in REGIONAL_SETTINGS


def command(action: str) -> Command:
    return next(c for c in COMMANDS if c.action == action)
