"""Canned answers of the offline planner: greetings, help, and text composed from tool outcomes."""

from __future__ import annotations

import difflib
import re
from typing import Any

from agent.planner.base import PlannedCall, ToolOutcomeView, ToolSpec
from agent.planner.calls import (
    ANOMALIES,
    COST,
    FINDINGS,
    FORECAST,
    INVENTORY,
    KNOWLEDGE,
    REMEDIATE,
    SAVINGS,
    SCAN,
)

_CAPABILITIES: dict[str, str] = {
    COST: "Costs: 'how much did we spend on EC2 last month?', 'break down last month by service', "
    "'cost by region last 7 days', 'spend for team=platform'",
    ANOMALIES: "Cost spikes: 'any cost spikes recently?', 'anything unusual in EC2 spend last week?'",
    FORECAST: "Forecasts: 'what will we spend this month?', 'forecast the next 30 days by service'",
    SAVINGS: "Savings: 'where can we save money?', 'any idle instances or unattached volumes?'",
    INVENTORY: "Inventory: 'list our EC2 instances in eu-west-1', 'show security groups', "
    "'what buckets do we have?', 'describe sg-0123abcd'",
    SCAN: "Security scans: 'are any buckets public?', 'run a security scan', 'any open ports?'",
    FINDINGS: "Findings: 'show high severity findings', 'list open findings for s3'",
    REMEDIATE: "Fixes, after a human approves them: 'close port 22 on sg-0123abcd', "
    "'block public access on bucket acme-logs', or 'fix it' after a scan",
    KNOWLEDGE: "Runbooks and docs: 'what is our runbook for a full disk?', 'how do I rotate access keys?'",
}


def _first_sentence(text: str) -> str:
    sentence = re.split(r"(?<=[.!?])\s", text.strip(), maxsplit=1)[0]
    return sentence.rstrip(".")


def capabilities(tools: list[ToolSpec]) -> str:
    lines = []
    for tool in tools:
        line = _CAPABILITIES.get(tool.name) or f"{tool.name}: {_first_sentence(tool.description)}"
        lines.append(f"• {line}")
    return "\n".join(lines) if lines else "• nothing yet: no tools are enabled"


def help_answer(tools: list[ToolSpec]) -> str:
    return (
        "I'm CloudPilot, your cloud operations assistant. I can help with:\n"
        f"{capabilities(tools)}\n"
        "Follow-ups keep context, e.g. 'and last month?' or 'what about S3?'. "
        "Anything that changes your cloud waits for an approval."
    )


def greeting_answer(tools: list[ToolSpec]) -> str:
    return (
        "Hello! I'm CloudPilot. Ask me about cloud costs, inventory, security findings and runbooks, "
        "or say 'help' to see examples."
    )


THANKS_ANSWER = "Glad to help. Anything else?"
DECLINE_ANSWER = "OK, I won't change anything."


# Likely readings of a message no rule recognised: words that hint at a tool, and an example to offer.
_READINGS: tuple[tuple[str, frozenset[str], str], ...] = (
    (
        COST,
        frozenset(
            [
                "cost",
                "costs",
                "spend",
                "spent",
                "money",
                "bill",
                "billing",
                "price",
                "expensive",
                "dollars",
                "pay",
                "paid",
                "budget",
            ]
        ),
        "how much did we spend last month?",
    ),
    (
        ANOMALIES,
        frozenset(["spike", "spikes", "unusual", "jump", "anomaly", "anomalies", "surge", "weird"]),
        "any cost spikes recently?",
    ),
    (
        FORECAST,
        frozenset(["forecast", "predict", "prediction", "will", "future", "next", "projection", "projected"]),
        "what will we spend this month?",
    ),
    (
        SAVINGS,
        frozenset(
            ["save", "savings", "idle", "waste", "wasted", "cheaper", "optimize", "optimise", "unused"]
        ),
        "where can we save money?",
    ),
    (
        INVENTORY,
        frozenset(
            [
                "list",
                "show",
                "instances",
                "instance",
                "buckets",
                "bucket",
                "servers",
                "resources",
                "vms",
                "inventory",
                "have",
            ]
        ),
        "list our EC2 instances",
    ),
    (
        SCAN,
        frozenset(
            ["security", "secure", "public", "open", "ports", "port", "scan", "exposed", "risk", "risky"]
        ),
        "are any buckets public?",
    ),
    (
        FINDINGS,
        frozenset(["findings", "finding", "issues", "alerts", "problems", "severity"]),
        "show high severity findings",
    ),
    (
        KNOWLEDGE,
        frozenset(["runbook", "runbooks", "how", "docs", "guide", "procedure", "why", "explain"]),
        "what is our runbook for a full disk?",
    ),
    (REMEDIATE, frozenset(["fix", "close", "block", "remediate", "revoke"]), "close port 22 on sg-0123abcd"),
)


def _score(words: list[str], hints: frozenset[str]) -> float:
    score = 0.0
    for word in words:
        if word in hints:
            score += 1.0
        elif len(word) >= 4 and difflib.get_close_matches(word, list(hints), n=1, cutoff=0.75):
            score += 0.8
    return score


def unknown_suggestions(text: str, tools: list[ToolSpec]) -> list[str]:
    """Two or three likely readings of `text`, as phrasings: which ones follows the words used."""
    available = {t.name for t in tools}
    words = re.findall(r"[a-z]+", text.lower())
    readings = [(tool, example) for tool, _hints, example in _READINGS if tool in available]
    first = (COST, INVENTORY, SCAN)
    hints = {tool: h for tool, h, _e in _READINGS}
    ranked = sorted(
        readings,
        key=lambda r: (-_score(words, hints[r[0]]), first.index(r[0]) if r[0] in first else len(first)),
    )
    return [example for _tool, example in ranked[:3]]


def unknown_answer(text: str, tools: list[ToolSpec]) -> str:
    """Two or three likely readings, not the full help (see `unknown_suggestions`)."""
    shown = text.strip()
    if len(shown) > 80:
        shown = shown[:77] + "..."
    picked = [f"• '{example}'" for example in unknown_suggestions(text, tools)]
    if not picked:
        return f"Sorry, I didn't understand \"{shown}\". Say 'help' to see what I can do."
    return (
        f'I\'m not sure what you mean by "{shown}". Did you mean something like:\n'
        + "\n".join(picked)
        + "\nSay 'help' for everything I can do."
    )


def unavailable_answer(tool: str) -> str:
    return f"I can't do that here: the {tool} tool isn't enabled in this deployment."


def _describe_call(call: PlannedCall) -> str:
    return call.name.replace("_", " ")


def _said(value: Any) -> str:
    return str(value).replace("_", " ")


def interpretation(outcome: ToolOutcomeView) -> str | None:
    """One line saying how a cost question was read: scope, period, filters, cost type."""
    if outcome.call.name != COST:
        return None
    args = outcome.call.args
    data: dict[str, Any] = outcome.data if isinstance(outcome.data, dict) else {}
    scope = [str(args.get("service") or "all services")]
    if args.get("provider"):
        scope.append(str(args["provider"]))
    period = str(data.get("period") or _said(args.get("period") or "last_month"))
    comparison = data.get("comparison")
    if isinstance(comparison, dict) and comparison.get("period"):
        period += f" vs {comparison['period']}"
    elif args.get("compare_to"):
        period += f" vs {_said(args['compare_to'])}"
    parts = [", ".join(scope), period, f"{args.get('cost_type') or 'billed'} cost"]
    if args.get("group_by"):
        parts.append(f"by {str(args['group_by']).replace('_', ' ')}")
    if args.get("region"):
        parts.append(f"region {args['region']}")
    tags = args.get("tags") or {}
    parts += [f"{k}={v}" for k, v in dict(tags).items()]
    parts.append(f"account {args['account']}" if args.get("account") else "all accounts")
    return f"Understood: {', '.join(parts)}."


def compose(results: list[ToolOutcomeView], interpret: bool = False) -> str:
    """One paragraph per call, from each outcome's own message; with `interpret`, each cost
    paragraph starts with the line saying how the question was read."""
    if not results:
        return "There was nothing to run."
    paragraphs = []
    for outcome in results:
        line = interpretation(outcome) if interpret and outcome.status != "error" else None
        prefix = f"{line}\n" if line else ""
        message = outcome.message.strip()
        label = _describe_call(outcome.call).capitalize()
        if outcome.status == "error":
            paragraphs.append(f"{label} failed: {message or 'unknown error'}")
        elif outcome.status == "no_data":
            paragraphs.append(prefix + (message or f"{label}: no data found."))
        else:
            paragraphs.append(prefix + (message or f"{label}: {outcome.status}."))
    return "\n\n".join(paragraphs)


def repair_answer(failed: PlannedCall, error: str, tools: list[ToolSpec]) -> str:
    spec = next((t for t in tools if t.name == failed.name), None)
    accepted = ""
    if spec is not None:
        names = sorted(spec.parameters.get("properties", {}))
        if names:
            accepted = f" It accepts: {', '.join(names)}."
    reason = error.strip().rstrip(".")
    return (
        f"I couldn't run {failed.name} with what I understood ({_format_args(failed)}): {reason}."
        f"{accepted} Could you rephrase the request?"
    )


def _format_args(call: PlannedCall) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in call.args.items()) or "no arguments"
