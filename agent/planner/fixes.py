"""Remediation requests: explicit ones ("close port 22 on sg-0123abcd") and "fix it" ones that
act on what earlier turns found (PastTurn.fixable).

Whenever the target is not certain, the answer is a question, never a guessed change.
"""

from __future__ import annotations

import re
from typing import Any

from agent.planner import commands
from agent.planner.base import FixSuggestion, PastTurn, PlannedCall, PlannerDecision
from agent.planner.calls import REMEDIATE
from agent.planner.commands import Command
from agent.planner.extract import Extraction, ResourceRef, extract
from agent.planner.intents import block_public_requested, revoke_requested
from agent.planner.vocab import SERVICE_PORTS

REVOKE = "revoke_ingress"
BLOCK = "block_public_access"

_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6}
_ORDINALS |= {"1st": 1, "2nd": 2, "3rd": 3}
_ALL = re.compile(r"\b(?:them|all|everything|both|those|these|each|every\s+one)\b", re.I)
_BUCKET_WORDS = re.compile(r"\bbuckets?\b|\bpublic\s+access\b", re.I)
_SG_WORDS = re.compile(r"\b(?:security\s+groups?|sgs?|ports?|ssh|rdp|ingress|rules?)\b", re.I)
_FINDING_ID = re.compile(r"\bfinding\s+(?:#|id\s+|number\s+)?[\"'`]?(?P<id>[\w][\w:./-]*)", re.I)

_EXAMPLES = {
    REVOKE: "e.g. 'close port 22 on sg-0123abcd'",
    BLOCK: "e.g. 'block public access on bucket acme-logs'",
}


def suggestion_call(fix: FixSuggestion) -> PlannedCall:
    args: dict[str, Any] = {"action": fix.action, "resource_id": fix.resource_id}
    if fix.region:
        args["region"] = fix.region
    if fix.account:
        args["account"] = fix.account
    if fix.params:
        args["params"] = dict(fix.params)
    return PlannedCall(name=REMEDIATE, args=args)


def _describe(fix: FixSuggestion) -> str:
    what = fix.title or fix.action.replace("_", " ")
    return f"{what} ({fix.action} on {fix.resource_id})"


def _choose(candidates: list[FixSuggestion], what: str) -> PlannerDecision:
    lines = "\n".join(f"{i}. {_describe(f)}" for i, f in enumerate(candidates, 1))
    return PlannerDecision(
        answer=f"Which one should I fix? I found {len(candidates)} {what}:\n{lines}\n"
        "Say e.g. 'fix the first one', 'fix all', or name the resource."
    )


def _distinct(fixes: list[FixSuggestion]) -> list[FixSuggestion]:
    """One suggestion per change: two findings fixed by the same call (a public bucket and its
    missing Block Public Access) are one thing to fix."""
    seen: set[tuple[str, str, str | None, str | None, str]] = set()
    out: list[FixSuggestion] = []
    for fix in fixes:
        key = (fix.action, fix.resource_id.lower(), fix.region, fix.account, repr(sorted(fix.params.items())))
        if key not in seen:
            seen.add(key)
            out.append(fix)
    return out


# Fixes that close an exposure, for "fix it" after a question about what is public or open.
_EXPOSURE_ACTIONS = frozenset({REVOKE, BLOCK, "disable_public_access", "make_snapshot_private"})
_EXPOSURE_WORDS = re.compile(
    r"\b(?:public(?:ly)?|exposed?|exposures?|world[\s-]open|open\s+to|open\s+ports?|internet)\b", re.I
)


def _latest_fixable(history: list[PastTurn]) -> list[FixSuggestion]:
    for turn in reversed(history):
        if turn.fixable:
            fixes = _distinct(list(turn.fixable))
            if _EXPOSURE_WORDS.search(turn.text):
                # A scan answers more than was asked; "it" is what the question was about.
                return [f for f in fixes if f.action in _EXPOSURE_ACTIONS] or fixes
            return fixes
    return []


def _all_fixable(history: list[PastTurn]) -> list[FixSuggestion]:
    """Every suggestion in the conversation, the most recent first."""
    return _distinct([fix for turn in reversed(history) for fix in turn.fixable])


def _ordinal(ex: Extraction) -> int | None:
    text = ex.lower
    m = re.search(r"(?:#|\bnumber\s+|\bno\.?\s*)(\d{1,2})\b", text) or re.search(
        r"^\s*(?:please\s+)?(?:fix|remediate|resolve)\s+(\d{1,2})\b|^\s*(\d{1,2})[.)]?\s*$", text
    )
    if m:
        return int(next(g for g in m.groups() if g))
    m = re.search(r"\b(first|second|third|fourth|fifth|sixth|1st|2nd|3rd|last)\b", text)
    if m:
        return -1 if m.group(1) == "last" else _ORDINALS[m.group(1)]
    return None


def _kind_filter(ex: Extraction, candidates: list[FixSuggestion]) -> list[FixSuggestion]:
    keys = {s.key for s in ex.services}
    wants_bucket = "s3" in keys or bool(_BUCKET_WORDS.search(ex.original))
    wants_sg = bool(keys & {"security_group", "ec2"}) or bool(_SG_WORDS.search(ex.original)) or bool(ex.ports)
    if wants_bucket == wants_sg:
        return candidates
    action = BLOCK if wants_bucket else REVOKE
    return [c for c in candidates if c.action == action]


def _matches(fix: FixSuggestion, ref: ResourceRef) -> bool:
    return fix.resource_id.lower() == ref.value.lower()


def _inferred(ref: ResourceRef, ex: Extraction) -> PlannedCall | None:
    """A change for a named resource that no earlier turn suggested: only the obvious ones."""
    if ref.kind == "security_group":
        return revoke_calls(ex, [ref.value])[0]
    if ref.kind == "s3_bucket":
        return _call(BLOCK, ref.value, ex, {})
    return None


def _call(
    action: str, resource_id: str, ex: Extraction, params: dict[str, Any], region: str | None = None
) -> PlannedCall:
    args: dict[str, Any] = {"action": action, "resource_id": resource_id}
    if region is not None:
        args["region"] = region
    elif len(ex.regions) == 1:
        args["region"] = ex.regions[0]
    if params:
        args["params"] = params
    return PlannedCall(name=REMEDIATE, args=args)


_PORT_NAMES = re.compile(
    r"\b(?:" + "|".join(f"(?P<p{i}>{w})" for i, w in enumerate(SERVICE_PORTS)) + r")\b", re.I
)
_PORT_NUMBERS = {f"p{i}": port for i, port in enumerate(SERVICE_PORTS.values())}
# "close 3389 on sg-…", "block 80 and 443": bare numbers right after the verb are ports.
_BARE_PORTS = re.compile(
    r"\b(?:close|revoke|remove|delete|drop|disable|restrict|shut|block|kill|deny)\s+(?:inbound\s+|ingress\s+)?"
    r"(?P<list>\d{1,5}(?:\s*(?:,|and|&|or|/)\s*\d{1,5})*)(?![\d.])",
    re.I,
)


def revoke_ports(ex: Extraction) -> list[int]:
    """The ports a request to close ingress names: "port 22", "ssh", "postgres and mysql", "close 3389"."""
    ports = list(ex.ports)
    ports += [_PORT_NUMBERS[m.lastgroup] for m in _PORT_NAMES.finditer(ex.original) if m.lastgroup]
    for m in _BARE_PORTS.finditer(ex.lower):
        ports += [int(p) for p in re.findall(r"\d+", m.group("list"))]
    return [p for p in dict.fromkeys(ports) if 0 < p < 65536]


def revoke_calls(ex: Extraction, groups: list[str]) -> list[PlannedCall]:
    """One call per security group; several ports go together in `ports`."""
    params: dict[str, Any] = {"cidr": ex.cidr} if ex.cidr else {}
    ports = revoke_ports(ex)
    if len(ports) == 1:
        params["port"] = ports[0]
    elif ports:
        params["ports"] = ports
    return [_call(REVOKE, group, ex, dict(params)) for group in groups]


def plan_fix(ex: Extraction, history: list[PastTurn]) -> PlannerDecision:
    """'fix it', 'fix them', 'fix the bucket', 'fix finding F-12', 'fix sg-0123abcd' ..."""
    finding = _FINDING_ID.search(ex.original)
    everything = _all_fixable(history)
    if finding and not ex.resources:
        wanted = finding.group("id").lower()
        hits = [f for f in everything if (f.finding_id or "").lower() == wanted]
        if hits:
            return PlannerDecision(calls=[suggestion_call(hits[0])])
        return PlannerDecision(
            answer=f"I don't have a fix for finding {finding.group('id')} from this conversation. "
            "Ask me to 'list open findings' or 'run a security scan' first, then say 'fix it'."
        )
    if ex.resources:
        calls: list[PlannedCall] = []
        for ref in ex.resources:
            hit = next((f for f in everything if _matches(f, ref)), None)
            call = suggestion_call(hit) if hit else _inferred(ref, ex)
            if call is None:
                return PlannerDecision(
                    answer=f"I don't know how to fix {ref.value}: no earlier answer offered a fix for it. "
                    "Say the change instead, e.g. 'stop instance i-0123456789abcdef0' or "
                    "'require imdsv2 on i-0123456789abcdef0'."
                )
            calls.append(call)
        return PlannerDecision(calls=calls)
    candidates = _kind_filter(ex, _latest_fixable(history))
    if not candidates:
        return PlannerDecision(
            answer="Which resource should I fix? I have nothing fixable from this conversation yet. "
            "Run a security scan first (e.g. 'are any buckets public?'), or name it: "
            f"{_EXAMPLES[REVOKE]}, or {_EXAMPLES[BLOCK]}."
        )
    index = _ordinal(ex)
    if index is not None:
        if index == -1 or 1 <= index <= len(candidates):
            return PlannerDecision(calls=[suggestion_call(candidates[index - 1 if index > 0 else -1])])
        return _choose(candidates, "fixable issues")
    if len(candidates) == 1 or _ALL.search(ex.lower) or _plural_kind(ex):
        return PlannerDecision(calls=[suggestion_call(c) for c in candidates])
    return _choose(candidates, "fixable issues")


def _plural_kind(ex: Extraction) -> bool:
    return bool(re.search(r"\b(?:buckets|security\s+groups|sgs|ports)\b", ex.original, re.I))


def plan_remediation(ex: Extraction, history: list[PastTurn]) -> PlannerDecision:
    """An explicit change request: revoke world-open ingress, or block a bucket's public access."""
    direct = plan_direct(ex, history)
    if direct is not None:
        return direct
    buckets = ex.resources_of("s3_bucket")
    groups = ex.resources_of("security_group")
    block = (block_public_requested(ex.lower) and not (groups and not buckets)) or (
        bool(buckets) and not groups and not ex.ports
    )
    if block and not buckets and not ex.resources:
        # "turn on block public access for acme-exports": a bucket named without the word.
        buckets = commands.bare_names(ex)
    action = BLOCK if block else REVOKE
    targets = buckets if block else groups
    if not targets:
        others = [r.value for r in ex.resources]
        if others:
            return PlannerDecision(
                answer=f"I can't make that change to {', '.join(others)}. Say which change, e.g. "
                "'stop instance i-0123456789abcdef0', 'delete volume vol-0123456789abcdef0', "
                f"or {_EXAMPLES[action]}."
            )
        candidates = [f for f in _latest_fixable(history) if f.action == action]
        if len(candidates) == 1:
            call = suggestion_call(candidates[0])
            if action == REVOKE and revoke_ports(ex):
                call = revoke_calls(ex, [candidates[0].resource_id])[0]
                if candidates[0].region and "region" not in call.args:
                    call.args["region"] = candidates[0].region
            return PlannerDecision(calls=[call])
        if candidates:
            return _choose(candidates, "candidates")
        earlier = _earlier_of("s3_bucket" if block else "security_group", ex, history)
        if earlier is not None:
            calls = [_call(BLOCK, earlier, ex, {})] if block else revoke_calls(ex, [earlier])
            return PlannerDecision(calls=calls)
        kind = "bucket" if block else "security group"
        return PlannerDecision(answer=f"Which {kind} should I change? Name it, {_EXAMPLES[action]}.")
    if block:
        return PlannerDecision(calls=[_call(BLOCK, b, ex, {}) for b in targets])
    return PlannerDecision(calls=revoke_calls(ex, targets))


def plan_direct(ex: Extraction, history: list[PastTurn]) -> PlannerDecision | None:
    """A remediation action asked for directly ("stop instance i-0123…", "convert vol-0123… to gp3").

    None when the message uses none of the phrasings of commands.py, or when it is really a
    request to close ingress or block a bucket's public access (whose words overlap: "delete the
    rule on sg-0123…", "disable public access on bucket acme-logs").
    """
    asked = commands.requested(ex)
    refusal = commands.refused(ex)
    if not asked:
        return None if refusal is None else PlannerDecision(answer=refusal)
    calls: list[PlannedCall] = []
    for command in asked:
        found = commands.targets(command, ex)
        if not found:
            continue
        params = commands.params(command, ex)
        if isinstance(params, str):
            return PlannerDecision(answer=params)
        if commands.per_region(command):
            calls += [_call(command.action, found[0], ex, params, region) for region in ex.regions]
        else:
            calls += [_call(command.action, target, ex, params) for target in found]
    if calls:
        if ex.account and re.fullmatch(r"\d{12}", ex.account):
            for call in calls:
                call.args["account"] = ex.account
        return PlannerDecision(calls=calls)
    if refusal is not None:
        return PlannerDecision(answer=refusal)
    hinted = [c for c in asked if commands.service_hint(c, ex)]
    if (revoke_requested(ex.lower) or block_public_requested(ex.lower)) and (
        ex.resources_of("security_group") or ex.resources_of("s3_bucket") or not hinted
    ):
        # Closing ingress or blocking a bucket's public access, in words other actions share.
        return None
    return _direct_without_target(ex, history, hinted or asked)


def _direct_without_target(ex: Extraction, history: list[PastTurn], asked: list[Command]) -> PlannerDecision:
    """A direct command naming nothing it can act on: what earlier turns offered, else a question."""
    actions = {c.action for c in asked}
    candidates = [f for f in _latest_fixable(history) if f.action in actions]
    if candidates:
        index = _ordinal(ex)
        if index is not None and (index == -1 or 1 <= index <= len(candidates)):
            return PlannerDecision(calls=[suggestion_call(candidates[index - 1 if index > 0 else -1])])
        if len(candidates) == 1 or (index is None and _ALL.search(ex.lower)):
            return PlannerDecision(calls=[suggestion_call(c) for c in candidates])
        return _choose(candidates, "candidates")
    command = asked[0]
    earlier = _named_earlier(command, ex, history)
    if earlier:
        return PlannerDecision(calls=[_call(command.action, earlier, ex, {})])
    label = commands.resource_label(command)
    if ex.resources:
        named = ", ".join(r.value for r in ex.resources)
        kinds = commands.resource_label(command, 2)
        return PlannerDecision(
            answer=f"I can't make that change to {named}: {command.action} works on {kinds}. "
            f"Name one, {commands.by_example(command)}."
        )
    if commands.per_region(command):
        return PlannerDecision(answer=f"In which region? Name it, {commands.by_example(command)}.")
    return PlannerDecision(
        answer=f"Which {label} should I {command.verb}? Name it by its id or name, "
        f"{commands.by_example(command)}."
    )


_POINTS_BACK = re.compile(r"\b(?:it|its|that|this|that\s+one|this\s+one)\b", re.IGNORECASE)
_NAMEISH = re.compile(r"[\w.]*[-_\d][\w.-]*")


def _named_earlier(command: Command, ex: Extraction, history: list[PastTurn]) -> str | None:
    """ "is acme-data encrypted?" then "turn on encryption for it": the one resource of the
    command's kind that the previous message named. None when it named none, or several."""
    if ex.resources or not history or not _POINTS_BACK.search(ex.lower) or ex.today is None:
        return None
    earlier = extract(history[-1].text, ex.today)
    found = [t for t in commands.targets(command, earlier) if _NAMEISH.fullmatch(t)]
    return found[0] if len(found) == 1 else None


def _earlier_of(resource_type: str, ex: Extraction, history: list[PastTurn]) -> str | None:
    """ "show me findings for sg-…" then "close 3389 on it": the one resource of that type the
    previous message named."""
    if ex.resources or not history or not _POINTS_BACK.search(ex.lower) or ex.today is None:
        return None
    found = list(dict.fromkeys(extract(history[-1].text, ex.today).resources_of(resource_type)))
    return found[0] if len(found) == 1 else None
