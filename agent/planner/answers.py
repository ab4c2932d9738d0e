"""Canned answers of the offline planner: greetings, help, and text composed from tool outcomes."""

from __future__ import annotations

import re

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


def unknown_answer(text: str, tools: list[ToolSpec]) -> str:
    shown = text.strip()
    if len(shown) > 80:
        shown = shown[:77] + "..."
    return (
        f'Sorry, I didn\'t understand "{shown}". Here is what I can do:\n'
        f"{capabilities(tools)}\n"
        "Try one of these, or say 'help'."
    )


def unavailable_answer(tool: str) -> str:
    return f"I can't do that here: the {tool} tool isn't enabled in this deployment."


def _describe_call(call: PlannedCall) -> str:
    return call.name.replace("_", " ")


def compose(results: list[ToolOutcomeView]) -> str:
    """One paragraph per call, from each outcome's own message."""
    if not results:
        return "There was nothing to run."
    paragraphs = []
    for outcome in results:
        message = outcome.message.strip()
        label = _describe_call(outcome.call).capitalize()
        if outcome.status == "error":
            paragraphs.append(f"{label} failed: {message or 'unknown error'}")
        elif outcome.status == "no_data":
            paragraphs.append(message or f"{label}: no data found.")
        else:
            paragraphs.append(message or f"{label}: {outcome.status}.")
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
