"""The approvers' home: in a personal chat, "home" (or "my approvals") answers with one card of
what waits for the person (pending requests they may decide), their own recent requests and the
latest critical findings they may see (the access policy's accounts for them).

The requests are listed, not decided, here: a decision is honoured only from the request's own
card, in the conversation where it was asked (the approval's `message_ref`), so the list says
where that is.
"""

from __future__ import annotations

from typing import Any

from microsoft_teams.cards import CardElement, Container, TextBlock

from agent.api import Finding, latest_critical_findings, recent_requests, waiting_for
from agent.messages import ApprovalView
from agent.turn import Agent
from bot.teams.cards import adaptive_card

WORDS = {"home", "my approvals", "approvals", "my home", "inbox"}


def is_home(text: str) -> bool:
    return " ".join(text.lower().strip(" ?!.").split()) in WORDS


def _request(view: ApprovalView, status: bool = False) -> Container:
    """A request as two lines: what it would change, then its id, who asked and until when (or
    where it stands). An id as a fact's title was too narrow a column to read in a message."""
    when = f" · expires {view.expires_at:%Y-%m-%d %H:%M} UTC" if view.expires_at and not status else ""
    tail = f" · {view.status}" if status else f" · by {view.requester}{when}"
    return Container(
        items=[
            TextBlock(text=f"{view.action} on {view.resource_id[:120]}", wrap=True, weight="Bolder"),
            TextBlock(text=f"{view.id}{tail}", wrap=True, is_subtle=True, spacing="None"),
        ],
        spacing="Small",
    )


def _finding(finding: Finding) -> Container:
    where = " · ".join(p for p in (finding.resource_id[:120], finding.account, finding.region) if p)
    return Container(
        items=[
            TextBlock(
                text=f"{finding.severity.upper()} · {finding.title[:120]}",
                wrap=True,
                weight="Bolder",
                color="Attention",
            ),
            TextBlock(text=where, wrap=True, is_subtle=True, spacing="None"),
        ],
        spacing="Small",
    )


def _section(title: str, items: list[CardElement], empty: str) -> Container:
    head: list[CardElement] = [TextBlock(text=f"**{title}**", wrap=True)]
    body = items or [TextBlock(text=empty, wrap=True, is_subtle=True, spacing="None")]
    return Container(items=head + body, separator=True, spacing="Medium")


def home_card(agent: Agent, user: str, groups: set[str]) -> dict[str, Any]:
    waiting = waiting_for(agent, user, groups)
    mine = recent_requests(agent, user)
    findings = latest_critical_findings(agent, user)
    body: list[CardElement] = [
        TextBlock(text="**CloudPilot — your home**", wrap=True, size="Large"),
        _section(
            f"Waiting for your approval ({len(waiting)})",
            [_request(v) for v in waiting],
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
            [_request(v, status=True) for v in mine],
            "You have asked for no changes.",
        )
    )
    body.append(
        _section(
            "Latest critical findings",
            [_finding(f) for f in findings],
            "No open critical findings you can see.",
        )
    )
    return adaptive_card(body)
