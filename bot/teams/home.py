"""The approvers' home: in a personal chat, "home" (or "my approvals") answers with one card of
what waits for the person (pending requests they may decide), their own recent requests and the
latest critical findings they may see (the access policy's accounts for them).

The requests are listed, not decided, here: a decision is honoured only from the request's own
card, in the conversation where it was asked (the approval's `message_ref`), so the list says
where that is.
"""

from __future__ import annotations

from typing import Any

from microsoft_teams.cards import CardElement, Container, Fact, FactSet, TextBlock

from agent.api import Finding, latest_critical_findings, recent_requests, waiting_for
from agent.messages import ApprovalView
from agent.turn import Agent
from bot.teams.cards import adaptive_card

WORDS = {"home", "my approvals", "approvals", "my home", "inbox"}


def is_home(text: str) -> bool:
    return " ".join(text.lower().strip(" ?!.").split()) in WORDS


def _request_line(view: ApprovalView) -> Fact:
    when = f", expires {view.expires_at:%Y-%m-%d %H:%M} UTC" if view.expires_at else ""
    return Fact(title=view.id, value=f"{view.action} on {view.resource_id[:120]} — by {view.requester}{when}")


def _finding_line(finding: Finding) -> Fact:
    where = " ".join(p for p in (finding.account, finding.region) if p)
    return Fact(
        title=finding.severity.upper(), value=f"{finding.title[:120]}: {finding.resource_id[:120]} {where}"
    )


def _section(title: str, facts: list[Fact], empty: str) -> Container:
    items: list[CardElement] = [TextBlock(text=f"**{title}**", wrap=True)]
    items.append(FactSet(facts=facts) if facts else TextBlock(text=empty, wrap=True, is_subtle=True))
    return Container(items=items)


def home_card(agent: Agent, user: str, groups: set[str]) -> dict[str, Any]:
    waiting = waiting_for(agent, user, groups)
    mine = recent_requests(agent, user)
    findings = latest_critical_findings(agent, user)
    body: list[CardElement] = [
        TextBlock(text="**CloudPilot — your home**", wrap=True, size="Large"),
        _section(
            f"Waiting for your approval ({len(waiting)})",
            [_request_line(v) for v in waiting],
            "Nothing waits for you.",
        ),
    ]
    if waiting:
        body.append(
            TextBlock(
                text="Approve or reject each request on its card, in the conversation where it was asked.",
                wrap=True,
                is_subtle=True,
            )
        )
    body.append(
        _section(
            "Your recent requests",
            [Fact(title=v.id, value=f"{v.action} on {v.resource_id[:120]}: {v.status}") for v in mine],
            "You have asked for no changes.",
        )
    )
    body.append(
        _section(
            "Latest critical findings",
            [_finding_line(f) for f in findings],
            "No open critical findings you can see.",
        )
    )
    return adaptive_card(body)
