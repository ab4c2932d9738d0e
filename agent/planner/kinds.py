"""The kinds of request the offline planner tells apart.

Kept apart from the rules that recognise them (intents.py) so the route table can name them
without depending on those rules, which consult the table.
"""

from __future__ import annotations

from enum import StrEnum


class Intent(StrEnum):
    GREETING = "greeting"
    THANKS = "thanks"
    HELP = "help"
    FIX = "fix"
    REMEDIATE = "remediate"
    DECLINE = "decline"
    KNOWLEDGE = "knowledge"
    FINDINGS = "findings"
    SCAN = "scan"
    COST = "cost"
    ANOMALY = "anomaly"
    FORECAST = "forecast"
    SAVINGS = "savings"
    INVENTORY = "inventory"
    IAC = "iac"
    SCORE = "score"
    CHANGES = "changes"
    SUPPRESS = "suppress"
    UNSUPPRESS = "unsuppress"
    # A read-only tool recognised by its route row alone; Classification.tool names it.
    ROUTE = "route"
    UNKNOWN = "unknown"
