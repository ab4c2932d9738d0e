"""The route table: one row per read-only tool the offline planner can call.

A row names the tool, how to recognise a message asking for it (``asks``) and how to build its
arguments (``build``). The planner derives everything else from the table: which tool an intent
calls, which builder a follow-up reuses. Adding a read-only tool is adding a row here; its
``asks`` is consulted by ``intents.classify`` after every request to change something and before
the generic knowledge, findings, cost, scan and inventory fallbacks, rows in table order.

Rows whose recognition depends on classify's ordering (infrastructure code before changes,
cost intelligence before suppression, knowledge versus inventory) have no ``asks``: their
``intent`` names the rule in classify that routes to them. Mutating tools (remediate,
suppress, unsuppress) are not routes; fixes.py and suppress.py plan them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from agent.planner.calls import (
    ANOMALIES,
    CHANGES,
    COST,
    FINDINGS,
    FORECAST,
    IAC,
    INVENTORY,
    KNOWLEDGE,
    SAVINGS,
    SCAN,
    SCORE,
    Variants,
    anomaly_args,
    changes_args,
    cost_args,
    findings_args,
    forecast_args,
    iac_args,
    inventory_args,
    knowledge_args,
    savings_args,
    scan_args,
    score_args,
)
from agent.planner.extract import Extraction
from agent.planner.kinds import Intent

Asks = Callable[[Extraction], bool]
Build = Callable[[Extraction], Variants]


@dataclass(frozen=True)
class Route:
    tool: str
    # Whether a message asks for this tool, judged on its own; None when a rule in classify decides.
    asks: Asks | None
    build: Build
    # The intent classify reports for this tool's requests; a row with ``asks`` may leave it out.
    intent: Intent | None = None
    # Messages that must reach this tool on their own (tests/agent/planner/test_reachability.py).
    examples: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.asks is None and self.intent is None:
            raise ValueError(f"route {self.tool!r} can never be chosen: give it `asks` or an `intent`")


_SCORE = re.compile(
    r"\b(?:security|compliance|cis|pci(?:[\s-]?dss)?|soc\s?2|fsbp|foundational)\b.{0,40}?\bscores?\b"
    r"|\bscores?\b.{0,30}?\b(?:cis|pci|soc\s?2|fsbp|complian\w*|security)\b|\bhow\s+compliant\b"
    r"|\bcompliance\s+(?:status|summary|report|posture|percentage)\b",
    re.IGNORECASE,
)
_CHANGES = re.compile(
    r"\bwhat(?:'s|\s+has|\s+have)?\s+changed\b.{0,40}?\b(?:scans?|findings?|security)\b"
    r"|\b(?:changes?|new|resolved|fixed)\b.{0,30}?\bsince\s+(?:the\s+|our\s+)?(?:last|previous|prior)\s+scan\b"
    r"|\b(?:compare|diff|delta\s+(?:of|between))\s+(?:the\s+)?(?:last\s+|latest\s+|previous\s+|two\s+|2\s+)*scans\b"
    r"|\b(?:diff|delta|difference|changes?)\s+between\s+(?:the\s+)?(?:\S+\s+){0,3}scans\b"
    r"|\bscan\s+(?:diff|changes|delta|comparison)\b"
    # A scan named by its id: "what's new since scan-3f2a…", "diff against scan-3f2a…".
    r"|\b(?:changes?|changed|new|resolved|fixed|diff|delta|since|compared?|against|vs\.?)\b.{0,40}?\bscan-[0-9a-f]{6,}\b",
    re.IGNORECASE,
)


def asks_score(ex: Extraction) -> bool:
    return _SCORE.search(ex.lower) is not None


def asks_changes(ex: Extraction) -> bool:
    return _CHANGES.search(ex.lower) is not None


ROUTES: tuple[Route, ...] = (
    Route(IAC, None, iac_args, Intent.IAC, ("write Terraform for a private S3 bucket with versioning",)),
    Route(ANOMALIES, None, anomaly_args, Intent.ANOMALY, ("any cost spikes recently?",)),
    Route(FORECAST, None, forecast_args, Intent.FORECAST, ("what will we spend by the end of the month?",)),
    Route(SAVINGS, None, savings_args, Intent.SAVINGS, ("where can we save money?",)),
    Route(SCORE, asks_score, score_args, Intent.SCORE, ("what's our CIS score?",)),
    Route(CHANGES, asks_changes, changes_args, Intent.CHANGES, ("what changed since the last scan?",)),
    Route(KNOWLEDGE, None, knowledge_args, Intent.KNOWLEDGE, ("what is our runbook for a full disk?",)),
    Route(FINDINGS, None, findings_args, Intent.FINDINGS, ("list open high severity findings",)),
    Route(COST, None, cost_args, Intent.COST, ("how much did we spend on EC2 last month",)),
    Route(SCAN, None, scan_args, Intent.SCAN, ("are any buckets public?",)),
    Route(INVENTORY, None, inventory_args, Intent.INVENTORY, ("list security groups in eu-west-1",)),
)


def builders(routes: Iterable[Route]) -> dict[str, Build]:
    """Each routed tool's argument builder, by tool name."""
    return {route.tool: route.build for route in routes}


def tools_by_intent(routes: Iterable[Route]) -> dict[Intent, str]:
    """The tool each of classify's intents calls, for the rows that name one."""
    return {route.intent: route.tool for route in routes if route.intent is not None}


BUILDERS = builders(ROUTES)
